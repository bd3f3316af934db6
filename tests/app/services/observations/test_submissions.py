"""Daily submissions: own figures only (any item nobody rates), editable until 10:00 the next day,
all or nothing."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.errors import ApiError
from app.models import (
    AuditLog,
    Employee,
    Observation,
    Position,
    ProgressEntry,
)
from app.services.authz import actor
from app.services.observations.submissions import SubmittedFigure, submit
from tests.support.demo import seeded_demo

TODAY = date(2026, 11, 27)
AT_NOON = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.fixture
def designer(db_session):
    seeded_demo(today=TODAY)
    return db_session.scalar(
        select(Employee).join(Position, Position.id == Employee.position_id)
        .where(Position.code == "designer", Employee.joined_on < date(2026, 11, 1)).order_by(Employee.id)
    )


def entries(session) -> int:
    return session.scalar(select(func.count()).select_from(ProgressEntry))


def test_a_designer_reports_today_and_can_edit_it(db_session, designer):
    figures = {"design_on_time_share": SubmittedFigure(Decimal(3), Decimal(3)),
               "design_revision_rounds": SubmittedFigure(Decimal(4), Decimal(3))}
    entry = submit(designer.id, TODAY, figures, actor(designer.id), "完成3张主图", now=AT_NOON)
    stored = db_session.scalars(select(Observation).where(Observation.progress_entry_id == entry.id)).all()
    assert {o.indicator_code: (o.numerator, o.denominator, o.provenance) for o in stored} == {
        "design_on_time_share": (Decimal(3), Decimal(3), "self_reported"),
        "design_revision_rounds": (Decimal(4), Decimal(3), "self_reported"),
    }
    submit(designer.id, TODAY, {"design_on_time_share": SubmittedFigure(Decimal(2), Decimal(3))}, actor(designer.id),
           "改为2张按时", now=AT_NOON)
    stored = db_session.scalars(select(Observation).where(Observation.progress_entry_id == entry.id)).all()
    assert [(o.indicator_code, o.numerator) for o in stored] == [("design_on_time_share", Decimal(2))]
    audits = db_session.scalars(select(AuditLog).where(AuditLog.entity == "progress_entry",
                                                       AuditLog.entity_id == entry.id)).all()
    assert audits[-1].before["figures"]["design_on_time_share"] == ["3", "3"]
    assert audits[-1].after["figures"]["design_on_time_share"] == ["2", "3"]


def test_yesterday_is_editable_until_ten_but_not_after(db_session, designer):
    yesterday = date(2026, 11, 26)
    before_ten = datetime(2026, 11, 27, 1, 59, tzinfo=UTC)  # 09:59 in Shanghai
    submit(designer.id, yesterday, {}, actor(designer.id), "补充说明", now=before_ten)
    after_ten = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    with pytest.raises(ApiError) as late:
        submit(designer.id, yesterday, {}, actor(designer.id), "再改一次", now=after_ten)
    assert late.value.code == "edit_window_closed"
    assert "主管" in late.value.message


@pytest.mark.parametrize("figures,code,field", [
    ({"design_quality": SubmittedFigure(Decimal(4))}, "figures_invalid", "design_quality"),
    ({"design_on_time_share": SubmittedFigure(Decimal(4), Decimal(3))}, "figures_invalid", "design_on_time_share"),
    ({"design_on_time_share": SubmittedFigure(Decimal(-1), Decimal(3))}, "figures_invalid", "design_on_time_share"),
    ({"design_revision_rounds": SubmittedFigure(Decimal(1), None)}, "figures_invalid", "design_revision_rounds"),
])
def test_bad_figures_are_refused_and_nothing_is_written(db_session, designer, figures, code, field):
    count = entries(db_session)
    good = {"design_on_time_share": SubmittedFigure(Decimal(1), Decimal(1))}
    with pytest.raises(ApiError) as refused:
        submit(designer.id, TODAY, {**good, **figures}, actor(designer.id), now=AT_NOON)
    assert refused.value.code == code and field in refused.value.fields
    assert entries(db_session) == count


def test_the_future_and_days_without_an_open_assessment_are_refused(db_session, designer):
    with pytest.raises(ApiError) as future:
        submit(designer.id, date(2026, 11, 28), {}, actor(designer.id), now=AT_NOON)
    assert future.value.code == "day_in_future"
    with pytest.raises(ApiError) as closed:
        submit(designer.id, date(2026, 10, 30), {}, actor(designer.id), now=datetime(2026, 10, 30, 4, tzinfo=UTC))
    assert closed.value.code == "no_open_assessment"


def test_a_too_long_note_is_refused(db_session, designer):
    with pytest.raises(ApiError) as long_note:
        submit(designer.id, TODAY, {}, actor(designer.id), "字" * 501, now=AT_NOON)
    assert long_note.value.code == "note_too_long"


def test_a_synced_item_may_be_reported_as_evidence_but_a_rated_one_never(db_session, designer):
    ctr = {"design_main_image_ctr": SubmittedFigure(Decimal(12), Decimal(1000))}
    entry = submit(designer.id, TODAY, ctr, actor(designer.id), "主图点击率后台截图", now=AT_NOON)
    stored = db_session.scalars(select(Observation).where(Observation.progress_entry_id == entry.id)).all()
    assert [(o.indicator_code, o.source, o.provenance) for o in stored] == [
        ("design_main_image_ctr", "self_report", "self_reported")]
    with pytest.raises(ApiError) as refused:
        submit(designer.id, TODAY, {"design_quality": SubmittedFigure(Decimal(5))}, actor(designer.id), now=AT_NOON)
    assert refused.value.code == "figures_invalid" and "design_quality" in refused.value.fields
