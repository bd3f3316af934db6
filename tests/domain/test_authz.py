"""The system actor (the clock, an operator's CLI) is a party of the policy like anyone: it may do
only what the policy names it for, and it is never a person."""

from app.domain.authz import FORMER, OWN_CASE, OWN_RATING, Action, Actor, Subject, allows, refusal, system_actor


def test_the_system_acts_only_where_the_policy_names_it():
    clock = system_actor("clock")
    # a console password: how an operator gives the first admin theirs (`flask people console-password`);
    # a data import: the ERP's signed push (app/api/imports.py)
    assert {action for action in Action if allows(clock, action, Subject(7))} == {
        Action.ASSIGN_DEFAULT_PEERS, Action.ISSUE_BIND_CODE, Action.RESET_PASSWORD, Action.IMPORT_DATA}
    assert {action for action in Action if allows(clock, action, Subject())} == {
        Action.ASSIGN_DEFAULT_PEERS, Action.ISSUE_BIND_CODE, Action.RESET_PASSWORD, Action.IMPORT_DATA}
    assert (clock.person_id, clock.source) == (None, "clock")


def test_submitting_binding_codes_and_unbinding_are_in_the_policy():
    me, hr, admin, lead = Actor(1), Actor(2, is_hr=True), Actor(3, is_admin=True), Actor(4, subtree=frozenset({1}))
    assert [allows(who, Action.SUBMIT_PROGRESS, Subject(1)) for who in (me, hr, admin, lead)] == [
        True, False, False, False]
    assert [allows(who, Action.ISSUE_BIND_CODE, Subject(1)) for who in (me, hr, admin, lead)] == [
        False, True, True, False]
    assert [allows(who, Action.UNBIND_WECHAT, Subject(1)) for who in (me, hr, admin, lead)] == [
        True, True, True, False]
    assert not allows(hr, Action.ISSUE_BIND_CODE, Subject(2))  # nobody hands themselves a code


def test_a_leaver_may_only_see_and_answer_their_own_reports():
    """docs/product.md "People change": whatever flags and subtree their record still carries."""
    former = Actor(1, is_hr=True, is_admin=True, subtree=frozenset({2}), left=True)
    assert {action for action in Action if allows(former, action, Subject(1))} == {
        Action.VIEW_PROGRESS, Action.VIEW_REPORT, Action.VIEW_RATINGS, Action.CONFIRM_REPORT, Action.FILE_APPEAL,
        Action.UNBIND_WECHAT}
    for subject in (Subject(2), Subject(2, escalated=True, without_manager=True, peer_raters=frozenset({1})),
                    Subject()):
        assert {action for action in Action if allows(former, action, subject)} == set()
    assert refusal(former, Action.SUBMIT_PROGRESS, Subject(1)) == FORMER


def test_hr_rates_in_the_managers_place_only_when_nobody_above_is_active():
    hr, lead = Actor(2, is_hr=True), Actor(3, subtree=frozenset({1}))
    assert not allows(hr, Action.RATE_MANAGER, Subject(1))
    assert allows(hr, Action.RATE_MANAGER, Subject(1, without_manager=True))
    assert allows(lead, Action.RATE_MANAGER, Subject(1, without_manager=True))  # bad data: a lead still counts
    assert refusal(hr, Action.RATE_MANAGER, Subject(2, without_manager=True)) == OWN_CASE
    assert {action for action in Action if allows(hr, action, Subject(1, without_manager=True))} - {
        action for action in Action if allows(hr, action, Subject(1))} == {Action.RATE_MANAGER}


def test_who_gave_the_rating_does_not_decide_the_appeal_against_it():
    lead, boss = Actor(3, subtree=frozenset({1})), Actor(4, subtree=frozenset({1, 3}))
    hr_rater = Actor(2, is_hr=True)  # rated in the manager's place
    against = Subject(1, rated_by=frozenset({3, 2}))
    assert refusal(lead, Action.DECIDE_APPEAL, against) == OWN_RATING
    assert allows(boss, Action.DECIDE_APPEAL, against)
    assert refusal(hr_rater, Action.DECIDE_APPEAL, Subject(1, escalated=True, rated_by=frozenset({2}))) == OWN_RATING
    assert allows(lead, Action.DECIDE_APPEAL, Subject(1)) and allows(lead, Action.VIEW_REPORT, against)


def test_only_another_admin_resets_a_console_password():
    admin, other_admin, hr = Actor(3, is_admin=True), Actor(5, is_admin=True), Actor(2, is_hr=True)
    assert allows(other_admin, Action.RESET_PASSWORD, Subject(3))
    assert not allows(admin, Action.RESET_PASSWORD, Subject(3))  # their own: 修改密码, knowing the old one
    assert not allows(hr, Action.RESET_PASSWORD, Subject(3))
    assert "修改密码" in refusal(admin, Action.RESET_PASSWORD, Subject(3))
