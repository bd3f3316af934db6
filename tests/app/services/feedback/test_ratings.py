"""Ratings: managers rate their people, assigned peers rate anonymously, customer ratings arrive
idempotently from a source, and the month-end prompts ask each rater once a day."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.errors import ApiError
from app.models import (
    Assessment,
    AuditLog,
    Cycle,
    Employee,
    OutboxMessage,
    PeerRater,
    Rating,
)
from app.services.authz import managers_of, system
from app.services.cycle import lifecycle, review, targets
from app.services.feedback import comments, peers, rating_prompts, ratings
from app.services.scoring import progress, reading, reports, runs
from tests.support.checksums import fingerprint
from tests.support.clock import local
from tests.support.people import NOV_NOW, actor, assessment_of, item_of, report_of


def november(session) -> int:
    return session.scalar(select(Cycle.id).where(Cycle.year == 2026, Cycle.month == 11))


def walk(value, path="$"):
    """Every (path, key or text) of a JSON-like output."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield f"{path}.{key}", str(key)
            yield from walk(inner, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for i, inner in enumerate(value):
            yield from walk(inner, f"{path}[{i}]")
    elif value is not None:
        yield path, str(value)


def test_the_rated_person_never_learns_who_rated_what(db_session, cast):
    person, lead = cast.member("warehouse", 0), cast.teams["warehouse"].lead
    assessment = assessment_of(person, 11)
    # every warehouse assessment (the only template with a peer-rated item): 9 packers, one joined on
    # the 10th (their head is assessed as 部门主管)
    assert peers.assign_default_peers(november(db_session))["assigned"] == 9
    raters = [p["employee_id"] for p in peers.peer_raters(assessment.id, actor(cast.hr))]
    item = item_of(assessment, "wh_team_cooperation")
    ratings.rate_item(item.id, "2", actor(raters[0]), "甲的私下评语", now=NOV_NOW)
    ratings.rate_item(item.id, "5", actor(raters[1]), "乙的私下评语", now=NOV_NOW)
    ratings.rate_item(item_of(assessment, "wh_responsibility").id, "4", actor(lead), "加班到位", now=NOV_NOW)
    comment = comments.add_comment(actor(lead), "本月配合很好", assessment_id=assessment.id, now=NOV_NOW)
    comments.add_comment(actor(person), "谢谢主管", parent_id=comment.id, now=NOV_NOW)
    progress.recompute(assessment.id, date(2026, 11, 26))
    me = actor(person)

    about_me = {
        "progress": reading.view_progress(assessment.id, me),
        "targets": targets.targets_view(assessment.id, me),
        "ratings": ratings.ratings_view(assessment.id, me),
        "comments": comments.list_comments(me, assessment_id=assessment.id),
    }
    # what the person is asked to rate names the colleagues *they* rate, so it is checked apart
    my_tasks = {"tasks": rating_prompts.my_rating_tasks(november(db_session), me)}
    rating_prompts.prompt_missing_ratings(november(db_session), NOV_NOW)
    runs.score_cycle(november(db_session), reason="11月评分")
    review.publish(november(db_session), hr_id=cast.hr)
    about_me["report"] = reports.view_report(report_of(person, 11).id, me, now=NOV_NOW)
    for m in db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id == person)):
        bucket = my_tasks if m.dedupe_key.startswith("rating-prompt:") else about_me
        bucket[f"message {m.id}"] = [m.title, m.summary, m.body, m.data]

    rater_rows = db_session.execute(select(Employee.id, Employee.name, Employee.employee_no)
                                    .where(Employee.id.in_(raters))).all()
    who_rated = {r.name for r in rater_rows} | {r.employee_no for r in rater_rows}
    said = {"甲的私下评语", "乙的私下评语"}
    seen = list(walk(about_me))
    assert len(seen) > 200 and any("谢谢主管" in t for _, t in seen)  # the walk really read the outputs
    assert not [(p, t) for p, t in seen if any(s in t for s in who_rated | said)]
    assert not [p for p, t in seen if t in ("rater_id", "rater_ref", "rater")]
    assert not [(p, t) for p, t in walk(my_tasks) if any(s in t for s in said) or t in ("rater_id", "rater_ref")]
    assert all(task["employee_id"] != person for task in my_tasks["tasks"])
    peer_view = next(i for i in about_me["ratings"] if i["indicator"] == "wh_team_cooperation")
    assert peer_view == {"indicator": "wh_team_cooperation", "name": peer_view["name"], "rater_kind": "peer",
                         "rater_label": "同事", "count": 2, "mean": "3.5"}
    report_item = next(r for r in about_me["report"]["body"]["items"] if r["indicator"] == "wh_team_cooperation")
    assert report_item["actual"] == "3.5" and report_item["data"] == {"from": "ratings", "ratings": 2}
    with pytest.raises(ApiError) as who_rated:
        peers.peer_raters(assessment.id, me)
    assert who_rated.value.status == 403
    # HR sees who rated what: the data the rated person is spared is really there
    hr_view = next(i for i in ratings.ratings_view(assessment.id, actor(cast.hr))
                   if i["indicator"] == "wh_team_cooperation")
    assert sorted((r["rater_id"], r["value"]) for r in hr_view["ratings"]) == \
        sorted([(raters[0], "2"), (raters[1], "5")])
    manager_view = next(i for i in ratings.ratings_view(assessment.id, actor(lead))
                        if i["indicator"] == "wh_team_cooperation")
    assert "ratings" not in manager_view and "甲的私下评语" not in json.dumps(manager_view, ensure_ascii=False)


def test_default_peers_are_two_department_colleagues_never_the_manager(db_session, cast):
    person = cast.member("warehouse", 1)
    assessment = assessment_of(person, 11)
    chosen = peers.choose_peers(assessment.id, system("clock"), now=NOV_NOW)
    department = db_session.get(Employee, person).department_id
    assert len(chosen) == 2 and person not in chosen and not set(chosen) & set(managers_of(person))
    assert {db_session.get(Employee, e).department_id for e in chosen} == {department}
    assert peers.choose_peers(assessment.id, actor(cast.hr), now=NOV_NOW) == chosen  # deterministic
    assert peers.choose_peers(assessment.id, system("clock"), now=NOV_NOW) == chosen  # the system never overrides


def test_the_clock_picks_default_peers_as_the_system_and_never_replaces_them(db_session, cast):
    assessment = assessment_of(cast.member("warehouse", 4), 11)
    chosen = peers.choose_peers(assessment.id, system("clock"), now=NOV_NOW)
    audit = db_session.scalars(select(AuditLog).where(AuditLog.action == "peers.choose")).all()[-1]
    assert (audit.actor_id, audit.source, audit.after["raters"]) == (None, "clock", chosen)
    others = [m for m in cast.teams["warehouse"].members if m not in chosen and m != assessment.employee_id]
    before = fingerprint(db_session)
    with pytest.raises(ApiError) as refused:
        peers.choose_peers(assessment.id, system("clock"), others[:2], now=NOV_NOW)
    assert refused.value.status == 403
    assert fingerprint(db_session) == before


def test_hr_cannot_pick_invalid_peers(db_session, cast):
    person, lead = cast.member("warehouse", 2), cast.teams["warehouse"].lead
    assessment = assessment_of(person, 11)
    before = peers.choose_peers(assessment.id, system("clock"), now=NOV_NOW)
    colleague = next(m for m in cast.teams["warehouse"].members if m not in before and m != person)
    cases = {"manager": ([lead, colleague], "peers_invalid"), "self": ([person, colleague], "peers_invalid"),
             "duplicate": ([colleague, colleague], "peers_invalid"), "one": ([colleague], "not_enough_peers"),
             "other_department": ([cast.member("ops", 0), colleague], "peers_invalid")}
    for case, (ids, code) in cases.items():
        with pytest.raises(ApiError) as refused:
            peers.choose_peers(assessment.id, actor(cast.hr), ids, now=NOV_NOW)
        assert (refused.value.code, refused.value.status) == (code, 422), case
    chosen = db_session.scalars(select(PeerRater.rater_id).where(PeerRater.assessment_id == assessment.id))
    assert sorted(chosen) == before


def test_hr_replacing_a_peer_drops_their_rating(db_session, cast):
    person = cast.member("warehouse", 3)
    assessment = assessment_of(person, 11)
    first, second = peers.choose_peers(assessment.id, system("clock"), now=NOV_NOW)
    item = item_of(assessment, "wh_team_cooperation")
    ratings.rate_item(item.id, "3", actor(first), now=NOV_NOW)
    ratings.rate_item(item.id, "4", actor(second), now=NOV_NOW)
    newcomer = next(m for m in cast.teams["warehouse"].members if m not in (person, first, second))
    chosen = peers.choose_peers(assessment.id, actor(cast.hr), [second, newcomer], now=NOV_NOW)
    assert chosen == sorted([second, newcomer])
    assert db_session.scalars(select(Rating.rater_id).where(Rating.assessment_item_id == item.id)).all() == [second]
    audit = db_session.scalars(select(AuditLog).where(AuditLog.action == "peers.choose")).all()[-1]
    assert audit.actor_id == cast.hr and audit.after["ratings_removed"] == 1
    with pytest.raises(ApiError) as removed:
        ratings.rate_item(item.id, "5", actor(first), now=NOV_NOW)
    assert removed.value.status == 403


def test_a_manager_rating_is_one_figure_replaced_with_an_audit(db_session, cast):
    person, lead = cast.member("ops", 0), cast.teams["ops"].lead
    item = item_of(assessment_of(person, 11), "ops_innovation")
    ratings.rate_item(item.id, "3", actor(lead), now=NOV_NOW)
    ratings.rate_item(item.id, "4.5", actor(lead), "方案质量高", now=NOV_NOW)
    rows = db_session.scalars(select(Rating).where(Rating.assessment_item_id == item.id)).all()
    assert [(r.rater_kind, r.value, r.comment) for r in rows] == [("manager", Decimal("4.5"), "方案质量高")]
    audits = db_session.scalars(select(AuditLog).where(AuditLog.action == "rating.set")).all()
    assert [(a.before and a.before["value"], a.after["value"]) for a in audits] == [(None, "3"), ("3", "4.5")]


def test_rating_values_are_checked(db_session, cast):
    item = item_of(assessment_of(cast.member("ops", 1), 11), "ops_teamwork")
    for value in ("0", "5.5", "4.25", "abc", 4.5):  # a float is refused too: ratings are exact decimals
        with pytest.raises(ApiError) as refused:
            ratings.rate_item(item.id, value, actor(cast.teams["ops"].lead), now=NOV_NOW)
        assert refused.value.code == "invalid_input" and "value" in refused.value.fields, value
    assert db_session.scalar(select(func.count()).select_from(Rating).where(Rating.assessment_item_id == item.id)) == 0


def test_ratings_close_with_the_month_and_customer_items_come_from_a_source(db_session, cast):
    lead = cast.teams["ops"].lead
    with pytest.raises(ApiError) as closed:
        october_item = item_of(assessment_of(cast.member("ops", 1), 10), "ops_teamwork")
        ratings.rate_item(october_item.id, "4", actor(lead), now=NOV_NOW)
    assert closed.value.code == "ratings_closed"
    lifecycle.draft_cycle(2026, 12)
    with pytest.raises(ApiError) as not_yet:  # December is drafted from the 25th: nothing to rate yet
        ratings.rate_item(item_of(assessment_of(cast.member("ops", 1), 12), "ops_teamwork").id, "4", actor(lead),
                          now=NOV_NOW)
    assert not_yet.value.code == "ratings_not_open" and "尚未开始" in not_yet.value.message
    cs_item = item_of(assessment_of(cast.member("cs", 0), 11), "cs_service_attitude")
    with pytest.raises(ApiError) as by_hand:
        ratings.rate_item(cs_item.id, "5", actor(cast.teams["cs"].lead), now=NOV_NOW)
    assert by_hand.value.code == "customer_rated"


def test_customer_ratings_are_idempotent_by_source_reference(db_session, cast):
    item = item_of(assessment_of(cast.member("cs", 1), 11), "cs_service_attitude")
    first, created = ratings.record_customer_rating(item.id, "5", "zendesk:9001", now=NOV_NOW)
    again, created_again = ratings.record_customer_rating(item.id, "5", "zendesk:9001", now=NOV_NOW)
    assert created and not created_again and again.id == first.id
    restated, _ = ratings.record_customer_rating(item.id, "4", "zendesk:9001", now=NOV_NOW)
    assert restated.id == first.id and restated.value == Decimal(4)
    ratings.record_customer_rating(item.id, "3", "zendesk:9002", now=NOV_NOW)
    values = db_session.scalars(select(Rating.value).where(Rating.assessment_item_id == item.id)
                                .order_by(Rating.id)).all()
    assert values == [Decimal(4), Decimal(3)]
    restated_audits = select(func.count()).select_from(AuditLog).where(AuditLog.action == "rating.restated")
    assert db_session.scalar(restated_audits) == 1
    with pytest.raises(ApiError) as wrong_item:
        ratings.record_customer_rating(item_of(assessment_of(cast.member("cs", 1), 11), "cs_product_knowledge").id,
                                       "5", "zendesk:9003", now=NOV_NOW)
    assert wrong_item.value.code == "not_customer_rated"


def test_month_end_prompts_ask_each_rater_once_a_day_until_done(db_session, cast):
    cycle = november(db_session)
    peers.assign_default_peers(cycle)
    missing = rating_prompts.missing_ratings(cycle)
    ops_lead, wh_lead = cast.teams["ops"].lead, cast.teams["warehouse"].lead
    ops_people = db_session.scalar(select(func.count()).select_from(Employee).where(Employee.manager_id == ops_lead,
                                                                                 Employee.position_id.is_not(None)))
    assert len(missing[ops_lead]) == 2 * ops_people  # teamwork and innovation for each direct report
    peer_raters = set(db_session.scalars(select(PeerRater.rater_id).join(Assessment)
                                         .where(Assessment.cycle_id == cycle)))
    assert peer_raters <= set(missing) and {t.rater_kind for t in missing[next(iter(peer_raters))]} >= {"peer"}
    day_one = local(1, 10, month=12)
    sent = rating_prompts.prompt_missing_ratings(cycle, day_one)
    assert sent == len(missing)
    assert rating_prompts.prompt_missing_ratings(cycle, day_one + timedelta(hours=1)) == 0
    prompt = db_session.scalar(select(OutboxMessage).where(OutboxMessage.recipient_id == ops_lead))
    assert prompt.kind == "reminder" and prompt.audience == "manager" and "团队协作、创新建议" in prompt.body
    for task in missing[wh_lead]:
        ratings.rate_item(task.assessment_item_id, "4", actor(wh_lead), now=NOV_NOW)
    assert wh_lead not in rating_prompts.missing_ratings(cycle)
    day_two = local(2, 10, month=12)
    assert rating_prompts.prompt_missing_ratings(cycle, day_two) == len(missing) - 1
