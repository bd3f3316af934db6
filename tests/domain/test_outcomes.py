"""Outcomes: a raise for 优秀 at most once a quarter, team lead after three 优秀 in a row, training for 不合格."""

from app.domain.outcomes import GradeOfMonth, OutcomeKind, propose, quarter_of


def kinds(history, raises=0):
    return [p.kind for p in propose([GradeOfMonth(m, g) for m, g in history], "运营", raises)]


def test_excellent_proposes_a_raise_with_its_reason():
    (proposal,) = propose([GradeOfMonth("2026-10", "excellent")], "运营", 0)
    assert proposal.kind is OutcomeKind.PAY_RISE
    assert proposal.reason_zh == "2026年10月考核优秀，建议加薪10%"


def test_a_second_raise_in_the_same_quarter_is_not_proposed():
    assert kinds([("2026-11", "excellent")], raises=1) == []


def test_three_excellent_months_in_a_row_make_a_team_lead_candidate():
    history = [("2026-08", "excellent"), ("2026-09", "excellent"), ("2026-10", "excellent")]
    assert kinds(history, raises=1) == [OutcomeKind.TEAM_LEAD_CANDIDATE]


def test_a_gap_or_a_lesser_month_breaks_the_streak():
    assert kinds([("2026-07", "excellent"), ("2026-09", "excellent"), ("2026-10", "excellent")], raises=1) == []
    assert kinds([("2026-08", "excellent"), ("2026-09", "good"), ("2026-10", "excellent")], raises=1) == []
    assert kinds([("2025-12", "excellent"), ("2026-01", "excellent"), ("2026-02", "excellent")], raises=1) == [
        OutcomeKind.TEAM_LEAD_CANDIDATE
    ]


def test_fail_means_training_for_the_position():
    (proposal,) = propose([GradeOfMonth("2026-10", "fail")], "仓储", 0)
    assert proposal.kind is OutcomeKind.TRAINING and "「仓储」岗位培训" in proposal.reason_zh


def test_good_and_pass_lead_to_nothing():
    assert kinds([("2026-10", "good")]) == [] and kinds([("2026-10", "pass")]) == []


def test_quarters():
    assert [quarter_of(m) for m in ("2026-01", "2026-03", "2026-04", "2026-12")] == \
        [(2026, 1), (2026, 1), (2026, 2), (2026, 4)]


def test_a_streak_going_on_is_not_proposed_again():
    history = [("2026-08", "excellent"), ("2026-09", "excellent"), ("2026-10", "excellent"), ("2026-11", "excellent")]
    assert kinds(history, raises=1) == []


def test_someone_who_already_leads_is_not_a_team_lead_candidate():
    history = [GradeOfMonth(m, "excellent") for m in ("2026-08", "2026-09", "2026-10")]
    assert propose(history, "部门主管", 1, leads_already=True) == []
