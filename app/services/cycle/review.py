"""The review before publishing (待发布): a scored month waits for HR, nobody else sees its scores.

HR is told when a month is scored, reads the grade spread per department, may send a manager's
rating back with a note (the month then waits for that manager to rate again, and the person's
score is recomputed in the reviewed run), and publishes (发布). Publishing writes the reports, so
every appeal window starts then. A company may let the clock publish by itself after N working
days in review (the `publish_after_days` setting, off by default).
"""

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.domain.cycles import CycleStatus
from app.domain.templates import Rater
from app.errors import ApiError
from app.extensions import db
from app.models import (
    Assessment,
    AssessmentItem,
    Cycle,
    Department,
    Employee,
    Rating,
    RatingReturn,
    Score,
    ScoringRun,
)
from app.services import audit, authz, settings
from app.services.business_time import to_local
from app.services.calendar import company_calendar
from app.services.lookup import hr_members, indicator, name_of
from app.services.notify import outbox
from app.services.scoring import runs
from app.services.usecase import JsonDict, get_or_404, now_or_clock, require_text, use_case


@use_case
def tell_hr_scored(cycle_id: int, now: datetime) -> int:
    """Every HR member is told once that the month is scored and waits for 发布 (with the spread, and
    whether the clock will publish it by itself). Returns how many were told."""
    cycle = db.session.get(Cycle, cycle_id)
    assert cycle is not None, "the clock tells HR about a month it has just read"
    lines = [f"{row['department']}：" + "、".join(f"{label}{n}人" for label, n in row["grades"].items() if n)
             for row in _spread(cycle)]
    auto = settings.of_cycle(cycle).publish_after_days
    when = (f"如未处理，将在{auto}个工作日后自动发布。" if auto else "发布前员工看不到结果，申诉期从发布时开始。")
    members = hr_members()
    for hr_id in members:
        outbox.enqueue(hr_id, "month_to_review", title=f"{cycle.label}考核待发布", summary="评分已完成，请审阅后发布",
                       body=f"【{cycle.label}考核待发布】评分已完成，请审阅等级分布后发布：\n" + "\n".join(lines)
                       + f"\n{when}", dedupe_key=f"review:{cycle.id}:{hr_id}", now=now, data={"cycle_id": cycle.id})
    db.session.commit()
    return len(members)


def spread(cycle_id: int, *, hr_id: int) -> list[JsonDict]:
    """Per department: how many people the reviewed run puts in each grade (HR only)."""
    authz.require(authz.actor(hr_id), authz.Action.RUN_CYCLE, authz.Subject())
    return _spread(get_or_404(Cycle, cycle_id, "考核周期"))


def _spread(cycle: Cycle) -> list[JsonDict]:
    run_id = runs.review_run(cycle.id)
    bands = settings.of_cycle(cycle).grade_bands.bands
    counts: dict[str, dict[str, int]] = {}
    for department, grade, count in db.session.execute(
            select(Department.name, Score.grade, func.count()).select_from(Score)
            .join(Assessment, Assessment.id == Score.assessment_id)
            .join(Employee, Employee.id == Assessment.employee_id)
            .join(Department, Department.id == Employee.department_id).where(Score.run_id == run_id)
            .group_by(Department.name, Score.grade).order_by(Department.name)):
        counts.setdefault(department, {})[grade] = count
    return [{"department": department, "count": sum(grades.values()),
             "grades": {band.label_zh: grades.get(band.code, 0) for band in bands}}
            for department, grades in counts.items()]


def manager_ratings(cycle_id: int, *, hr_id: int) -> list[JsonDict]:
    """Every manager rating of the month in review, with the person's grade in the reviewed run and
    whether it is waiting to be rated again: what HR may send back (HR only)."""
    authz.require(authz.actor(hr_id), authz.Action.RUN_CYCLE, authz.Subject())
    cycle = get_or_404(Cycle, cycle_id, "考核周期")
    grades = {b.code: b.label_zh for b in settings.of_cycle(cycle).grade_bands.bands}
    rater, run_id, manager = aliased(Employee), runs.review_run(cycle.id), Rater.MANAGER.value
    rows = db.session.execute(
        select(AssessmentItem.id, AssessmentItem.indicator_code, Employee.name, Employee.employee_no,
               Department.name, Rating.value, Rating.comment, rater.name, Score.grade)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .join(Employee, Employee.id == Assessment.employee_id)
        .outerjoin(Department, Department.id == Employee.department_id)
        .outerjoin(Rating, (Rating.assessment_item_id == AssessmentItem.id) & (Rating.rater_kind == manager))
        .outerjoin(rater, rater.id == Rating.rater_id)
        .outerjoin(Score, (Score.assessment_id == Assessment.id) & (Score.run_id == run_id))
        .where(Assessment.cycle_id == cycle.id, AssessmentItem.rater == manager)
        .order_by(Department.id, Employee.employee_no, AssessmentItem.sort)).all()
    waiting = set(db.session.scalars(select(RatingReturn.assessment_item_id).join(AssessmentItem).join(Assessment)
                                     .where(Assessment.cycle_id == cycle.id, RatingReturn.answered_at.is_(None))))
    return [{"item_id": item_id, "indicator": indicator(code).name, "name": name, "employee_no": number,
             "department": department or "—", "rating": value, "comment": comment or "", "rater": rater_name,
             "grade": grades.get(grade or "", "—"), "returned": item_id in waiting}
            for item_id, code, name, number, department, value, comment, rater_name, grade in rows]


@use_case
def publish(cycle_id: int, *, hr_id: int, now: datetime | None = None) -> int:
    """HR's 发布: the reviewed month's reports go out; returns how many."""
    authz.require(authz.actor(hr_id), authz.Action.RUN_CYCLE, authz.Subject())
    cycle = get_or_404(Cycle, cycle_id, "考核周期", lock=True)
    return _publish(cycle, hr_id, now_or_clock(now))


def _publish(cycle: Cycle, actor_id: int | None, now: datetime) -> int:
    if cycle.status == CycleStatus.REVIEW:
        returned = open_returns(cycle.id)
        if returned:
            raise ApiError("ratings_returned", f"还有{returned}项退回的评分未重新评分，暂不能发布", 409)
        if db.session.scalar(select(func.count()).select_from(ScoringRun).where(
                ScoringRun.cycle_id == cycle.id, ScoringRun.status == "running")):
            raise ApiError("scoring_running", "重新评分尚未完成，请稍后再发布", 409)
    published = runs.publish_reviewed(cycle, actor_id=actor_id, now=now)  # refuses any other status
    db.session.commit()
    return published


@use_case
def publish_due(now: datetime) -> list[int]:
    """The clock's part: months in review longer than their auto-publish setting (in working days)
    with nothing sent back are published. Returns their ids."""
    today = to_local(now).date()
    done = []
    for cycle in db.session.scalars(select(Cycle).where(Cycle.status == CycleStatus.REVIEW)).all():
        day = auto_publish_day(cycle)
        if day is not None and today >= day and not open_returns(cycle.id):
            _publish(cycle, None, now)
            done.append(cycle.id)
    return done


def auto_publish_day(cycle: Cycle) -> date | None:
    """The day the clock publishes a month in review by itself: the month's publish_after_days-th
    working day after it was scored (None: only HR publishes, or it is not in review)."""
    after = settings.of_cycle(cycle).publish_after_days
    if not after or cycle.review_at is None:
        return None
    day, calendar, found = to_local(cycle.review_at).date(), company_calendar(), 0
    while found < after:
        day += timedelta(days=1)
        found += calendar.is_working_day(day)
    return day


@use_case
def return_rating(assessment_item_id: int, note: str, *, hr_id: int, now: datetime | None = None) -> RatingReturn:
    """HR sends a manager's rating back with a note during the review; the person's acting manager
    (or HR, when nobody above them is here) is asked to rate it again."""
    authz.require(authz.actor(hr_id), authz.Action.RUN_CYCLE, authz.Subject())
    now = now_or_clock(now)
    item = get_or_404(AssessmentItem, assessment_item_id, "考核项", lock=True)
    assessment = get_or_404(Assessment, item.assessment_id, "考核表")
    cycle = get_or_404(Cycle, assessment.cycle_id, "考核周期")
    if cycle.status != CycleStatus.REVIEW:
        raise ApiError("not_in_review", "只有待发布的考核月可以退回评分", 409, {"status": cycle.status})
    if item.rater != Rater.MANAGER.value:
        raise ApiError("not_manager_rated", "只能退回主管评分的考核项", 422, {"assessment_item_id": "不是主管评分项"})
    text = require_text(note, "note", "退回说明")
    if open_returns(cycle.id, item.id):
        raise ApiError("rating_already_returned", "该评分已退回，正在等待主管重新评分", 409)
    managers = authz.active_managers_of(assessment.employee_id)
    rater_id = managers[0] if managers else hr_id
    returned = RatingReturn(assessment_item_id=item.id, rater_id=rater_id, note=text, returned_by=hr_id,
                            returned_at=now)
    db.session.add(returned)
    db.session.flush()
    audit.record("rating.return", "rating_return", returned.id, actor_id=hr_id,
                 after={"assessment_item_id": item.id, "rater_id": rater_id, "note": text})
    _ask_again(returned, cycle, assessment, now)
    db.session.commit()
    return returned


def _ask_again(returned: RatingReturn, cycle: Cycle, assessment: Assessment, now: datetime) -> None:
    item = db.session.get(AssessmentItem, returned.assessment_item_id)
    assert item is not None, "a return names an item (foreign key)"
    what = f"{name_of(assessment.employee_id)}的「{indicator(item.indicator_code).name}」"
    outbox.enqueue(returned.rater_id, "rating_returned", title=f"{cycle.label}评分被退回",
                   summary=f"请重新评{what}", audience="manager",
                   body=f"【{cycle.label}评分被退回】人事退回了你给{what}的评分：{returned.note}\n"
                        "请重新评分，重新评分后本月考核结果才会发布。",
                   dedupe_key=f"rating-return:{returned.id}:{to_local(now).date()}", now=now,
                   data={"cycle_id": cycle.id, "assessment_item_id": item.id})


@use_case
def remind_returned(now: datetime) -> int:
    """The clock's part, once a working day: each rating still sent back is asked for again."""
    count = 0
    for returned in db.session.scalars(select(RatingReturn).where(RatingReturn.answered_at.is_(None))).all():
        item = db.session.get(AssessmentItem, returned.assessment_item_id)
        assert item is not None, "a return names an item (foreign key)"
        assessment = db.session.get(Assessment, item.assessment_id)
        assert assessment is not None, "an item belongs to an assessment (foreign key)"
        cycle = db.session.get(Cycle, assessment.cycle_id)
        assert cycle is not None, "an assessment belongs to a cycle (foreign key)"
        _ask_again(returned, cycle, assessment, now)
        count += 1
    db.session.commit()
    return count


def may_rate_again(assessment_item_id: int) -> bool:
    """Whether a manager rating of the item is taken although scoring has started: HR sent it back."""
    return db.session.scalar(select(RatingReturn.id).where(
        RatingReturn.assessment_item_id == assessment_item_id, RatingReturn.answered_at.is_(None)).limit(1)) is not None


def rated_again(item: AssessmentItem, now: datetime) -> None:
    """A returned rating was given again: the return is answered and the person's score in the
    reviewed run recomputed with it. Joins the caller's transaction."""
    for returned in db.session.scalars(select(RatingReturn).where(
            RatingReturn.assessment_item_id == item.id, RatingReturn.answered_at.is_(None))):
        returned.answered_at = now
    assessment = db.session.get(Assessment, item.assessment_id)
    assert assessment is not None, "an item belongs to an assessment (foreign key)"
    run_id = runs.review_run(assessment.cycle_id)
    assert run_id is not None, "a rating is returned only in review, after a run finished"
    runs.rescore_in_review(run_id, [assessment.id])


def open_returns(cycle_id: int, item_id: int | None = None) -> int:
    """How many of the month's ratings (or this item's) HR sent back and nobody rated again yet."""
    query = (select(func.count()).select_from(RatingReturn)
             .join(AssessmentItem, AssessmentItem.id == RatingReturn.assessment_item_id)
             .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
             .where(Assessment.cycle_id == cycle_id, RatingReturn.answered_at.is_(None)))
    if item_id is not None:
        query = query.where(RatingReturn.assessment_item_id == item_id)
    return db.session.scalar(query) or 0
