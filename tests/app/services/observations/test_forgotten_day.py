"""A forgotten day — no entry at all — can still be added after its edit window, as a correction
request the manager (or HR) decides: approving creates the day's entry and figure, audited, and
asks for a recompute; rejecting creates nothing (issue 16.6e)."""

from datetime import date

import pytest
from sqlalchemy import select

from app.errors import ApiError
from app.extensions import redis_store
from app.models import AuditLog, CorrectionRequest, Observation, OutboxMessage, ProgressEntry
from app.services.observations import corrections
from app.services.scoring import progress
from tests.support.clock import utc
from tests.support.company import assessment_of, open_month, small_company
from tests.support.people import actor

FORGOTTEN = date(2026, 11, 24)  # a Tuesday nobody submitted anything for
LATER = utc(26, 12)  # Thursday noon: the 24th's window closed on Wednesday at 10:00


def ask(person, code: str, numerator: str, denominator: str | None = None, *, day: date = FORGOTTEN,
        who=None, now=LATER) -> CorrectionRequest:
    return corrections.request_day_correction(person.id, day, code, numerator, denominator, "那天忘记提交进展",
                                              actor(who or person.id), now=now)


def entry_on(session, person, day: date = FORGOTTEN) -> ProgressEntry | None:
    return session.scalar(select(ProgressEntry).where(ProgressEntry.employee_id == person.id,
                                                      ProgressEntry.day == day))


def test_a_forgotten_day_is_asked_for_and_approving_creates_its_entry_and_figure(db_session, redis_client):
    people = small_company()
    november = open_month(2026, 11)
    star = assessment_of(people.star, november).id

    sales = ask(people.star, "ops_sales", "1200")
    conversion = ask(people.star, "ops_new_conversion", "3", "60")
    assert (sales.progress_entry_id, sales.day, sales.assessment_id, sales.old_numerator) == (
        None, FORGOTTEN, star, None)
    asked = db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "correction_to_decide")).all()
    assert [m.recipient_id for m in asked] == [people.lead.id, people.lead.id]
    assert "11月24日「月度销售额」由无更正为1,200 USD" in asked[0].body
    assert entry_on(db_session, people.star) is None  # nothing changes until the manager decides

    redis_store.client.delete(progress.PENDING)
    corrections.decide_correction(sales.id, True, "", actor(people.lead.id), now=utc(26, 13))
    corrections.decide_correction(conversion.id, True, "", actor(people.lead.id), now=utc(26, 13))
    entry = entry_on(db_session, people.star)
    assert (entry.assessment_id, db_session.get(CorrectionRequest, sales.id).progress_entry_id,
            db_session.get(CorrectionRequest, conversion.id).progress_entry_id) == (star, entry.id, entry.id)
    figures = db_session.execute(select(Observation.indicator_code, Observation.numerator, Observation.denominator,
                                        Observation.provenance).where(Observation.progress_entry_id == entry.id)
                                 .order_by(Observation.indicator_code)).all()
    assert [tuple(row) for row in figures] == [("ops_new_conversion", 3, 60, "self_reported"),
                                               ("ops_sales", 1200, None, "self_reported")]
    assert {int(i) for i in redis_store.client.smembers(progress.PENDING)} == {star}
    actions = db_session.scalars(select(AuditLog.action).where(AuditLog.action.like("observation.%"))).all()
    assert actions == ["observation.correct", "observation.correct"]
    told = db_session.scalars(select(OutboxMessage.body).where(OutboxMessage.kind == "correction_result")).all()
    assert told[0] == "你申请将11月24日「月度销售额」更正为1,200 USD，已通过"


def test_a_forgotten_day_rejected_or_refused_creates_nothing(db_session, redis_client):
    people = small_company()
    open_month(2026, 11)
    rejected = ask(people.star, "ops_sales", "1200")
    corrections.decide_correction(rejected.id, False, "那天休假", actor(people.lead.id), now=utc(26, 13))
    assert entry_on(db_session, people.star) is None

    for case, code in (("inside_window", "edit_window_open"), ("future", "day_in_future"),
                       ("rated", "figures_invalid"), ("pending_twice", "correction_pending"),
                       ("someone_else", "forbidden"), ("before_the_month", "no_open_assessment")):
        with pytest.raises(ApiError) as refused:
            if case == "inside_window":
                ask(people.star, "ops_sales", "1", day=date(2026, 11, 26))
            elif case == "future":
                ask(people.star, "ops_sales", "1", day=date(2026, 11, 27))
            elif case == "rated":
                ask(people.star, "ops_teamwork", "5")
            elif case == "pending_twice":
                ask(people.star, "ops_sales", "1300")
                ask(people.star, "ops_sales", "1400")
            elif case == "someone_else":
                ask(people.star, "ops_sales", "1", who=people.lead.id)
            else:
                ask(people.star, "ops_sales", "1", day=date(2026, 10, 27))
        assert refused.value.code == code, case
    assert entry_on(db_session, people.star) is None
