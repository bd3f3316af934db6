"""Company settings as the rules read them: what HR set over the defaults, and the copy each month froze.

The rules of a month read `of_month` (or `of_cycle`): a month that has opened reads the settings it
froze when it opened, so changing the bands never regrades a past month when it is re-published;
a month still in draft, or not created yet, reads the current settings. HR changes them through
app.services.org.company_settings. (No use case lives here, so the time helpers can import it.)
"""

from sqlalchemy import select

from app.domain.settings import CompanySettings
from app.extensions import db
from app.models import CompanySetting, Cycle


def current() -> CompanySettings:
    """The settings in force for a month that has not opened yet: HR's values over the defaults."""
    rows = db.session.execute(select(CompanySetting.key, CompanySetting.value)).all()
    return CompanySettings.from_stored({key: value["value"] for key, value in rows})


def of_cycle(cycle: Cycle) -> CompanySettings:
    """The settings a month's rules read: frozen at opening, current while a draft."""
    return current() if cycle.settings is None else CompanySettings.from_stored(cycle.settings)


def of_month(year: int, month: int) -> CompanySettings:
    """`of_cycle` for a month given by number (the month of a day, of a moment, of a reminder)."""
    frozen = db.session.scalar(select(Cycle.settings).where(Cycle.year == year, Cycle.month == month))
    return current() if frozen is None else CompanySettings.from_stored(frozen)


def freeze(cycle: Cycle) -> None:
    """Keep today's settings on a month that is opening (the caller commits with the opening)."""
    cycle.settings = current().stored()
