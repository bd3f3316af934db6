"""Does a screenshot show the figure the person claimed? (截图未见填报数字)

OCR gives the text of each screenshot; seller tools print numbers their own way — thousands
separators (1,000 / 1，000), full-width digits, currency signs ($3,421.50, ￥, US$), percent signs,
units (次, 单, 件) and 万 (1.2万 = 12,000). Every number on the screen is read with its decimal places,
and a claimed figure counts as shown when a number on the screen equals it as the screen rounds it
(4.2% shows a claimed 4.17%; 1,000 shows 1,000). For a ratio the parts count too (120 orders,
1 wrong item), and for a percent the percentage.

The check never rejects anything: a day whose claimed figures appear on none of its screenshots is
marked for the manager, who looks.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

SEEN, NOT_SEEN = "seen", "not_seen"

_FULL_WIDTH = str.maketrans("０１２３４５６７８９，．％＄￥：－", "0123456789,.%$¥:-")
# A number: digits with optional thousands groups (1,000,000), optional decimals; 万 after it.
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(万)?")


@dataclass(frozen=True)
class ScreenNumber:
    value: Decimal
    places: int  # decimal places as printed: the screen's rounding

    def shows(self, figure: Decimal) -> bool:
        """The printed number equals `figure` rounded to the printed places."""
        return abs(figure - self.value) <= Decimal(5) / (Decimal(10) ** (self.places + 1))


@dataclass(frozen=True)
class Claim:
    """One self-reported figure: a count or amount, or a ratio's parts (percent: shown ×100)."""

    numerator: Decimal
    denominator: Decimal | None = None
    percent: bool = False

    def forms(self) -> list[Decimal]:
        """Every way a screen could print this figure."""
        forms = [self.numerator]
        value = self.numerator
        if self.denominator:
            value = self.numerator / self.denominator
            forms += [self.denominator, value]
        return forms + [value * 100] if self.percent else forms


def numbers_in(text: str) -> list[ScreenNumber]:
    """The numbers printed in OCR text, full-width forms and separators normalised."""
    found = []
    for match in _NUMBER.finditer(text.translate(_FULL_WIDTH)):
        whole, decimals, wan = match.group(1).replace(",", ""), match.group(2) or "", match.group(3)
        value = Decimal(f"{whole}.{decimals}" if decimals else whole)
        places = len(decimals)
        found.append(ScreenNumber(value, places))
        if wan:
            found.append(ScreenNumber(value * 10000, max(places - 4, 0)))
    return found


def shown(claim: Claim, numbers: Iterable[ScreenNumber]) -> bool:
    forms = claim.forms()
    return any(number.shows(form) for number in numbers for form in forms)


def figure_check(claims: list[Claim], texts: list[str]) -> str | None:
    """SEEN when any claimed figure is on any of the day's screenshots, NOT_SEEN when none is,
    None when there is nothing to compare (no claims, or no screenshots)."""
    if not claims or not texts:
        return None
    numbers = [number for text in texts for number in numbers_in(text)]
    return SEEN if any(shown(claim, numbers) for claim in claims) else NOT_SEEN
