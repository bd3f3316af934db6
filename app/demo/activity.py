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


_GENERATORS = {"ops": _ops, "cs": _cs, "warehouse": _warehouse, "designer": _designer}


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
