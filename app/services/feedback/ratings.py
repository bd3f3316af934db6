"""Ratings (评分) of qualitative items: by the manager, by assigned peers, and from customers.

A manager's rating is one figure per item (a later manager rating replaces it, whoever in the
reporting line gives it; HR gives it when nobody above the person is active); each assigned peer
gives one; customer ratings arrive from a source and are idempotent by the source's reference.
Ratings are taken while the cycle is open — once scoring starts a result changes only through an
appeal, or through a manager rating HR sent back during the review before publishing.

Peer ratings are anonymous to the rated person and their managers: everything this module returns
to anyone but HR is a mean and a count per item, never a rater or a single peer's value or comment.
"""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select, update

from app.domain.aggregation import aggregate_ratings
from app.domain.authz import Relation, relations
from app.domain.cycles import CycleStatus
from app.domain.exact import plain, round_half_up
from app.domain.observations import Rating as DomainRating
from app.domain.templates import Rater
from app.domain.workflow import rating_problem
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, AssessmentItem, Employee, PeerRater, Rating
from app.services import audit
from app.services.authz import Action, Actor, Subject, active_managers_of, can, require
from app.services.cycle import review
from app.services.lookup import cycle_of, indicator
from app.services.scoring import progress
from app.services.usecase import decimal_of, fresh_transaction, get_or_404, now_or_clock, require_text, use_case

REF_LIMIT = 128
# A rating with its rater's name (none for a customer: the join is outer).
RatingRow = Row[int, str, int | None, str | None, Decimal, str, datetime]


@use_case
def rate_item(assessment_item_id: int, value: str | int | Decimal, who: Actor, comment: str = "", *,
              now: datetime | None = None) -> Rating:
    """A manager's or an assigned peer's rating of one item, set or replaced (audited)."""
    now = now_or_clock(now)
    fresh_transaction()
    item = get_or_404(AssessmentItem, assessment_item_id, "考核项", lock=True)
    assessment = _assessment_of(item)
    kind = _rater_kind(item)
    if kind is Rater.CUSTOMER:
        raise ApiError("customer_rated", "客户评分由数据来源同步，不能手工录入", 409)
    peers = frozenset(db.session.scalars(select(PeerRater.rater_id).where(PeerRater.assessment_id == assessment.id)))
    action = Action.RATE_MANAGER if kind is Rater.MANAGER else Action.RATE_PEER
    # Nobody above the person is active (their managers left, or they have none): HR rates instead.
    without_manager = kind is Rater.MANAGER and not active_managers_of(assessment.employee_id)
    require(who, action, Subject(assessment.employee_id, peer_raters=peers, without_manager=without_manager))
    again = _require_open(assessment, item)
    number = _rating_value(value)
    text = require_text(comment, "comment", "评语", required=False)
    _queue_on(item)
    query = select(Rating).where(Rating.assessment_item_id == item.id, Rating.rater_kind == kind.value)
    if kind is Rater.PEER:
        query = query.where(Rating.rater_ref == str(who.employee_id))
    rating = db.session.scalar(query)
    before = None if rating is None else {"value": str(rating.value), "rater_id": rating.rater_id}
    if rating is None:
        rating = Rating(assessment_item_id=item.id, rater_kind=kind.value)
        db.session.add(rating)
    rating.rater_id, rating.rater_ref = who.employee_id, str(who.employee_id)
    rating.value, rating.comment, rating.rated_at = number, text, now
    db.session.flush()
    audit.record("rating.set", "rating", rating.id, actor_id=who.employee_id, before=before,
                 after={"value": str(number), "rater_kind": kind.value, "assessment_item_id": item.id})
    if again:
        review.rated_again(item, now)
    db.session.commit()
    progress.request_recompute(assessment.id)
    return rating


@use_case
def record_customer_rating(assessment_item_id: int, value: str | int | Decimal, source_ref: str, *,
                           now: datetime | None = None, source: str = "connector") -> tuple[Rating, bool]:
    """A customer's rating from a source (Zendesk, a chat import); the same `source_ref` again is the
    same rating: unchanged it writes nothing, restated it updates (audited). Returns (rating, created).
    Accepted whatever the cycle's state: a late rating is recorded, and a published report changes
    only when HR re-publishes."""
    now = now_or_clock(now)
    item = get_or_404(AssessmentItem, assessment_item_id, "考核项")
    if _rater_kind(item) is not Rater.CUSTOMER:
        raise ApiError("not_customer_rated", "该考核项不由客户评分", 422, {"assessment_item_id": "不是客户评分项"})
    ref = require_text(source_ref, "source_ref", "来源编号", limit=REF_LIMIT)
    number = _rating_value(value)
    rating = db.session.scalar(select(Rating).where(
        Rating.assessment_item_id == item.id, Rating.rater_kind == Rater.CUSTOMER.value, Rating.rater_ref == ref))
    if rating is not None and rating.value == number:
        return rating, False
    created = rating is None
    if rating is None:
        rating = Rating(assessment_item_id=item.id, rater_kind=Rater.CUSTOMER.value, rater_ref=ref)
        db.session.add(rating)
    else:
        audit.record("rating.restated", "rating", rating.id, source=source, before={"value": str(rating.value)},
                     after={"value": str(number), "source_ref": ref})
    rating.value, rating.rated_at = number, now
    db.session.commit()
    if cycle_of(_assessment_of(item)).status == CycleStatus.OPEN:
        progress.request_recompute(item.assessment_id)
    return rating, created


def ratings_view(assessment_id: int, who: Actor) -> list[dict[str, Any]]:
    """Each rated item with its mean and count. HR also sees every rating with its rater; a manager
    also sees the manager rating; the rated person sees the aggregates only."""
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    subject = Subject(assessment.employee_id)
    require(who, Action.VIEW_RATINGS, subject)
    detail = "all" if can(who, Action.VIEW_RATERS, subject) else (
        "manager" if Relation.MANAGER in relations(who, subject) else None)
    items = [i for i in assessment.items if i.rater]
    rows = db.session.execute(
        select(Rating.assessment_item_id, Rating.rater_kind, Rating.rater_id, Employee.name, Rating.value,
               Rating.comment, Rating.rated_at)
        .outerjoin(Employee, Employee.id == Rating.rater_id)
        .where(Rating.assessment_item_id.in_([i.id for i in items])).order_by(Rating.id)).all()
    return [_item_view(item, [r for r in rows if r.assessment_item_id == item.id], detail) for item in items]


def _item_view(item: AssessmentItem, rows: Sequence[RatingRow], detail: str | None) -> dict[str, Any]:
    ind = indicator(item.indicator_code)
    mean = aggregate_ratings([DomainRating(r.value) for r in rows])
    view: dict[str, Any] = {"indicator": item.indicator_code, "name": ind.name, "rater_kind": item.rater,
                            "rater_label": _rater_kind(item).label_zh, "count": len(rows),
                            "mean": None if mean is None else plain(round_half_up(mean.fraction(), 2))}
    if detail == "all" or (detail == "manager" and item.rater == Rater.MANAGER.value):
        view["ratings"] = [{"rater_kind": r.rater_kind, "rater_id": r.rater_id, "rater": r.name,
                            "value": str(r.value), "comment": r.comment, "rated_at": r.rated_at.isoformat()}
                           for r in rows]
    return view


def _queue_on(item: AssessmentItem) -> None:
    """Ratings of one item run one at a time, so the rule "one manager rating per item, the later
    replaces it" holds when two managers rate at the same moment: MariaDB queues them on the item
    read FOR UPDATE; on SQLite, where FOR UPDATE locks nothing, this no-op write takes the database's
    write lock, and the rating looked up after it is what the other committed."""
    db.session.execute(update(AssessmentItem).where(AssessmentItem.id == item.id)
                       .values(indicator_code=AssessmentItem.indicator_code))


def _assessment_of(item: AssessmentItem) -> Assessment:
    assessment = db.session.get(Assessment, item.assessment_id)
    assert assessment is not None, "an assessment item's assessment exists (foreign key)"
    return assessment


def _rater_kind(item: AssessmentItem) -> Rater:
    if not item.rater:
        raise ApiError("not_rated_item", "该考核项不是评分项", 422, {"assessment_item_id": "不是评分项"})
    return Rater(item.rater)


def _rating_value(value: str | int | Decimal) -> Decimal:
    number = decimal_of(value, "value", "评分")
    problem = rating_problem(number)
    if problem:
        raise ApiError("invalid_input", problem, 422, {"value": problem})
    return number


def _require_open(assessment: Assessment, item: AssessmentItem) -> bool:
    """Ratings are taken while the month is open, and in review for a rating HR sent back (True then)."""
    status = cycle_of(assessment).status
    if status == CycleStatus.REVIEW and review.may_rate_again(item.id):
        return True
    if status == CycleStatus.DRAFT:  # drafted from the 25th: nothing to rate before the month opens
        raise ApiError("ratings_not_open", "该考核月尚未开始，开始后才能评分", 409)
    if status != CycleStatus.OPEN:
        raise ApiError("ratings_closed", "本月评分已截止，如对结果有异议请在考核报告中申诉", 409)
    return False
