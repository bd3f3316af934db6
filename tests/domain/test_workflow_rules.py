"""The workflow's pure rules: the authorisation policy, rating and claim values, default peers."""

from decimal import Decimal

import pytest

from app.domain.authz import (
    DECISIONS,
    OWN_CASE,
    POLICY,
    Action,
    Actor,
    Relation,
    Subject,
    allows,
    refusal,
    relations,
)
from app.domain.indicators import Display, Kind
from app.domain.workflow import (
    Colleague,
    claim_problem,
    outcome_still_fits,
    pick_peers,
    rating_problem,
)

LEAD = Actor(10, subtree=frozenset({11, 12, 13}))
HR = Actor(20, is_hr=True)
ADMIN = Actor(30, is_admin=True)


def test_every_action_has_a_rule_and_a_message():
    assert set(POLICY) == set(Action)
    assert all(refusal(Actor(99), action, Subject(1)) for action in Action)


def test_nobody_decides_their_own_case_whatever_their_flags():
    # even with bad data putting them in their own subtree
    me = Actor(11, is_hr=True, is_admin=True, subtree=frozenset({11}))
    for action in DECISIONS:
        assert refusal(me, action, Subject(11, escalated=True, peer_raters=frozenset({11}))) == OWN_CASE


def test_relations_follow_the_reporting_subtree_and_flags():
    assert relations(LEAD, Subject(12)) == {Relation.MANAGER, Relation.MANAGER_BEFORE_ESCALATION}
    assert relations(LEAD, Subject(12, escalated=True)) == {Relation.MANAGER}
    assert relations(LEAD, Subject(40)) == frozenset()
    assert relations(HR, Subject(12, escalated=True)) == {Relation.HR, Relation.HR_AFTER_ESCALATION}
    assert relations(ADMIN, Subject(12)) == {Relation.ADMIN, Relation.ANOTHER_ADMIN}
    assert relations(ADMIN, Subject(ADMIN.employee_id)) == {Relation.ADMIN, Relation.SELF}


@pytest.mark.parametrize("who,action,subject,allowed", [
    (LEAD, Action.DECIDE_APPEAL, Subject(12), True),
    (LEAD, Action.DECIDE_APPEAL, Subject(12, escalated=True), False),
    (HR, Action.DECIDE_APPEAL, Subject(12), False),
    (HR, Action.DECIDE_APPEAL, Subject(12, escalated=True), True),
    (ADMIN, Action.VIEW_REPORT, Subject(12), False),
    (ADMIN, Action.VIEW_PROGRESS, Subject(30), True),  # their own, like anyone
    (ADMIN, Action.MANAGE_CONNECTORS, Subject(), True),
    (HR, Action.MANAGE_CONNECTORS, Subject(), False),
    (ADMIN, Action.RUN_JOBS, Subject(), True),
    (HR, Action.RUN_JOBS, Subject(), False),
    (Actor(13), Action.RATE_PEER, Subject(12, peer_raters=frozenset({13})), True),
    (LEAD, Action.RATE_PEER, Subject(12, peer_raters=frozenset({14})), False),
    (HR, Action.VIEW_RATERS, Subject(12), True),
    (LEAD, Action.VIEW_RATERS, Subject(12), False),
])
def test_policy_examples(who, action, subject, allowed):
    assert allows(who, action, subject) is allowed


@pytest.mark.parametrize("value,ok", [("1", True), ("5", True), ("4.5", True), ("0.9", False), ("5.1", False),
                                      ("3.25", False), ("NaN", False)])
def test_rating_values(value, ok):
    assert (rating_problem(Decimal(value)) is None) is ok


@pytest.mark.parametrize("kind,display,value,ok", [
    (Kind.QUANTITATIVE, Display.PERCENT, "0.05", True), (Kind.QUANTITATIVE, Display.PERCENT, "5", False),
    (Kind.QUANTITATIVE, Display.MONEY, "120000", True), (Kind.QUANTITATIVE, Display.RATIO, "-1", False),
    (Kind.QUALITATIVE, Display.RATING, "5", True), (Kind.QUALITATIVE, Display.RATING, "6", False),
])
def test_claimed_values(kind, display, value, ok):
    assert (claim_problem(kind, display, Decimal(value)) is None) is ok


def test_default_peers_prefer_the_same_position_and_manager_and_are_deterministic():
    me = Colleague(1, position_id=7, manager_id=50)
    team = [Colleague(i, 7, 50) for i in range(2, 6)] + [Colleague(6, 8, 51), Colleague(50, 7, 60)]
    picked = pick_peers(100, me, team, excluded={50})
    assert len(picked) == 2 and set(picked) <= {2, 3, 4, 5}
    assert pick_peers(100, me, list(reversed(team)), excluded={50}) == picked
    spread = {tuple(pick_peers(a, me, team, excluded={50})) for a in range(100, 130)}
    assert len(spread) > 1  # not always the same two people
    assert pick_peers(1, me, [Colleague(6, 8, 51), Colleague(50, 7, 60)], excluded={50}) == [6]


def test_a_changed_grade_keeps_only_the_outcomes_it_supports():
    assert outcome_still_fits("pay_rise", "excellent") and not outcome_still_fits("pay_rise", "good")
    assert outcome_still_fits("training", "fail") and not outcome_still_fits("training", "excellent")


def test_the_acting_manager_is_the_nearest_one_up_the_line_still_here():
    from app.domain.workflow import acting_manager

    line = {1: None, 2: 1, 3: 2, 4: 3, 8: 9, 9: 8}  # 8 and 9 loop (bad data)
    assert acting_manager(4, line, {1, 2, 3, 4}) == 3
    assert acting_manager(4, line, {1, 2, 4}) == 2  # the lead left: the next one up
    assert acting_manager(4, line, {4}) is None  # nobody above is here: HR rates
    assert acting_manager(1, line, {1, 2}) is None  # the top has nobody above
    assert acting_manager(8, line, {8}) is None
