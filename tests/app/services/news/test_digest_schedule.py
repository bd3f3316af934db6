"""When digests go out (slots on the manager's calendar, once each), and how the bot resolves "点评 N"."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.domain.workcalendar import WorkCalendar
from app.errors import ApiError
from app.models import Digest, DigestLine, OutboxMessage, ProgressEntry, WeChatIdentity
from app.services.news import digest
from tests.support.clock import utc
from tests.support.outbox import TEMPLATE, tick
from tests.support.people import lead

OFFICE = WorkCalendar()
WAREHOUSE = WorkCalendar(rest_weekdays=frozenset({7}))


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute)


def test_progress_slots_are_1000_and_1800_on_working_days():
    assert digest.due_slots(local(26, 9, 29), OFFICE) == [("weekly", local(23, 9))]
    assert not any(kind == "progress" for kind, _ in digest.due_slots(local(26, 9, 59), OFFICE))
    assert ("progress", local(26, 10)) in digest.due_slots(local(26, 10), OFFICE)
    assert ("progress", local(26, 18)) in digest.due_slots(local(26, 20), OFFICE)
    assert ("alerts", local(26, 9, 30)) in digest.due_slots(local(26, 9, 30), OFFICE)


def test_nothing_is_due_on_a_rest_day_except_for_a_team_working_saturdays():
    assert digest.due_slots(local(28, 18), OFFICE) == []
    assert ("progress", local(28, 18)) in digest.due_slots(local(28, 18), WAREHOUSE)


def test_the_monday_digest_moves_to_the_first_working_day_of_the_week():
    holiday_monday = WorkCalendar(holidays=frozenset({date(2026, 11, 23)}))
    assert ("weekly", local(24, 9)) in digest.due_slots(local(24, 9), holiday_monday)
    assert not any(kind == "weekly" for kind, _ in digest.due_slots(local(23, 12), holiday_monday))


def test_last_week_is_monday_to_sunday_before_this_one():
    assert digest.last_week(date(2026, 11, 26)) == (date(2026, 11, 16), date(2026, 11, 22))


def messages(session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxMessage))


def test_each_slot_is_composed_once_however_often_the_clock_asks(demo):
    sent = digest.send_due_digests(utc(26, 18, 5))
    # The general manager, the five department heads and the HR head (their team is assessed as 人事行政)
    assert sent == {"progress": 7, "weekly": 7}
    count = messages(demo)
    assert digest.send_due_digests(utc(26, 18, 6)) == {}
    assert messages(demo) == count
    slots = demo.execute(select(Digest.kind, func.count()).group_by(Digest.kind)).all()
    assert dict(slots) == {"progress": 7, "weekly": 7, "alerts": 7}  # empty ones mark their slot done


def test_consecutive_digests_neither_repeat_nor_drop_an_entry(demo):
    cs = lead(demo, "cs")
    entries = demo.scalars(select(ProgressEntry).where(ProgressEntry.day == date(2026, 11, 26))).all()
    for n, entry in enumerate(entries):  # half submitted in the morning, half in the afternoon
        entry.submitted_at = utc(26, 9, 55) if n % 2 else utc(26, 10, 1)
    demo.commit()
    morning = digest.compose(cs.id, digest.PROGRESS, utc(26, 10), utc(26, 10))
    evening = digest.compose(cs.id, digest.PROGRESS, utc(26, 18), utc(26, 18))
    first, second = (set(demo.scalars(select(DigestLine.progress_entry_id).where(DigestLine.digest_id == d.id)))
                     for d in (morning, evening))
    assert first and second and not first & second
    team = digest.team_news.team_of(cs.id)
    window = demo.scalars(select(ProgressEntry.id).where(
        ProgressEntry.employee_id.in_(list(team)), ProgressEntry.submitted_at > utc(25, 10),  # 24 h before the first
        ProgressEntry.submitted_at <= utc(26, 18))).all()
    # every entry of the window is in exactly one digest: listed, or counted in its 另有N条未列出
    unlisted = sum(int(found.group(1)) for d in (morning, evening)
                   if (found := re.search(r"另有(\d+)条未列出", demo.get(OutboxMessage, d.message_id).body)))
    assert first | second <= set(window) and len(first) + len(second) + unlisted == len(window)


def test_the_bot_resolves_a_number_against_the_latest_digest_the_manager_received(clock, demo, redis_client, standin):
    cs = lead(demo, "cs")
    demo.add(WeChatIdentity(employee_id=cs.id, channel="oa", external_id="o-cs-lead"))
    demo.commit()
    with pytest.raises(ApiError) as none_yet:
        digest.resolve_line(cs.id, 1)
    assert none_yet.value.message == "还没有收到过团队摘要，暂时无法按编号点评"

    clock.now = utc(26, 18)
    first = digest.compose(cs.id, digest.PROGRESS, utc(26, 18), clock.now)
    tick(clock, redis_client)
    assert standin.requests(TEMPLATE)[0]["json"]["touser"] == "o-cs-lead"
    line = digest.resolve_line(cs.id, 2)
    assert line.digest_id == first.id and line.progress_entry_id is not None
    with pytest.raises(ApiError) as missing:
        digest.resolve_line(cs.id, 99)
    assert missing.value.message == f"没有编号 99，最近一次摘要只有 1–{first.line_count} 条"

    # A later digest still held by quiet hours is not what the manager is replying to.
    clock.now = utc(26, 21, 30)
    digest.compose(cs.id, digest.ALERTS, utc(26, 21, 30), clock.now)
    demo.add(ProgressEntry(employee_id=line.employee_id, assessment_id=demo.get(ProgressEntry, line.progress_entry_id)
                           .assessment_id, day=date(2026, 11, 27), submitted_at=utc(26, 21)))
    demo.commit()
    held = digest.compose(cs.id, digest.PROGRESS, utc(26, 21, 30), clock.now)
    assert held.line_count == 1
    assert tick(clock, redis_client) == 0
    assert demo.get(OutboxMessage, held.message_id).next_attempt_at == utc(27, 8)
    assert digest.resolve_line(cs.id, 2).digest_id == first.id
    with pytest.raises(ApiError):
        digest.resolve_line(cs.id, 13)
