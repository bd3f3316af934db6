"""The monthly exchange-rate table HR maintains: money is converted to the template's currency.

A missing rate is an error naming the currency pair and month, never a silent 1:1 — a sales figure
in CNY scored against a USD target would be off by a factor of seven.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, Inexact, localcontext

from .errors import DataInvalid, FxRateMissing
from .exact import EXACT


@dataclass(frozen=True)
class FxRate:
    """1 `from_currency` = `rate` `to_currency` during `month` ("YYYY-MM")."""

    from_currency: str
    to_currency: str
    month: str
    rate: Decimal


def month_key(day: date) -> str:
    """The rate table's month for a day: "2025-10"."""
    return f"{day.year:04d}-{day.month:02d}"


class RateTable:
    """Rates by (from, to, month). Only direct rates are used: inverting one would round."""

    def __init__(self, rates: Iterable[FxRate] = ()):
        self._rates: dict[tuple[str, str, str], Decimal] = {}
        for fx in rates:
            if not fx.rate > 0:
                raise DataInvalid(
                    f"{fx.month} {fx.from_currency}兑{fx.to_currency}的汇率必须大于0", {"rates": fx.month}
                )
            self._rates[(fx.from_currency, fx.to_currency, fx.month)] = fx.rate

    def rate(self, from_currency: str, to_currency: str, day: date) -> Decimal:
        """The rate for a day's month; raises FxRateMissing naming what HR has to add."""
        if from_currency == to_currency:
            return Decimal(1)
        month = month_key(day)
        found = self._rates.get((from_currency, to_currency, month))
        if found is None:
            year, mon = month.split("-")
            raise FxRateMissing(
                f"汇率表缺少{year}年{int(mon)}月{from_currency}兑{to_currency}的汇率，请先补充",
                {"rates": f"{from_currency}->{to_currency} {month}"},
            )
        return found

    def convert(self, amount: Decimal, from_currency: str, to_currency: str, day: date) -> Decimal:
        """`amount` in `to_currency`, exactly."""
        rate = self.rate(from_currency, to_currency, day)
        try:
            with localcontext(EXACT):
                return amount * rate
        except Inexact:
            raise DataInvalid("金额或汇率位数过多，超出精确计算范围", {"rates": month_key(day)}) from None


def entered_rate(month: str, from_currency: str, to_currency: str, rate: Decimal) -> FxRate:
    """A rate as HR enters it ("2026-11", "eur", "usd", 1.08): a real month, two different
    three-letter currency codes (upper-cased) and a rate above 0 — else a DataInvalid saying which."""
    try:
        year, mon = (int(part) for part in month.split("-"))
        date(year, mon, 1)
    except ValueError:
        raise DataInvalid("月份的格式应为 2026-11", {"month": month}) from None
    codes = from_currency.strip().upper(), to_currency.strip().upper()
    if not all(len(code) == 3 and code.isascii() and code.isalpha() for code in codes):
        raise DataInvalid("币种应为三个字母的代码，如 EUR、USD", {"currency": f"{from_currency}→{to_currency}"})
    if codes[0] == codes[1]:
        raise DataInvalid("两个币种相同，不需要汇率", {"currency": codes[0]})
    if not rate > 0:
        raise DataInvalid("汇率必须大于0", {"rate": str(rate)})
    return FxRate(codes[0], codes[1], f"{year:04d}-{mon:02d}", rate)
