"""The 结算待办's rules and wording: what blocks the close, who acts, by when (issue 16.1)."""

from datetime import date
from decimal import Decimal

import pytest

from app.domain.close_todo import (
    Acknowledged,
    CloseBlockers,
    OwedRatings,
    by_when,
    days_zh,
    rating_deadline,
    scoring_date,
    todo_body,
    todo_summary,
)
from app.domain.errors import DataInvalid
from app.domain.fx import entered_rate

SCORING = date(2026, 12, 3)
GAPS = CloseBlockers(2026, 11, sources={"amazon_ads": [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 9)]},
                     ratings=[OwedRatings("张经理", {"manager": 3}), OwedRatings("赵明星", {"peer": 1, "manager": 2})],
                     rates=["EUR→USD"])


def test_the_scoring_day_is_in_the_month_after_even_across_the_year():
    assert scoring_date(2026, 11, 3) == SCORING
    assert scoring_date(2026, 12, 5) == date(2027, 1, 5)


def test_by_when_is_the_scoring_day_ahead_then_since_when_the_close_waits():
    assert by_when(SCORING, date(2026, 12, 2)) == "12月3日评分日前"
    assert by_when(SCORING, SCORING).startswith("自12月3日评分日起")
    assert rating_deadline(SCORING, date(2026, 12, 1)) == "请在12月3日评分日前完成"
    assert rating_deadline(SCORING, date(2026, 12, 4)) == "自12月3日评分日起月度结算在等你的评分，请尽快完成"


def test_runs_of_days_are_shortened_and_a_new_month_is_named():
    days = [date(2026, 11, d) for d in (2, 3, 4, 5, 6, 9, 30)] + [date(2026, 12, 1)]
    assert days_zh(days) == "11月2日–6日、9日、30日–12月1日"
    assert days_zh([date(2026, 11, 9), date(2026, 12, 2)]) == "11月9日、12月2日"


def test_the_todo_names_each_blocker_who_acts_and_by_when():
    body = todo_body(GAPS, SCORING, date(2026, 12, 1))
    assert "亚马逊广告数据（Amazon Ads）：缺11月2日–3日、9日（3个工作日）" in body
    assert "管理员检查数据连接，或人事导入缺失的数据；12月3日评分日前" in body
    assert "人事可标记为未配置，结算就不再等它：flask sources unconfigure 来源 --by 工号（来源：amazon_ads）" in body
    assert "· 11月EUR→USD：flask kpi fx-rate 2026-11 EUR USD 汇率 --by 工号" in body
    assert "· 张经理：3项主管评分" in body and "· 赵明星：2项主管评分、1项同事评分" in body
    assert "flask kpi accept-gaps 2026-11 --by 工号" in body
    assert todo_summary(GAPS) == "11月结算待办：数据缺口1项、汇率1项、评分2人"


def test_once_hr_accepted_the_gaps_only_a_missing_rate_blocks():
    accepted = CloseBlockers(2026, 11, sources=GAPS.sources, ratings=GAPS.ratings,
                             acknowledged=Acknowledged("李人事", date(2026, 12, 2)))
    assert not accepted.blocking
    with_rate = CloseBlockers(2026, 11, sources=GAPS.sources, ratings=GAPS.ratings, rates=["EUR→USD"],
                              acknowledged=Acknowledged("李人事", date(2026, 12, 2)))
    body = todo_body(with_rate, SCORING, date(2026, 12, 4))
    assert with_rate.blocking and "李人事已于12月2日确认接受数据缺口" in body
    assert "张经理" not in body and "亚马逊" not in body and "自12月3日评分日起" in body
    assert todo_summary(with_rate) == "11月结算待办：汇率1项"


def test_a_rate_alone_does_not_offer_to_accept_gaps():
    body = todo_body(CloseBlockers(2026, 11, rates=["EUR→USD"]), SCORING, date(2026, 12, 1))
    assert "EUR→USD" in body and "accept-gaps" not in body and "确认接受" not in body


def test_customer_ratings_block_and_name_the_source_to_check():
    blockers = CloseBlockers(2026, 11, customer_ratings=4)
    assert blockers.blocking and "客户评分4项尚未同步" in todo_body(blockers, SCORING, date(2026, 12, 1))
    assert not CloseBlockers(2026, 11).blocking


@pytest.mark.parametrize(("month", "source", "target", "rate", "field"), [
    ("2026-13", "EUR", "USD", "1", "month"), ("2026/11", "EUR", "USD", "1", "month"),
    ("2026-11", "EU", "USD", "1", "currency"), ("2026-11", "EUR", "eur", "1", "currency"),
    ("2026-11", "EUR", "USD", "0", "rate"), ("2026-11", "EUR", "USD", "-1.2", "rate")])
def test_an_entered_rate_is_checked(month, source, target, rate, field):
    with pytest.raises(DataInvalid) as refused:
        entered_rate(month, source, target, Decimal(rate))
    assert field in refused.value.fields


def test_an_entered_rate_reads_as_the_table_keeps_it():
    fx = entered_rate("2026-1", " eur", "usd ", Decimal("1.08"))
    assert (fx.from_currency, fx.to_currency, fx.month, fx.rate) == ("EUR", "USD", "2026-01", Decimal("1.08"))
