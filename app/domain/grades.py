"""Grade bands (等级) and the 绩效系数 exported to payroll.

Bands are data (HR can change them); the grade is read from the total *as shown*, i.e. after
rounding to one decimal, so 84.95 → 85.0 is 优秀 and nobody sees a total that disagrees with its grade.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .errors import GradeBandsInvalid
from .exact import plain


@dataclass(frozen=True)
class GradeBand:
    """A grade: reached when the rounded total ≥ `min_total`; the last band has no minimum."""

    code: str
    label_zh: str
    min_total: Decimal | None
    coefficient: Decimal


class GradeBands:
    """An ordered ladder of bands, highest first, ending in a catch-all band."""

    def __init__(self, bands: Sequence[GradeBand]):
        self.bands = tuple(bands)
        problems = _problems(self.bands)
        if problems:
            raise GradeBandsInvalid("等级设置有误：" + "；".join(problems), {"grade_bands": problems})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GradeBands) and self.bands == other.bands

    def __hash__(self) -> int:
        return hash(self.bands)

    def grade_for(self, total: Decimal) -> GradeBand:
        """The band of a (rounded) total."""
        for band in self.bands:
            if band.min_total is None or total >= band.min_total:
                return band
        raise AssertionError("unreachable: the last band has no minimum")

    @property
    def lowest(self) -> GradeBand:
        """The catch-all band (不合格 by default): where a veto puts an assessment."""
        return self.bands[-1]

    def by_code(self, code: str) -> GradeBand | None:
        return next((b for b in self.bands if b.code == code), None)


def _problems(bands: tuple[GradeBand, ...]) -> list[str]:
    problems = []
    if not bands or bands[-1].min_total is not None:
        problems.append("最后一个等级不能设最低分（兜底等级）")
    given = [b.min_total for b in bands[:-1]]
    minimums = [m for m in given if m is not None]
    if len(minimums) != len(given):
        problems.append("除最后一个等级外，每个等级都要设最低分")
    elif any(a <= b for a, b in zip(minimums, minimums[1:], strict=False)):
        problems.append("等级最低分必须从高到低严格递减：" + " > ".join(plain(m) for m in minimums))
    elif minimums and minimums[-1] <= 0:
        problems.append("兜底等级以上各等级的最低分必须大于0，否则兜底等级用不到，0分以上也会有空档")
    codes = [b.code for b in bands]
    if len(set(codes)) != len(codes):
        problems.append("等级代码不能重复")
    if any(b.coefficient < 0 for b in bands):
        problems.append("绩效系数不能为负数")
    return problems


DEFAULT_BANDS = GradeBands(
    (
        GradeBand("excellent", "优秀", Decimal(85), Decimal("1.2")),
        GradeBand("good", "良好", Decimal(75), Decimal("1.0")),
        GradeBand("pass", "合格", Decimal(60), Decimal("0.8")),
        GradeBand("fail", "不合格", None, Decimal("0.5")),
    )
)
