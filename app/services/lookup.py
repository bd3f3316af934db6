"""What the workflow services look up by id or code: an assessment's cycle, an indicator, how a
figure reads, a person's name, who HR is, which sources are configured."""

from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select

from app.domain.formatting import format_value
from app.domain.indicators import Display
from app.extensions import db
from app.models import Assessment, Cycle, Employee, Indicator, SourceSetting


def cycle_of(assessment: Assessment) -> Cycle:
    cycle = db.session.get(Cycle, assessment.cycle_id)
    assert cycle is not None, "assessment.cycle_id is a foreign key to cycle"
    return cycle


def indicator(code: str) -> Indicator:
    ind = db.session.scalar(select(Indicator).where(Indicator.code == code))
    assert ind is not None, f"indicator {code!r} named by an item is in the library (indicators are never deleted)"
    return ind


def display_of(ind: Indicator) -> Display:
    """How the indicator's figures are written and typed: a qualitative item's as a rating (4.5分)."""
    return Display.RATING if ind.kind == "qualitative" else Display(ind.display)


def format_figure(ind: Indicator, value: Decimal | Fraction | None, currency: str = "") -> str:
    """A figure as people read it ("5%", "2.8:1", "100,000 USD", "4.5分")."""
    if value is None:
        return "无"
    return format_value(Fraction(value), display_of(ind), ind.unit, currency)


def name_of(employee_id: int) -> str:
    return db.session.scalar(select(Employee.name).where(Employee.id == employee_id)) or ""


def hr_members(*, exclude: int | None = None) -> list[int]:
    """Active HR members, optionally without the person concerned."""
    ids = db.session.scalars(
        select(Employee.id).where(Employee.is_hr, Employee.status == "active").order_by(Employee.id)
    )
    return [i for i in ids if i != exclude]


def configured_sources() -> frozenset[str]:
    """The sources marked configured (app.models.SourceSetting): the close expects figures from these
    alone, and only their items' bars follow sync runs; another source's items take what the person
    reports (or an import brings) as their figures of record."""
    return frozenset(db.session.scalars(select(SourceSetting.source).where(SourceSetting.configured.is_(True))))
