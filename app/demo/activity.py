"""What each demo person did on a day, read off the business (business.py): synced, imported and
self-reported figures, a note in their own words, and the month's ratings.

A person's figures follow from the day's orders and their share of the team's work, scaled by
their skill that month: the operator's sales are their listings' units × price, the packers ship
the orders, the agents answer the tickets and chats, the designers' images earn the ad clicks, and
the buyers' purchase orders arrive (or not) on time. Everything is drawn from generators seeded
per person and day, so the same day always gives the same figures.
"""

import random
from dataclasses import dataclass
from decimal import Decimal

from app.demo.business import Day, money


@dataclass(frozen=True)
class DemoObservation:
    indicator: str
    numerator: Decimal
    denominator: Decimal | None
    provenance: str  # verified | imported | self_reported
    source: str
    currency: str | None = None
    part: str = ""  # a part of the day (one SKU of several): its own source record


@dataclass
class Work:
    """What a person did on a day: their figures and the note they wrote."""

    figures: list[DemoObservation]
    note: str


def _share(rng: random.Random, total: int, rate: float) -> int:
    """How many of `total` hit, around `rate` (never more than `total`)."""
    if total <= 0:
        return 0
    rate = min(1.0, max(0.0, rate))
    spread = (total * rate * (1 - rate)) ** 0.5
    return max(0, min(total, round(rng.gauss(total * rate, spread))))


def _verified(indicator: str, num, den, source: str, currency: str | None = None, part: str = "") -> DemoObservation:
    return DemoObservation(indicator, Decimal(num), None if den is None else Decimal(den), "verified", source,
                           currency, part)


def _imported(indicator: str, num, den, source: str) -> DemoObservation:
    return DemoObservation(indicator, Decimal(num), None if den is None else Decimal(den), "imported", source)


def _reported(indicator: str, num, den) -> DemoObservation:
    return DemoObservation(indicator, Decimal(num), Decimal(den), "self_reported", "self_report")


# -- the shop's trade: synced every calendar day, whoever works --------------------------------------

def operator_trade(business: Day, operator_id: int, per_listing: bool = True) -> list[DemoObservation]:
    """An operator's listings on a day: sales and new products' units over sessions, one record per
    SKU as the Amazon report has them (or, `per_listing` off, one per operator-day: the bulk path of
    a benchmark-sized company), and the day's ads."""
    mine = business.by_operator.get(operator_id)
    if mine is None:
        return []
    new = [s for s in mine.skus if s.sku.is_new(business.day) and s.sessions]
    if per_listing:
        figures = [_verified("ops_sales", s.sales, None, "amazon_sp_api", "USD", s.sku.code) for s in mine.skus]
        figures += [_verified("ops_new_conversion", s.units, s.sessions, "amazon_sp_api", part=s.sku.code)
                    for s in new]
    else:
        figures = [_verified("ops_sales", mine.sales, None, "amazon_sp_api", "USD")]
        if new:
            figures.append(_verified("ops_new_conversion", sum(s.units for s in new), sum(s.sessions for s in new),
                                     "amazon_sp_api"))
    if mine.ad_spend:
        figures.append(_verified("ops_ad_roi", mine.ad_sales, mine.ad_spend, "amazon_ads", "USD"))
    return figures


# -- a working day, per position ---------------------------------------------------------------------

def operator_day(business: Day, operator_id: int, rng: random.Random) -> Work:
    """What the operator writes about their listings (the figures themselves are synced)."""
    mine = business.by_operator.get(operator_id)
    if mine is None or not mine.skus:
        return Work([], rng.choice(("整理新品上架资料，准备下周上架。", "学习店铺后台报表，熟悉在售链接。")))
    best = max(mine.skus, key=lambda s: s.sales)
    new = [s for s in mine.skus if s.sku.is_new(business.day)]
    lines = [f"今日销售额${mine.sales:,.0f}，{best.sku.code}卖得最好（{best.units}件）。",
             f"广告花费${mine.ad_spend:,.0f}，带来销售${mine.ad_sales:,.0f}。"]
    if new:
        sessions, units = sum(s.sessions for s in new), sum(s.units for s in new)
        lines.append(f"新品会话{sessions}次、成交{units}件，" + rng.choice(("明天再优化主图。", "准备加一组测评。",
                                                                     "标题关键词已调整。", "价格先稳住观察两天。")))
    lines.append(rng.choice(("否定了几个不出单的搜索词。", "回复了两条差评并跟进售后。", "和美工确认了下周活动图。",
                             "核对了FBA库存，补货单已提给采购。", "整理竞品价格变化。")))
    return Work([], "".join(rng.sample(lines, k=min(3, len(lines)))))


def packer_day(shipped: int, skill: float, rng: random.Random) -> Work:
    """A packer's share of the day's shipments: wrong items and what left within 24 hours."""
    wrong = _share(rng, shipped, 0.0012 / skill ** 3)
    on_time = _share(rng, shipped, 0.855 * skill ** 1.5)
    note = rng.choice((f"今日打包发货{shipped}单，", f"拣货打包{shipped}单，", f"完成{shipped}单出库，"))
    note += (f"{wrong}单错发已联系客服补发。" if wrong else rng.choice(("无错发。", "复核无误。", "全部按时出库。")))
    note += rng.choice(("", "下午协助整理退货区。", "补充了打包耗材。", "配合盘点了A区货架。"))
    return Work([_verified("wh_misship_rate", wrong, shipped, "erp"),
                 _verified("wh_dispatch_24h_share", on_time, shipped, "erp")], note)


def stock_take(skill: float, rng: random.Random) -> DemoObservation:
    """The month's stock-take on its last working day: locations counted right of those counted."""
    counted = 2000
    accuracy = min(0.9995, rng.gauss(0.9945 + 0.015 * (skill - 1), 0.0015))
    return _imported("wh_stock_accuracy", round(counted * accuracy), counted, "erp_import")


def agent_day(tickets: int, chats: int, load: float, skill: float, rng: random.Random) -> Work:
    """An agent's tickets (complaints among them, closed within 24 h) and chats (replies within 30 s,
    the customers' top ratings, the average reply time); `load` is the day's chats against an
    ordinary day's: the days after a weekend or a holiday are busier, and replies slower."""
    figures = []
    complaints = _share(rng, tickets, 0.12)
    if complaints:
        figures.append(_verified("cs_complaint_closed_24h", _share(rng, complaints, 0.78 * skill ** 1.5),
                                 complaints, "zendesk"))
    replies = round(chats * rng.uniform(2.6, 3.4))
    if replies:
        rated = _share(rng, chats, 0.4)
        busy = max(1.0, load) ** 0.5
        figures += [_imported("cs_reply_30s_share", _share(rng, replies, 0.84 * skill ** 1.5 / busy), replies,
                              "chat_import"),
                    _imported("cs_avg_reply_seconds", round(replies * rng.gauss(20 * busy / skill, 1.5)), replies,
                              "chat_import")]
        if rated:
            figures.append(_imported("cs_top_rating_share", _share(rng, rated, 0.76 * skill ** 1.5), rated,
                                     "chat_import"))
    note = f"今日接待咨询{chats}个，处理工单{tickets}个"
    note += f"，其中投诉{complaints}个。" if complaints else "。"
    note += rng.choice(("整理了退换货话术。", "跟进两单物流延误。", "把常见尺码问题反馈给运营。",
                        "协助同事处理夜间留言。",
                        "记录了一个质量问题给采购。", ""))
    return Work(figures, note)


def designer_clicks(impressions: int, skill: float, rng: random.Random) -> DemoObservation:
    """The ad clicks a designer's main images earned of the impressions they had (synced daily)."""
    return _verified("design_main_image_ctr", _share(rng, impressions, 0.0047 * skill ** 2), impressions, "amazon_ads")


def designer_day(skill: float, rng: random.Random) -> Work:
    """A designer's assets due today, self-reported with their revision rounds."""
    figures: list[DemoObservation] = []
    due = rng.choice((0, 1, 1, 2, 2, 3))
    note = "今日无到期素材，整理素材库并归档源文件。"
    if due:
        late = sum(1 for _ in range(due) if rng.random() > 0.96 * skill ** 0.5)
        rounds = sum(max(1, round(rng.gauss(2.1 / skill, 0.6))) for _ in range(due))
        figures += [_reported("design_on_time_share", due - late, due),
                    _reported("design_revision_rounds", rounds, due)]
        what = rng.choice(("主图", "详情页", "活动海报", "A+页面", "店铺首页"))
        note = f"交付{due}张{what}，共改了{rounds}轮" + (f"，{late}张晚于约定时间。" if late else "，均按时交付。")
    return Work(figures, note)


def buyer_day(skill: float, rng: random.Random) -> Work:
    """A buyer's purchase orders due to arrive today (from the ERP), and a quality problem now and then."""
    figures = []
    due = rng.choice((0, 1, 1, 2, 2, 3))
    note = "跟进在途采购单，和供应商确认下周交期。"
    if due:
        on_time = sum(1 for _ in range(due) if rng.random() < 0.94 * skill ** 1.5)
        figures.append(_verified("pur_on_time_arrival", on_time, due, "erp"))
        note = f"今日应到货{due}单，{on_time}单按时入库" + ("。" if on_time == due else "，已催延期的供应商。")
    incidents = 1 if rng.random() < 0.03 / skill ** 3 else 0  # the ERP's daily quality import, 0 most days
    figures.append(_imported("pur_quality_incidents", incidents, None, "erp_import"))
    if incidents:
        note += "一批来料质检不合格，已安排退换。"
    return Work(figures, note)


def head_day(skill: float, rng: random.Random) -> Work:
    """A department head's day: key work, appraisal work and coaching that fell due."""
    figures, parts = [], []
    for indicator, chance, most, what in (("head_key_work_completion", 0.35, 2, "重点工作"),
                                          ("head_appraisal_on_time", 0.3, 3, "考核事项"),
                                          ("head_coaching_completion", 0.25, 1, "辅导")):
        due = _due(rng, chance, skill, most)
        if due:
            figures.append(_reported(indicator, *due))
            parts.append(f"{what}{due[0]}/{due[1]}")
    note = ("完成" + "、".join(parts) + "。") if parts else ""
    return Work(figures, note + rng.choice(("审阅了团队进展并点评。", "开了部门周会。", "和人事沟通了招聘需求。",
                                            "复盘上周数据，调整本周重点。")))


def hr_day(skill: float, rng: random.Random) -> Work:
    """An HR/administration day: hires and appraisal milestones due, training hours planned."""
    figures, parts = [], []
    for indicator, chance, most, what in (("hr_hiring_on_time", 0.15, 2, "招聘"),
                                          ("hr_kpi_cycle_on_time", 0.2, 2, "考核节点")):
        due = _due(rng, chance, skill, most)
        if due:
            figures.append(_reported(indicator, *due))
            parts.append(f"{what}{due[0]}/{due[1]}")
    if rng.random() < 0.15:
        planned = rng.choice((2, 3, 4))
        held = planned if rng.random() < 0.9 * skill else planned - 1
        figures.append(_reported("hr_training_completion", held, planned))
        parts.append(f"培训{held}/{planned}课时")
    note = ("完成" + "、".join(parts) + "。") if parts else ""
    return Work(figures, note + rng.choice(("办理入职手续。", "核对考勤。", "整理社保缴纳明细。",
                                            "采购办公用品并入账。")))


def _due(rng: random.Random, chance: float, skill: float, most: int = 1) -> tuple[int, int] | None:
    """Work falling due today with probability `chance`: (done in time, due), or None."""
    if rng.random() >= chance:
        return None
    due = rng.randint(1, most)
    return (due if rng.random() < 0.8 * skill ** 2 else due - 1), due


def month_end(position: str, skill: float, rng: random.Random, team: int, headcount: int) -> list[DemoObservation]:
    """What a person reports once, on the last working day of the month: a head their team's
    (`team` people) average score and who stayed; HR the payroll of `headcount` people, the
    satisfaction survey and the administration budget; a buyer the month's savings."""
    if position == "dept_head" and team:
        scores = sum(min(100.0, rng.gauss(75 * skill, 6)) for _ in range(team))
        left = 1 if team > 1 and rng.random() < 0.1 / skill else 0
        return [_reported("head_team_avg_score", money(scores), team),
                _reported("head_team_retention", team - left, team)]
    if position == "hr_admin":
        wrong_payslips = 0 if rng.random() < 0.8 * skill else 1
        answers = round(headcount * rng.uniform(0.7, 0.9))
        budget = 20000
        spent = round(budget * rng.uniform(0.88, 1.06) / skill)
        return [_reported("hr_payroll_accuracy", headcount - wrong_payslips, headcount),
                _reported("hr_employee_satisfaction", _share(rng, answers, 0.85 * skill), answers),
                _reported("hr_admin_cost_control", min(spent, budget), spent)]
    if position == "purchaser":
        spend = round(rng.uniform(300_000, 600_000))
        saved = max(0.0, rng.gauss(0.018 * skill ** 2, 0.008))  # no saving is 0 %; a dearer month is not negative here
        return [_reported("pur_cost_saving", round(spend * saved), spend)]
    return []


def rating(skill: float, rng: random.Random) -> Decimal:
    """A 1–5 rating: most people 3–4, the best 5, a struggling one 1–2."""
    return Decimal(max(1, min(5, round(rng.gauss(2.8 + 5 * (skill - 1), 0.7)))))


