"""The system actor (the clock, an operator's CLI) is a party of the policy like anyone: it may do
only what the policy names it for, and it is never a person."""

from app.domain.authz import Action, Actor, Subject, allows, system_actor


def test_the_system_acts_only_where_the_policy_names_it():
    clock = system_actor("clock")
    assert {action for action in Action if allows(clock, action, Subject(7))} == {
        Action.ASSIGN_DEFAULT_PEERS, Action.ISSUE_BIND_CODE}
    assert {action for action in Action if allows(clock, action, Subject())} == {
        Action.ASSIGN_DEFAULT_PEERS, Action.ISSUE_BIND_CODE}
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
