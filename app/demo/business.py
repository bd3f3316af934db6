"""A small model of the demo company's business, so its figures agree with each other.

Orders drive everything: each operator runs a few Amazon listings (SKUs with a price and a listing
date); shoppers visit and buy every calendar day (Amazon does not stop for 国庆), more on weekends
and around 双11; sales are units × price per SKU. The warehouse ships the orders on its working
days (a day it rests, the orders wait for the next one), so a month's shipments match its orders
give or take the days at its edges; 2–6 % of orders become customer-service tickets and about a
quarter start a chat. Advertising buys part of the sessions, and the designers' main images earn
the clicks. Everything is drawn from generators seeded by the demo's seed and the day, so a day's
business is the same however often it is asked for.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

DOUBLE_11 = ((11, 10), (11, 11))  # 双11 (and its eve) sells more on Amazon too
NEW_PRODUCT_DAYS = 90  # 新品: listed within this many days (the indicator's definition)
LAUNCHES = (-20, 25, 55, 85)  # days from the first month's 1st on which each operator lists a new product
UNITS_PER_ORDER = 1.1
TICKET_SHARE = (0.02, 0.06)  # of a day's orders
CHAT_SHARE = 0.25  # of a day's orders: conversations on the shop's chat
AD_SHARE = (0.25, 0.35)  # of sales bought through ads
CENTS = Decimal("0.01")
PRICES = ("12.99", "15.99", "19.99", "24.99", "29.99", "34.99", "39.99", "49.99", "59.99")  # USD
POTENTIAL = 2650.0  # USD an operator's listings sell on an ordinary day at skill 1 (about 90 % of the target)


@dataclass(frozen=True)
class Sku:
    code: str
    operator_id: int
    price: Decimal  # USD
    listed_on: date
    demand: float  # sessions on an ordinary day

    def is_new(self, day: date) -> bool:
        return (day - self.listed_on).days < NEW_PRODUCT_DAYS


@dataclass(frozen=True)
class SkuDay:
    sku: Sku
    sessions: int
    units: int

    @property
    def sales(self) -> Decimal:
        return (self.sku.price * self.units).quantize(CENTS)


@dataclass(frozen=True)
class OperatorDay:
    operator_id: int
    skus: tuple[SkuDay, ...]
    ad_spend: Decimal
    ad_sales: Decimal

    @property
    def sales(self) -> Decimal:
        return sum((s.sales for s in self.skus), Decimal(0))

    @property
    def units(self) -> int:
        return sum(s.units for s in self.skus)


@dataclass(frozen=True)
class Day:
    """One calendar day of the shop: each operator's listings, and the orders they add up to."""

    day: date
    operators: tuple[OperatorDay, ...]
    ticket_share: float  # of the day's orders that become a customer-service ticket

    @cached_property
    def by_operator(self) -> dict[int, OperatorDay]:
        return {o.operator_id: o for o in self.operators}

    @property
    def orders(self) -> int:
        return round(sum(o.units for o in self.operators) / UNITS_PER_ORDER)

    @property
    def tickets(self) -> int:
        return round(self.orders * self.ticket_share)

    @property
    def chats(self) -> int:
        return round(self.orders * CHAT_SHARE)

    def impressions(self) -> int:
        """Ad impressions: about a fifth of sessions come from ads, at a 0.5 % click-through."""
        return sum(s.sessions for o in self.operators for s in o.skus) * 40


class Market:
    """The shop's listings and their daily trade; `skill(operator, day)` says how well each operator
    runs theirs (listing quality, pricing, ad bids)."""

    def __init__(self, seed: int, operators: list[int], first_day: date, skill) -> None:
        self.seed, self.skill = seed, skill
        rng = random.Random(f"{seed}/listings")
        self.skus = [sku for operator in operators for sku in self._listings(rng, operator, first_day)]
        self._days: dict[date, Day] = {}

    def _listings(self, rng: random.Random, operator: int, first_day: date) -> list[Sku]:
        """4–6 established listings whose ordinary-day sales add up to about the same for every
        operator (a manager shares the catalogue out evenly: what differs is their skill), and a new
        product about every month (LAUNCHES), so each month has 新品 whose conversion counts; a new
        listing starts with a smaller audience."""
        old = [Sku(f"B0{operator:04d}{n:02d}X", operator, Decimal(rng.choice(PRICES)),
                   first_day - timedelta(days=rng.randrange(120, 900)), rng.uniform(110, 230))
               for n in range(rng.randint(4, 6))]
        potential = sum(float(s.price) * s.demand * 0.11 for s in old)
        scale = POTENTIAL * rng.uniform(0.95, 1.05) / potential
        new = [Sku(f"B0{operator:04d}{len(old) + n:02d}N", operator, Decimal(rng.choice(PRICES)),
                   first_day + timedelta(days=offset + rng.randrange(-7, 8)), rng.uniform(60, 110) * scale)
               for n, offset in enumerate(LAUNCHES)]
        return [Sku(s.code, s.operator_id, s.price, s.listed_on, s.demand * scale) for s in old] + new

    def day(self, day: date) -> Day:
        if day not in self._days:
            self._days[day] = self._trade(day)
        return self._days[day]

    def _trade(self, day: date) -> Day:
        rng = random.Random(f"{self.seed}/trade/{day.isoformat()}")
        season = 1.0 + (0.18 if day.weekday() >= 5 else 0) + (0.6 if (day.month, day.day) in DOUBLE_11 else 0)
        by_operator: dict[int, list[SkuDay]] = {}
        for sku in self.skus:
            if sku.listed_on > day:
                continue
            skill = self.skill(sku.operator_id, day)
            sessions = max(0, round(rng.gauss(sku.demand * season * (0.6 + 0.4 * skill), sku.demand * 0.12)))
            rate = min(0.5, (0.043 if sku.is_new(day) else 0.11) * skill ** 2)
            spread = (sessions * rate * (1 - rate)) ** 0.5  # the binomial's, without drawing each shopper
            units = max(0, min(sessions, round(rng.gauss(sessions * rate, spread))))
            by_operator.setdefault(sku.operator_id, []).append(SkuDay(sku, sessions, units))
        operators = []
        for operator, skus in sorted(by_operator.items()):
            sales = sum((s.sales for s in skus), Decimal(0))
            ad_sales = (sales * Decimal(rng.uniform(*AD_SHARE))).quantize(CENTS)
            roi = 2.85 * self.skill(operator, day) ** 1.5 * rng.uniform(0.9, 1.1)
            operators.append(OperatorDay(operator, tuple(skus), (ad_sales / Decimal(roi)).quantize(CENTS), ad_sales))
        return Day(day, tuple(operators), rng.uniform(*TICKET_SHARE))


def split(total: int, weights: dict[int, float], rng: random.Random) -> dict[int, int]:
    """`total` shared out in proportion to `weights` (whole units, nothing lost)."""
    if not weights:
        return {}
    whole = sum(weights.values())
    shares = {k: int(total * w / whole) for k, w in weights.items()}
    for key in rng.sample(sorted(weights), k=len(weights))[:total - sum(shares.values())]:
        shares[key] += 1
    return shares


def money(value: float) -> Decimal:
    return Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)
