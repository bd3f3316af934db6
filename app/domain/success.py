"""The seed's own measures of whether the system works (DESIGN "Is it working?"), from counts:
participation (share of expected working days with a submission), acceptance (share of answered
reports confirmed without an appeal), accuracy (share of the day's figures of record that came
verified from a connector), and how fast managers answer appeals (the median, in hours)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from statistics import median
from typing import Any

from .exact import round_half_up


@dataclass(frozen=True)
class Share:
    """`part` of `whole`; no share at all when there is nothing to count."""

    part: int
    whole: int

    @property
    def percent(self) -> Decimal | None:
        """Half-up to one decimal: 95.2 (%)."""
        return None if not self.whole else round_half_up(Fraction(100 * self.part, self.whole), 1)

    @property
    def label(self) -> str:
        return "—" if self.percent is None else f"{self.percent}%"


@dataclass(frozen=True)
class Measures:
    participation: Share
    acceptance: Share
    verified: Share
    appeals_filed: int
    appeals_accepted: int
    appeals_rejected: int
    answer_hours: Decimal | None  # managers' median time to decide an appeal

    def dumped(self) -> dict[str, Any]:
        """As JSON holds it (the dashboards keep a closed month's measures for a while)."""
        shares = {name: [getattr(self, name).part, getattr(self, name).whole]
                  for name in ("participation", "acceptance", "verified")}
        return {**shares, "appeals": [self.appeals_filed, self.appeals_accepted, self.appeals_rejected],
                "answer_hours": None if self.answer_hours is None else str(self.answer_hours)}

    @classmethod
    def loaded(cls, data: dict[str, Any]) -> "Measures":
        filed, accepted, rejected = data["appeals"]
        hours = data["answer_hours"]
        return cls(Share(*data["participation"]), Share(*data["acceptance"]), Share(*data["verified"]), filed,
                   accepted, rejected, None if hours is None else Decimal(hours))


def median_hours(seconds: Sequence[float]) -> Decimal | None:
    """The median of answer times given in seconds, in hours half-up to one decimal."""
    if not seconds:
        return None
    return round_half_up(Fraction(median(seconds)) / 3600, 1)
