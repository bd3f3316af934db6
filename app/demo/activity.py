"""What the demo company's people did each working day: synced, imported and self-reported
figures, progress entries with notes, and the month's ratings.

Figures are drawn around each indicator's target and scaled by the person's talent, so the demo
shows the whole range of grades; everything comes from one seeded random generator.
"""

import random
from dataclasses import dataclass
from decimal import Decimal

NOTES = (
    "今日完成既定工作，数据已核对。",
    "跟进重点客户问题，已全部闭环。",
    "优化了两个商品的主图和标题，明天观察点击率。",
    "参加部门例会，整理本周复盘要点。",
    "处理退换货申请，协助同事完成盘点。",
    "调整广告关键词出价，控制花费。",
    "整理常见问题话术，分享给组内同事。",
)


@dataclass(frozen=True)
class DemoObservation:
    indicator: str
    numerator: Decimal
    denominator: Decimal | None
    provenance: str
    source: str
    currency: str | None = None


def _d(value: float, places: int = 2) -> Decimal:
    return Decimal(f"{value:.{places}f}")


def _count(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high)


def _share(rng: random.Random, total: int, rate: float) -> int:
    """How many of `total` hit, around `rate`, never more than `total`."""
    return max(0, min(total, round(total * min(1.0, rng.gauss(rate, rate * 0.04)))))


def day_figures(position: str, talent: float, rng: random.Random) -> list[DemoObservation]:
    """One working day's figures for a person in a position."""
    return _GENERATORS[position](talent, rng)


def _ops(talent, rng):
    sessions = _count(rng, 350, 650)
    spend = rng.uniform(150, 300)
    return [
        DemoObservation("ops_sales", _d(rng.uniform(3600, 5000) * talent), None, "verified", "amazon_sp_api", "USD"),
        DemoObservation(
            "ops_new_conversion",
            Decimal(_share(rng, sessions, 0.048 * talent)),
            Decimal(sessions),
            "verified",
            "amazon_sp_api",
        ),
        DemoObservation(
            "ops_ad_roi", _d(spend * rng.uniform(2.6, 3.4) * talent), _d(spend), "verified", "amazon_ads", "USD"
        ),
    ]


def _cs(talent, rng):
    replies = _count(rng, 80, 150)
    rated = _count(rng, 10, 30)
    complaints = _count(rng, 0, 4)
    figures = [
        DemoObservation(
            "cs_reply_30s_share",
            Decimal(_share(rng, replies, 0.87 * talent)),
            Decimal(replies),
            "imported",
            "chat_import",
        ),
        DemoObservation(
            "cs_top_rating_share", Decimal(_share(rng, rated, 0.82 * talent)), Decimal(rated), "imported", "chat_import"
        ),
        DemoObservation(
            "cs_avg_reply_seconds", Decimal(replies * rng.randint(18, 34)), Decimal(replies), "imported", "chat_import"
        ),
    ]
    if complaints:
        closed = complaints if rng.random() < 0.9 * talent else complaints - 1
        figures.append(
            DemoObservation("cs_complaint_closed_24h", Decimal(closed), Decimal(complaints), "verified", "zendesk")
        )
    return figures


def _warehouse(talent, rng):
    shipped = _count(rng, 150, 300)
    wrong = 1 if rng.random() < 0.22 / talent else 0
    return [
        DemoObservation("wh_misship_rate", Decimal(wrong), Decimal(shipped), "verified", "erp"),
        DemoObservation(
            "wh_dispatch_24h_share", Decimal(_share(rng, shipped, 0.955 * talent)), Decimal(shipped), "verified", "erp"
        ),
    ]


def _designer(talent, rng):
    assets = _count(rng, 1, 4)
    impressions = _count(rng, 20000, 40000)
    on_time = assets if rng.random() < 0.93 * talent else assets - 1
    return [
        DemoObservation("design_on_time_share", Decimal(on_time), Decimal(assets), "self_reported", "self_report"),
        DemoObservation(
            "design_revision_rounds",
            Decimal(round(assets * rng.uniform(1.2, 2.6) / talent)),
            Decimal(assets),
            "self_reported",
            "self_report",
        ),
        DemoObservation(
            "design_main_image_ctr",
            Decimal(_share(rng, impressions, 0.005 * talent)),
            Decimal(impressions),
            "verified",
            "amazon_ads",
        ),
    ]


def _due(rng: random.Random, chance: float, talent: float, most: int = 1) -> tuple[int, int] | None:
    """Work falling due today with probability `chance`: (done in time, due), or None."""
    if rng.random() >= chance:
        return None
    due = rng.randint(1, most)
    return (due if rng.random() < 0.92 * talent else due - 1), due


def _self_reported(indicator: str, done: Decimal | int, total: Decimal | int) -> DemoObservation:
    return DemoObservation(indicator, Decimal(done), Decimal(total), "self_reported", "self_report")


def _dept_head(talent, rng):
    """A department head's day: key work, appraisal work and coaching that fell due."""
    figures = []
    for indicator, chance, most in (("head_key_work_completion", 0.25, 2), ("head_appraisal_on_time", 0.3, 3),
                                    ("head_coaching_completion", 0.15, 1)):
        due = _due(rng, chance, talent, most)
        if due:
            figures.append(_self_reported(indicator, *due))
    return figures


def _hr_admin(talent, rng):
    """An HR/administration day: hires and appraisal milestones due, training hours planned."""
    figures = []
    for indicator, chance, most in (("hr_hiring_on_time", 0.15, 2), ("hr_kpi_cycle_on_time", 0.2, 2)):
        due = _due(rng, chance, talent, most)
        if due:
            figures.append(_self_reported(indicator, *due))
    if rng.random() < 0.15:
        planned = rng.choice((2, 3, 4))
        figures.append(_self_reported("hr_training_completion", planned if rng.random() < 0.9 * talent else 1, planned))
    return figures


_GENERATORS = {"ops": _ops, "cs": _cs, "warehouse": _warehouse, "designer": _designer,
               "dept_head": _dept_head, "hr_admin": _hr_admin}


def month_end_figures(position: str, talent: float, rng: random.Random, team: int, headcount: int
                      ) -> list[DemoObservation]:
    """What a person reports once, on the last working day of the month: a department head their
    team's (`team` people) average score of last month and who stayed; HR the payroll of
    `headcount` people, the month's satisfaction survey and the administration budget."""
    if position == "dept_head" and team:
        scores = sum(min(100.0, rng.gauss(80 * talent, 6)) for _ in range(team))
        left = 1 if team > 1 and rng.random() < 0.1 / talent else 0
        return [_self_reported("head_team_avg_score", _d(scores, 1), team),
                _self_reported("head_team_retention", team - left, team)]
    if position == "hr_admin":
        wrong_payslips = 0 if rng.random() < 0.8 * talent else 1
        answers = round(headcount * rng.uniform(0.7, 0.9))
        budget = 20000
        spent = round(budget * rng.uniform(0.85, 1.05) / talent)
        return [_self_reported("hr_payroll_accuracy", headcount - wrong_payslips, headcount),
                _self_reported("hr_employee_satisfaction", _share(rng, answers, 0.85 * talent), answers),
                _self_reported("hr_admin_cost_control", min(spent, budget), spent)]
    return []


def stock_take(talent: float, rng: random.Random) -> DemoObservation:
    """The month's stock-take, counted on its last working day."""
    counted = 2000
    return DemoObservation(
        "wh_stock_accuracy",
        Decimal(_share(rng, counted, 0.995 * min(talent, 1.004))),
        Decimal(counted),
        "imported",
        "erp_import",
    )


def rating(talent: float, rng: random.Random) -> Decimal:
    """A 1–5 rating, mostly 3–5, better for better people."""
    return Decimal(max(1, min(5, round(rng.gauss(3.0 + 1.6 * (talent - 0.72) / 0.4, 0.6)))))


def note(rng: random.Random) -> str:
    return rng.choice(NOTES)
