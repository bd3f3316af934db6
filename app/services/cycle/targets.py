"""Targets: the employee's acknowledgement (目标确认) and HR's amendments.

While the cycle is a draft HR adjusts a target in place (audited; targets go out at opening). Once
it is open a change is a TargetAmendment: audited, told to the employee, and unacknowledged until
the employee acknowledges it — their acknowledgement then covers the targets as amended.
"""

import re
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, update

from app.domain import targets as rules
from app.domain.close_todo import RATER_KIND_ZH, SOURCE_ZH
from app.domain.cycles import CycleStatus
from app.domain.exact import plain
from app.domain.formatting import method_label
from app.domain.indicators import Aggregation, Direction, Display, Kind
from app.domain.methods import ByRatio
from app.domain.workcalendar import month_bounds
from app.errors import ApiError
from app.extensions import db
from app.models import Assessment, AssessmentItem, Cycle, Indicator, SyncRun, TargetAmendment
from app.services import audit
from app.services.authz import Action, Actor, Subject, require
from app.services.business_time import to_local
from app.services.cycle.target_messages import TargetNews
from app.services.lookup import configured_sources, cycle_of, display_of, format_figure, indicator
from app.services.notify import outbox
from app.services.scoring import progress
from app.services.scoring.inputs import stored_method
from app.services.usecase import (
    DecimalInput,
    JsonDict,
    changed_rows,
    decimal_of,
    get_or_404,
    now_or_clock,
    require_text,
    use_case,
)


@use_case
def acknowledge_targets(assessment_id: int, who: Actor, *, now: datetime | None = None) -> JsonDict:
    """The employee acknowledges their targets and any amendment not yet acknowledged; repeating
    it changes nothing. Returns the acknowledgement state."""
    now = now_or_clock(now)
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    require(who, Action.ACKNOWLEDGE_TARGETS, Subject(assessment.employee_id))
    if cycle_of(assessment).status != CycleStatus.OPEN:
        raise ApiError("cycle_not_open", "考核目标只能在考核月进行中确认", 409)
    # Conditional updates: of two taps at the same moment, only the one that changed a row records it.
    first = changed_rows(update(Assessment).where(Assessment.id == assessment.id,
                                                  Assessment.acknowledged_at.is_(None))
                         .values(acknowledged_at=now)) == 1
    amended = [a.id for a in _unacknowledged(assessment.id) if changed_rows(
        update(TargetAmendment).where(TargetAmendment.id == a.id, TargetAmendment.acknowledged_at.is_(None))
        .values(acknowledged_at=now)) == 1]
    if first or amended:
        audit.record("targets.acknowledge", "assessment", assessment.id, actor_id=who.employee_id,
                     after={"targets": first, "amendments": amended})
    db.session.commit()
    db.session.refresh(assessment)
    return targets_state(assessment)


@use_case
def amend_target(assessment_item_id: int, new_target: DecimalInput, reason: str, who: Actor, *,
                 now: datetime | None = None) -> TargetAmendment | None:
    """HR changes one quantitative item's target. In a draft the item changes in place (None is
    returned); in an open cycle it is an amendment the employee is told about and acknowledges."""
    now = now_or_clock(now)
    item = get_or_404(AssessmentItem, assessment_item_id, "考核项")
    assessment = db.session.get(Assessment, item.assessment_id)
    assert assessment is not None, "item.assessment_id is a foreign key to assessment"
    require(who, Action.AMEND_TARGET, Subject(assessment.employee_id))
    cycle = cycle_of(assessment)
    ind = indicator(item.indicator_code)
    rules.check_amendable(CycleStatus(cycle.status), Kind(ind.kind))
    target = decimal_of(new_target, "new_target", "新目标")
    rules.check_new_target(item.target, target)
    text = require_text(reason, "reason", "调整原因", limit=200)
    old = item.target
    item.target = target
    amendment = None
    if cycle.status == CycleStatus.OPEN:
        amendment = TargetAmendment(assessment_item_id=item.id, old_target=old, new_target=target, reason=text,
                                    amended_by=who.employee_id, amended_at=now)
        db.session.add(amendment)
        db.session.flush()
        _tell(assessment, ind, old, target, text, amendment, cycle.label, now)
    audit.record("target.amend", "assessment_item", item.id, actor_id=who.employee_id,
                 before={"target": str(old)}, after={"target": str(target), "reason": text,
                                                     "amendment_id": amendment.id if amendment else None})
    db.session.commit()
    if amendment is not None:
        progress.request_recompute(assessment.id)
    return amendment


def targets_view(assessment_id: int, who: Actor) -> JsonDict:
    """The assessment's items and targets, with what is still to acknowledge (the 目标确认 page).
    A drafted month is for HR and managers to prepare: the employee sees it once it opens."""
    # The home page reads this on every visit: the sheet with its month, then its items with their
    # indicators, in two queries.
    found = db.session.execute(select(Assessment, Cycle).join(Cycle).where(Assessment.id == assessment_id)).first()
    if found is None:
        raise ApiError("not_found", "找不到该考核表", 404)
    assessment, cycle = found
    require(who, Action.VIEW_PROGRESS, Subject(assessment.employee_id))
    if cycle.status == CycleStatus.DRAFT and who.employee_id == assessment.employee_id:
        raise ApiError("targets_not_issued", "本月考核目标尚未下达，下达后会通知您", 409)
    items = []
    # A partial month shows the pro-rated target its message named and scoring uses; a whole month
    # (nearly every sheet) needs no calendars for that.
    whole = (assessment.first_day, assessment.last_day) == month_bounds(cycle.year, cycle.month)
    news = None if whole else TargetNews()
    synced = _last_syncs()
    for item, ind in db.session.execute(select(AssessmentItem, Indicator).join(
            Indicator, Indicator.code == AssessmentItem.indicator_code)
            .where(AssessmentItem.assessment_id == assessment.id).order_by(AssessmentItem.sort)):
        prorated = news.prorated(assessment, cycle, item.indicator_code, item.target) if news else None
        items.append({"assessment_item_id": item.id, "indicator": item.indicator_code, "name": ind.name,
                      "weight": str(item.weight), "target": str(item.target),
                      "prorated_target": None if prorated is None else str(prorated),
                      "target_display": format_figure(ind, item.target if prorated is None else prorated,
                                                      assessment.currency),
                      "rater_kind": item.rater, "entry": _entry(ind, item.rater, synced, assessment.currency)})
    return {"assessment_id": assessment.id, "items": items, **targets_state(assessment)}


def _last_syncs() -> dict[str, str | None]:
    """Each configured source → when its latest finished run ended (local time), None before any."""
    last: dict[str, datetime | None] = dict(db.session.execute(
        select(SyncRun.source, func.max(SyncRun.finished_at)).where(SyncRun.status == "done")
        .group_by(SyncRun.source)).all())
    return {source: None if (ended := last.get(source)) is None else to_local(ended).isoformat(timespec="minutes")
            for source in configured_sources()}


def _parts(definition: str) -> list[str]:
    """A rate's two inputs, named as its definition names them ("广告销售额 ÷ 广告花费")."""
    named = [re.split(r"[，,（(]", part.split("）")[-1].split("的")[-1])[0].strip() for part in definition.split("÷")]
    return named if len(named) == 2 and all(0 < len(n) <= 12 for n in named) else ["完成数", "总数"]


def _entry(ind: Indicator, rater: str | None, synced: dict[str, str | None], currency: str) -> JsonDict:
    """How the submit page takes the item's figure: typed by the person (a percent, money, a count…,
    a ratio's two parts), synced from its source (a self-report beside it is optional), or rated."""
    display = display_of(ind)
    return {"display": display.value, "unit": currency if display is Display.MONEY else ind.unit,
            "two_parts": ind.aggregation == Aggregation.RATIO.value and not rater, "parts": _parts(ind.definition),
            "by": "rating" if rater else "sync" if ind.source in synced else "self",
            "source": RATER_KIND_ZH.get(rater or "", SOURCE_ZH.get(ind.source, ind.source)),
            "synced_at": synced.get(ind.source)}


def rules_view(assessment_id: int, who: Actor) -> list[JsonDict]:
    """考核规则 in words: each item's weight, target, who rates it or where its figure comes from,
    and how the figure becomes points ("扣分制：每低于目标0.1%扣6分…"), as the report states them."""
    assessment = get_or_404(Assessment, assessment_id, "考核表")
    require(who, Action.VIEW_PROGRESS, Subject(assessment.employee_id))
    shown = []
    for item in assessment.items:
        ind = indicator(item.indicator_code)
        method = stored_method(item.method)
        display = display_of(ind)
        rule = method_label(method, item.weight, Direction(ind.direction), display, ind.unit, assessment.currency)
        if isinstance(method, ByRatio):
            cap = f"，最高按{plain(item.cap * 100)}%计" if ind.kind != Kind.QUALITATIVE.value else ""
            rule += cap + (f"，完成率低于{plain(item.floor * 100)}%得0分" if item.floor is not None else "")
        shown.append({"indicator": ind.code, "name": ind.name, "weight": str(item.weight),
                      "target": format_figure(ind, item.target, assessment.currency),
                      "by": RATER_KIND_ZH.get(item.rater or "", SOURCE_ZH.get(ind.source, ind.source)),
                      "rule": rule, "definition": ind.definition})
    return shown


def targets_state(assessment: Assessment) -> JsonDict:
    pending = _unacknowledged(assessment.id)
    return {
        "acknowledged": assessment.acknowledged_at is not None and not pending,
        "acknowledged_at": assessment.acknowledged_at.isoformat() if assessment.acknowledged_at else None,
        "amendments_to_acknowledge": [
            {"id": a.id, "assessment_item_id": a.assessment_item_id, "old_target": str(a.old_target),
             "new_target": str(a.new_target), "reason": a.reason} for a in pending],
    }


def _unacknowledged(assessment_id: int) -> list[TargetAmendment]:
    return list(db.session.scalars(select(TargetAmendment).join(AssessmentItem).where(
        AssessmentItem.assessment_id == assessment_id, TargetAmendment.acknowledged_at.is_(None))
        .order_by(TargetAmendment.id)))


def _tell(assessment: Assessment, ind: Indicator, old: Decimal, new: Decimal, reason: str,
          amendment: TargetAmendment, label: str, now: datetime) -> None:
    before, after = format_figure(ind, old, assessment.currency), format_figure(ind, new, assessment.currency)
    outbox.enqueue(assessment.employee_id, "target_push", title=f"{label}考核目标调整", summary=f"{ind.name}：{after}",
                   body=f"【目标调整】{label}「{ind.name}」的目标由{before}调整为{after}。原因：{reason}\n请在小程序中确认。",
                   dedupe_key=f"target-amendment:{amendment.id}", now=now,
                   data={"assessment_id": assessment.id, "amendment_id": amendment.id})
