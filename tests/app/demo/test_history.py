"""The demo's past months, lived through the services at their own moments, and the first tick after
seeding, which finds nothing left over to send."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.models import (
    Alert,
    AlertRule,
    Appeal,
    Assessment,
    AuditLog,
    Comment,
    Cycle,
    DeliveryAttempt,
    Digest,
    DigestLine,
    Employee,
    Observation,
    OutboxMessage,
    Outcome,
    Position,
    ProgressEntry,
    Report,
    WeChatIdentity,
)
from app.services import tick
from app.services.authz import actor, managers_of
from app.services.lookup import hr_members
from app.services.observations.submissions import SubmittedFigure, submit
from tests.support.clock import TODAY, utc
from tests.support.demo import seeded_demo

CUTOFF = utc(TODAY.day, 0)  # local midnight of the seeding day: the history is everything before
PAST = (8, 9, 10)


def past_reports(session) -> list[Report]:
    """The latest version of every report of the past months."""
    latest = (select(Report.assessment_id, func.max(Report.version).label("version"))
              .group_by(Report.assessment_id).subquery())
    return list(session.scalars(
        select(Report).join(latest, (latest.c.assessment_id == Report.assessment_id)
                            & (latest.c.version == Report.version))
        .join(Assessment, Assessment.id == Report.assessment_id).join(Cycle).where(Cycle.month.in_(PAST))))


def test_every_past_month_was_closed_answered_and_made_final(db_session):
    seeded_demo(today=TODAY)
    months = db_session.execute(select(Cycle.month, Cycle.status, Cycle.scoring_at, Cycle.published_at,
                                       Cycle.final_at).order_by(Cycle.year, Cycle.month)).all()
    assert [(m, s) for m, s, *_ in months] == [(8, "final"), (9, "final"), (10, "final"), (11, "open")]
    for month, _, scored, published, final in months[:3]:
        # scored on day 3 of the next month at 09:00 in Shanghai, published by HR within hours
        assert scored == utc(3, 9, month=month + 1)
        assert timedelta(minutes=30) < published - scored < timedelta(hours=4)
        assert published < final < CUTOFF
    answered = Counter(r.response for r in past_reports(db_session))
    assert set(answered) <= {"confirmed", "auto_confirmed", "appealed"}
    assert answered["confirmed"] > answered["auto_confirmed"] > 0  # most confirm, some stay silent
    publishers = db_session.scalars(select(Employee.is_hr).join(AuditLog, AuditLog.actor_id == Employee.id)
                                    .where(AuditLog.action == "cycle.publish")).all()
    assert publishers == [True, True, True]


def test_appeals_were_filed_and_decided_by_the_manager_within_a_day(db_session):
    seeded_demo(today=TODAY)
    appeals = db_session.scalars(select(Appeal).order_by(Appeal.id)).all()
    decided = Counter(a.status for a in appeals)
    assert len(appeals) >= 6 and decided["accepted"] >= 2 and decided["rejected"] >= 2
    assert set(decided) == {"accepted", "rejected"}
    for appeal in appeals:
        # the manager decides; the general manager has none above, so HR does
        assert appeal.decider_id in (managers_of(appeal.employee_id) or hr_members())
        assert timedelta(0) < appeal.decided_at - appeal.filed_at < timedelta(days=1)
        assert appeal.decided_at < CUTOFF
        assert any("\u4e00" <= ch <= "\u9fff" for ch in appeal.reason + appeal.decision_reason)
        assessment_id = db_session.scalar(select(Report.assessment_id).where(Report.id == appeal.report_id))
        versions = db_session.scalars(select(Report.version).where(Report.assessment_id == assessment_id)).all()
        # an accepted appeal re-scored the assessment and published report v2; a rejected one did not
        assert sorted(versions) == ([1, 2] if appeal.status == "accepted" else [1])
    rejected = db_session.scalars(select(Report.response).join(Appeal, Appeal.report_id == Report.id)
                                  .where(Appeal.status == "rejected")).all()
    assert set(rejected) == {"appealed"}


def test_managers_commented_and_people_replied_about_their_own_work(db_session):
    seeded_demo(today=TODAY)
    rows = db_session.execute(
        select(Comment, ProgressEntry.day, ProgressEntry.employee_id, Position.code)
        .join(ProgressEntry, ProgressEntry.id == Comment.progress_entry_id)
        .join(Assessment, Assessment.id == ProgressEntry.assessment_id)
        .join(Position, Position.id == Assessment.position_id)
        .where(ProgressEntry.day < date(2026, 11, 1))).all()
    comments = [(c, day, employee_id, position) for c, day, employee_id, position in rows if c.parent_id is None]
    replies = [(c, day, employee_id) for c, day, employee_id, _ in rows if c.parent_id is not None]
    assert len(comments) >= 100 and len(replies) >= 30
    for comment, day, employee_id, _ in comments:
        assert comment.author_id in managers_of(employee_id)
        assert utc(day.day, 19, month=day.month) <= comment.created_at < utc(day.day, 22, month=day.month)
    for reply, day, employee_id in replies:
        assert reply.author_id == employee_id and day < reply.created_at.date() + timedelta(days=1)
    # a packer hears about packing, an operator about ads and listings, a designer about 主图/详情页
    said = {position: " ".join(c.body for c, _, _, p in comments if p == position) for _, _, _, position in comments}
    assert "错发" in said["warehouse"] or "打包" in said["warehouse"]
    assert "广告" in said["ops"] or "Listing" in said["ops"]
    assert "主图" in said["designer"] or "详情页" in said["designer"]
    assert "响应" in said["cs"] or "满意度" in said["cs"]


def test_alerts_fired_on_the_history_at_their_own_time(db_session):
    seeded_demo(today=TODAY)
    fired = db_session.execute(select(AlertRule.kind, Alert.raised_at).join(Alert, Alert.rule_id == AlertRule.id)).all()
    assert len(fired) >= 10
    assert {"streak", "pace"} <= {kind for kind, _ in fired}
    # each raised by the daily run at 06:00 the morning after its day, before today
    assert all(raised < CUTOFF and raised.time() == utc(1, 6).time() for _, raised in fired)


def test_alerts_of_three_kinds_fired(db_session):
    seeded_demo(today=TODAY)
    kinds = db_session.scalars(select(AlertRule.kind).distinct().join(Alert, Alert.rule_id == AlertRule.id)).all()
    assert len(kinds) >= 3


def test_outcomes_were_decided_by_hr(db_session):
    seeded_demo(today=TODAY)
    outcomes = db_session.execute(select(Outcome, Employee.is_hr).join(Employee, Employee.id == Outcome.decider_id,
                                                                       isouter=True)).all()
    decided = Counter((o.kind, o.status) for o, _ in outcomes)
    assert all(is_hr and o.decided_at < CUTOFF and o.decider_id != o.employee_id for o, is_hr in outcomes)
    assert decided[("pay_rise", "approved")] > decided[("pay_rise", "rejected")] > 0
    assert decided[("team_lead_candidate", "approved")] > 0


def test_outcomes_of_all_three_kinds(db_session):
    seeded_demo(today=TODAY)
    assert set(db_session.scalars(select(Outcome.kind))) == {"pay_rise", "team_lead_candidate", "training"}


def test_everyone_is_bound_and_every_past_message_was_delivered_at_its_time(db_session):
    seeded_demo(today=TODAY)
    active = set(db_session.scalars(select(Employee.id).where(Employee.status == "active")))
    bound = dict(db_session.execute(select(WeChatIdentity.employee_id, WeChatIdentity.external_id)
                                    .where(WeChatIdentity.channel == "wecom")).all())
    assert set(bound) == active
    numbers = dict(db_session.execute(select(Employee.id, Employee.employee_no)).all())
    assert all(bound[e] == numbers[e] for e in active)  # their WeCom userid is their employee number
    messages = db_session.scalars(select(OutboxMessage)).all()
    assert len(messages) > 300
    # the agent who left in August lost WeCom with their last day: their August report found no channel
    left = set(db_session.scalars(select(Employee.id).where(Employee.status == "left")))
    assert len(left) == 1 and {m.status for m in messages if m.recipient_id in left} == {"unreachable"}
    messages = [m for m in messages if m.recipient_id not in left]
    assert {m.status for m in messages} == {"sent"}
    assert all(m.sent_at == m.next_attempt_at >= m.created_at and m.sent_at < CUTOFF for m in messages)
    attempts = db_session.execute(select(DeliveryAttempt.message_id, DeliveryAttempt.result, DeliveryAttempt.channel)
                                  ).all()
    kept = {m.id for m in messages}
    assert sorted(a for a in attempts if a.message_id in kept) == sorted((m.id, "ok", "wecom") for m in messages)
    # the history's own news carries its own time: entries, comments, alerts
    for column in (ProgressEntry.submitted_at, Comment.created_at, Alert.raised_at, OutboxMessage.created_at):
        assert db_session.scalar(select(func.max(column))) < CUTOFF


def test_the_first_tick_after_seeding_sends_only_what_today_calls_for(db_session, clock, redis_client):
    seeded_demo(today=TODAY)
    clock.now = utc(TODAY.day, 9)
    designer = db_session.scalar(select(Employee).join(Position, Position.id == Employee.position_id)
                                 .where(Position.code == "designer", Employee.manager_id.is_not(None))
                                 .order_by(Employee.id))
    figures = {"design_on_time_share": SubmittedFigure(Decimal(2), Decimal(2)),
               "design_revision_rounds": SubmittedFigure(Decimal(3), Decimal(2))}
    entry = submit(designer.id, TODAY, figures, actor(designer.id), "上午完成两张主图", now=clock.now)
    entry.submitted_at = clock.now  # the service stamps the real time; today is the injected clock's
    db_session.commit()
    before = db_session.scalar(select(func.max(OutboxMessage.id)))
    answers = Counter(r.response for r in past_reports(db_session))
    proposals = db_session.scalar(select(func.count()).select_from(Outcome))

    clock.now = utc(TODAY.day, 10, 5)
    done = tick.run_due(clock.now)
    assert done["confirmed"] == 0 and done["finalized"] == [] and done["closing"] is None
    assert done["targets"] == 0 or db_session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.id > before, OutboxMessage.kind == "target_push")) == 0
    assert Counter(r.response for r in past_reports(db_session)) == answers
    assert db_session.scalar(select(func.count()).select_from(Outcome)) == proposals
    new = db_session.scalars(select(OutboxMessage).where(OutboxMessage.id > before)).all()
    # nothing from the past: the 10:00 progress digests carry today's news only — the designer's entry
    # to their managers (a team is the whole subtree), and the figures the sources synced at 06:00
    # this morning (yesterday's) to the managers of synced teams; nobody hears anything else
    assert {m.kind for m in new} == {"digest"} and set(managers_of(designer.id)) <= {m.recipient_id for m in new}
    today_entries = {entry.id}
    for message in new:
        digest = db_session.scalar(select(Digest).where(Digest.message_id == message.id))
        lines = db_session.execute(select(DigestLine.progress_entry_id, DigestLine.employee_id)
                                   .where(DigestLine.digest_id == digest.id)).all()
        assert digest.kind == "progress" and lines
        assert all(e in today_entries or synced_this_morning(db_session, who) for e, who in lines)
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == "pending", OutboxMessage.id <= before)) == 0


def test_a_company_whose_month_was_scored_this_morning_is_left_for_the_clock(db_session):
    """Seeded on 3 November, October is still open: scoring it is today's work, the clock's."""
    seeded_demo(today=date(2026, 11, 3))
    statuses = dict(db_session.execute(select(Cycle.month, Cycle.status)).all())
    assert statuses == {8: "final", 9: "final", 10: "open", 11: "open"}
    assert db_session.scalar(select(func.max(OutboxMessage.created_at))) < utc(3, 0)


def synced_this_morning(session, employee: int) -> bool:
    """The person has figures a source recorded today (after local midnight: yesterday's, at 06:00)."""
    return session.scalar(select(func.count()).select_from(Observation).where(
        Observation.employee_id == employee, Observation.recorded_at >= CUTOFF,
        Observation.run_id.is_not(None))) > 0
