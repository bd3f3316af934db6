"""The 结算待办: what keeps last month's close waiting, worded for HR, and the "by when" HR and the
raters read (docs/product.md "The monthly process", step 4).

The close waits for the scoring day, then for complete data (or HR's word that the gaps are
accepted) and for every exchange rate the figures need. While it waits, HR is told each working day
what blocks it, who must act and by when, so a month never stalls in silence; before the scoring day
the deadline is that day, after it the close has been waiting since then.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.domain.workcalendar import next_month

# Our source codes as people read them; a source not named here reads as its code.
SOURCE_ZH = {
    "amazon_sp_api": "亚马逊销售数据（Amazon SP-API）",
    "amazon_ads": "亚马逊广告数据（Amazon Ads）",
    "zendesk": "客服系统数据（Zendesk）",
    "erp": "ERP仓储数据",
    "chat_import": "客服聊天记录（文件导入）",
    "erp_import": "ERP质检记录（文件导入）",
    "self_report": "本人填报",
}
RATER_KIND_ZH = {"manager": "主管评分", "peer": "同事评分", "customer": "客户评分"}
RATE_COMMAND = "flask kpi fx-rate {month} {source} {target} 汇率 --by 工号"
ACCEPT_COMMAND = "flask kpi accept-gaps {month} --by 工号"
UNCONFIGURE_COMMAND = "flask sources unconfigure 来源 --by 工号"


@dataclass(frozen=True)
class OwedRatings:
    """What one rater still owes: rater kind (manager, peer) → how many ratings."""

    rater: str
    counts: Mapping[str, int]

    def line(self) -> str:
        owed = "、".join(f"{n}项{RATER_KIND_ZH.get(kind, kind)}" for kind, n in sorted(self.counts.items()))
        return f"{self.rater}：{owed}"


@dataclass(frozen=True)
class Acknowledged:
    """HR accepted the gaps: who, and on which (local) day."""

    by: str
    on: date | None


@dataclass(frozen=True)
class CloseBlockers:
    """What last month's close is waiting for. `sources`: source → missing working days; `rates`:
    "FROM→TO" conversions with no rate; `customer_ratings`: customer ratings no source brought."""

    year: int
    month: int
    sources: Mapping[str, Sequence[date]] = field(default_factory=dict)
    ratings: Sequence[OwedRatings] = ()
    customer_ratings: int = 0
    rates: Sequence[str] = ()
    acknowledged: Acknowledged | None = None

    @property
    def gaps_block(self) -> bool:
        """Data and ratings block only until HR accepts the gaps; nobody can accept a missing rate."""
        return self.acknowledged is None and bool(self.sources or self.ratings or self.customer_ratings)

    @property
    def blocking(self) -> bool:
        """Whether the close waits for anything at all (HR is told only then)."""
        return bool(self.rates) or self.gaps_block


def scoring_date(year: int, month: int, scoring_day: int) -> date:
    """The day the month `year`-`month` is due to be scored: day `scoring_day` of the month after."""
    following_year, following = next_month(year, month)
    return date(following_year, following, scoring_day)


def by_when(scoring: date, today: date) -> str:
    """The deadline as it reads on `today`: the scoring day ahead, or since when the close waits."""
    if today < scoring:
        return f"{_day_zh(scoring)}评分日前"
    return f"自{_day_zh(scoring)}评分日起结算一直在等，请尽快"


def rating_deadline(scoring: date, today: date) -> str:
    """The reminder's "by when" for a rater who still owes ratings."""
    if today < scoring:
        return f"请在{_day_zh(scoring)}评分日前完成"
    return f"自{_day_zh(scoring)}评分日起月度结算在等你的评分，请尽快完成"


def todo_summary(blockers: CloseBlockers) -> str:
    """The short line template messages carry, e.g. "11月结算待办：数据缺口2项、评分2人"."""
    parts = []
    if blockers.gaps_block and blockers.sources:
        parts.append(f"数据缺口{len(blockers.sources)}项")
    if blockers.rates:
        parts.append(f"汇率{len(blockers.rates)}项")
    if blockers.gaps_block and (blockers.ratings or blockers.customer_ratings):
        parts.append(f"评分{len(blockers.ratings)}人" if blockers.ratings else f"客户评分{blockers.customer_ratings}项")
    return f"{blockers.month}月结算待办：" + "、".join(parts)


def todo_body(blockers: CloseBlockers, scoring: date, today: date) -> str:
    """The full 结算待办 for HR: one section per kind of blocker, each saying who acts and by when."""
    deadline = by_when(scoring, today)
    sections = [text for text in (
        _sources_section(blockers, deadline), _rates_section(blockers, deadline),
        _ratings_section(blockers, deadline)) if text]
    head = f"【结算待办】{blockers.year}年{blockers.month}月的考核还不能结算，等待以下事项："
    return "\n".join([head, *sections, *_accept_line(blockers), "事项解决前每个工作日提醒一次。"])


def _accept_line(blockers: CloseBlockers) -> list[str]:
    """HR's way out of data and rating gaps (or that HR took it already); none when only rates block."""
    if blockers.acknowledged:
        return [_acknowledged_line(blockers)]
    if blockers.gaps_block:
        command = ACCEPT_COMMAND.format(month=_key(blockers))
        return [f"数据缺口和未完成的评分也可由人事确认接受，按现有数据结算：{command}"]
    return []


def _sources_section(blockers: CloseBlockers, deadline: str) -> str:
    if not (blockers.gaps_block and blockers.sources):
        return ""
    lines = [f"· {SOURCE_ZH.get(source, source)}：缺{days_zh(days)}（{len(days)}个工作日）"
             for source, days in sorted(blockers.sources.items())]
    codes = "、".join(sorted(blockers.sources))
    lines.append(f"· 公司没有接入的来源，人事可标记为未配置，结算就不再等它：{UNCONFIGURE_COMMAND}（来源：{codes}）")
    return f"数据缺口（管理员检查数据连接，或人事导入缺失的数据；{deadline}）：\n" + "\n".join(lines)


def _rates_section(blockers: CloseBlockers, deadline: str) -> str:
    if not blockers.rates:
        return ""
    lines = [_rate_line(blockers, rate) for rate in blockers.rates]
    return f"汇率缺失（人事录入当月汇率；{deadline}）：\n" + "\n".join(lines)


def _rate_line(blockers: CloseBlockers, rate: str) -> str:
    """One missing conversion ("EUR→USD") with the command that enters it."""
    source, _, target = rate.partition("→")
    return f"· {blockers.month}月{rate}：" + RATE_COMMAND.format(month=_key(blockers), source=source, target=target)


def _ratings_section(blockers: CloseBlockers, deadline: str) -> str:
    if not blockers.gaps_block or not (blockers.ratings or blockers.customer_ratings):
        return ""
    lines = [f"· {owed.line()}" for owed in blockers.ratings]
    if blockers.customer_ratings:
        lines.append(f"· 客户评分{blockers.customer_ratings}项尚未同步（管理员检查客服系统连接）")
    return f"评分未完成（评分人完成评分，系统每个工作日提醒他们；{deadline}）：\n" + "\n".join(lines)


def _acknowledged_line(blockers: CloseBlockers) -> str:
    ack = blockers.acknowledged
    assert ack is not None, "called only when HR accepted the gaps"
    when = f"已于{_day_zh(ack.on)}" if ack.on else "已"
    return f"{ack.by}{when}确认接受数据缺口：缺失的数据和评分按现有情况结算，只等上面的事项。"


def days_zh(days: Sequence[date]) -> str:
    """Days as people read them, runs of consecutive days shortened: "11月2日–6日、9日、12月1日"."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    parts, month = [], 0
    for run in runs:
        start = _day_zh(run[0]) if run[0].month != month else f"{run[0].day}日"
        end = "" if len(run) == 1 else f"–{run[-1].day}日" if run[-1].month == run[0].month else f"–{_day_zh(run[-1])}"
        parts.append(start + end)
        month = run[-1].month
    return "、".join(parts)


def _key(blockers: CloseBlockers) -> str:
    return f"{blockers.year:04d}-{blockers.month:02d}"


def _day_zh(day: date) -> str:
    return f"{day.month}月{day.day}日"
