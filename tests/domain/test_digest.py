"""The digest composer: docs/product.md's sketch reproduced (each progress line dated), numbering handed
back, long digests cut."""

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from app.domain.digest import (
    MAX_TEXT_BYTES,
    REPLY_HINT,
    AlertNews,
    Member,
    MissedTarget,
    ProgressNews,
    WeekNews,
    alert_summary,
    day_figure,
    progress_digest,
    weekly_digest,
)
from app.domain.exact import Ratio
from app.domain.indicators import Aggregation, Direction, Display, Indicator, Kind
from app.domain.scoring import ScoringItem

SKETCH = """【团队进展】11月12日 18:00
1. 张三（运营）11月12日：新品转化率 4.2%（目标5%），截图2张
2. 李四（客服）11月12日：30秒响应率 88%（目标90%）⚠ 连续3天低于目标
回复“点评 1 内容”点评，“待办”查看待处理"""

CONVERSION = MissedTarget("新品转化率", Fraction(42, 1000), Fraction(5, 100), Display.PERCENT)
REPLY_30S = MissedTarget("30秒响应率", Fraction(88, 100), Fraction(9, 10), Display.PERCENT)


def rate(code: str, name: str, direction: Direction = Direction.HIGHER, cumulative: bool = False) -> Indicator:
    aggregation = Aggregation.SUM if cumulative else Aggregation.RATIO
    return Indicator(code, name, Kind.QUANTITATIVE, direction, aggregation, Display.PERCENT, cumulative=cumulative)


def test_the_design_sketch_is_reproduced_exactly():
    news = [
        ProgressNews(Member("张三", "运营"), date(2026, 11, 12), (CONVERSION,), 1, 2, ref="e1"),
        ProgressNews(Member("李四", "客服"), date(2026, 11, 12), (REPLY_30S,), 1, 0, ("连续3天低于目标",), ref="e2"),
    ]
    composed = progress_digest(datetime(2026, 11, 12, 18, 0), news)
    assert composed.text == SKETCH
    assert composed.numbered == ((1, "e1"), (2, "e2"))
    assert composed.title == "团队进展"
    assert composed.summary == "2条进展，2条需关注"


def test_a_day_that_met_every_target_says_so_and_one_without_figures_says_submitted():
    met = ProgressNews(Member("王五", "仓储"), date(2026, 11, 12), (), 2, 1)
    bare = ProgressNews(Member("赵六", "美工"), date(2026, 11, 12), (), 0, 0)
    text = progress_digest(datetime(2026, 11, 12, 10, 0), [met, bare]).text
    assert "1. 王五（仓储）11月12日：各项达标，截图1张\n2. 赵六（美工）11月12日：已提交进展\n" in text


def test_a_day_whose_screenshots_do_not_show_its_figures_is_marked_and_needs_attention():
    unseen = ProgressNews(Member("王五", "仓储"), date(2026, 11, 12), (), 2, 2, figure_not_seen=True)
    composed = progress_digest(datetime(2026, 11, 12, 10, 0), [unseen])
    assert "1. 王五（仓储）11月12日：各项达标，截图2张（截图未见填报数字）\n" in composed.text
    assert unseen.needs_attention and composed.summary == "1条进展，1条需关注"


def test_a_missed_rate_is_direction_aware_and_cumulative_items_are_not_judged_per_day():
    misship = rate("wh_misship_rate", "错发率", Direction.LOWER)
    item = ScoringItem("wh_misship_rate", Decimal(30), Decimal("0.001"), Direction.LOWER, Decimal(1))
    assert day_figure(misship, item, Ratio(Decimal(1), Decimal(2000))) == (True, None)  # 0.05 % ≤ 0.1 %
    compared, figure = day_figure(misship, item, Ratio(Decimal(1), Decimal(500)))  # 0.2 %
    assert compared and figure.text() == "错发率 0.2%（目标0.1%）"
    sales = rate("ops_sales", "月度销售额", cumulative=True)
    sales_item = ScoringItem("ops_sales", Decimal(30), Decimal(100000), cumulative=True)
    assert day_figure(sales, sales_item, Ratio(Decimal(10))) == (False, None)
    assert day_figure(misship, item, None) == (False, None)
    assert day_figure(misship, item, Ratio(Decimal(0), Decimal(0))) == (False, None)  # nothing shipped


def test_the_monday_digest_line_has_submissions_projection_and_items_behind():
    news = [
        WeekNews(Member("张三", "运营"), 4, 5, Decimal("86.4"), "优秀", ("新品转化率",), ref="a1"),
        WeekNews(Member("李四", "客服"), 5, 5, Decimal("80.0"), "良好", ref="a2"),
        WeekNews(Member("王五", "仓储"), 6, 6, ref="a3"),
    ]
    composed = weekly_digest(date(2026, 11, 16), date(2026, 11, 22), news)
    assert composed.text == "\n".join([
        "【上周反馈】11月16日–11月22日",
        "1. 张三（运营）提交4/5天，预计86.4分（优秀），未达标：新品转化率",
        "2. 李四（客服）提交5/5天，预计80分（良好）",
        "3. 王五（仓储）提交6/6天",
        REPLY_HINT,
    ])
    assert composed.summary == "3人上周反馈，1人需关注"


def test_an_alert_summary_lists_alerts_with_and_without_a_person():
    news = [AlertNews(Member("李四", "客服"), "连续3天平均响应时间超过30秒", ref=7),
            AlertNews(None, "批次B12错发率0.3%")]
    composed = alert_summary(datetime(2026, 11, 13, 9, 30), news)
    assert composed.text.splitlines()[:3] == [
        "【预警汇总】11月13日 09:30", "1. 李四（客服）连续3天平均响应时间超过30秒", "2. 批次B12错发率0.3%",
    ]
    assert composed.numbered == ((1, 7), (2, None))
    assert composed.summary == "2条预警"


def test_a_digest_too_long_for_one_chat_message_keeps_what_needs_attention_and_says_how_many_are_left():
    quiet = [ProgressNews(Member(f"员工{i:02d}", "客服"), date(2026, 11, 12), (), 3, 1, ref=i) for i in range(60)]
    loud = ProgressNews(Member("李四", "客服"), date(2026, 11, 12), (REPLY_30S,), 1, 0, ("连续3天低于目标",),
                        ref="loud")
    news = quiet[:50] + [loud] + quiet[50:]
    composed = progress_digest(datetime(2026, 11, 12, 18, 0), news)
    assert len(composed.text.encode()) <= MAX_TEXT_BYTES
    assert composed.omitted > 0
    assert len(composed.numbered) + composed.omitted == len(news)
    assert "loud" in [ref for _, ref in composed.numbered]
    assert f"……另有{composed.omitted}条未列出，请在小程序「团队」查看" in composed.text
    assert [n for n, _ in composed.numbered] == list(range(1, len(composed.numbered) + 1))
    assert composed.text.endswith(REPLY_HINT)


def test_an_empty_digest_has_no_numbered_lines():
    composed = progress_digest(datetime(2026, 11, 12, 18, 0), [])
    assert composed.numbered == () and composed.summary == "0条进展"


def test_each_progress_line_says_which_day_it_is_about():
    late = ProgressNews(Member("王五", "仓储"), date(2026, 11, 18), (), 2, 1)
    today = ProgressNews(Member("赵六", "美工"), date(2026, 11, 19), (CONVERSION,), 1, 0)
    text = progress_digest(datetime(2026, 11, 19, 10, 0), [late, today]).text
    assert "1. 王五（仓储）11月18日：各项达标，截图1张\n2. 赵六（美工）11月19日：新品转化率 4.2%（目标5%）\n" in text
