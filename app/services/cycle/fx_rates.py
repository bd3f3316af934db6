"""HR enters a month's exchange rates (汇率表) in the console or the CLI (`flask kpi fx-rate`).

A figure in another currency than its assessment's cannot be scored without the month's rate, so
the close waits for it and the daily 结算待办 names each one missing (docs/product.md "The monthly
process"). A rate may be corrected until its month is scored; after that, published scores rest on
it, and a change would silently disagree with them.
"""

from decimal import Decimal

from sqlalchemy import select

from app.domain.cycles import CycleStatus
from app.domain.errors import Conflict
from app.domain.fx import entered_rate
from app.extensions import db
from app.models import Cycle, FxRate
from app.services import audit, authz
from app.services.authz import Action, Actor, Subject, require
from app.services.cycle.completeness import missing_rates
from app.services.usecase import DecimalInput, JsonDict, decimal_of, use_case


@use_case
def set_rate(month: str, currency: str, target: str, rate: DecimalInput, *, hr_id: int) -> str:
    """HR sets 1 `currency` = `rate` `target` for `month` ("2026-11"); audited with the rate before.
    Returns what was recorded, for people."""
    authz.require(authz.actor(hr_id), authz.Action.RUN_CYCLE, authz.Subject())
    fx = entered_rate(month, currency, target, decimal_of(rate, "rate", "汇率"))
    year, number = (int(part) for part in fx.month.split("-"))
    if not _editable(fx.month):
        raise Conflict("month_scored", f"{year}年{number}月已开始评分，汇率不能再修改", {"month": fx.month})
    row = db.session.scalar(select(FxRate).where(FxRate.month == fx.month, FxRate.currency == fx.from_currency,
                                                 FxRate.target_currency == fx.to_currency))
    before = {"rate": str(row.rate)} if row else None
    if row is None:
        row = FxRate(month=fx.month, currency=fx.from_currency, target_currency=fx.to_currency)
        db.session.add(row)
    row.rate = fx.rate
    db.session.flush()
    audit.record("fx.set_rate", "fx_rate", row.id, actor_id=hr_id, before=before,
                 after={"month": fx.month, "currency": fx.from_currency, "target_currency": fx.to_currency,
                        "rate": str(fx.rate)})
    db.session.commit()
    return f"已录入{year}年{number}月汇率：1 {fx.from_currency} = {_plain(fx.rate)} {fx.to_currency}"


def _plain(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


def listing(who: Actor, months: int = 6) -> JsonDict:
    """The rates HR entered for the latest `months` months (newest first), whether each may still be
    corrected, and the rates a month not yet scored still waits for."""
    require(who, Action.RUN_CYCLE, Subject())
    latest = db.session.scalars(select(FxRate.month).distinct().order_by(FxRate.month.desc()).limit(months)).all()
    rows = db.session.scalars(select(FxRate).where(FxRate.month.in_(latest))
                              .order_by(FxRate.month.desc(), FxRate.currency, FxRate.target_currency))
    editable = {month: _editable(month) for month in latest}
    shown = [{"month": row.month, "currency": row.currency, "target": row.target_currency,
              "rate": _plain(row.rate), "editable": editable[row.month]} for row in rows]
    waiting = db.session.scalars(select(Cycle).where(Cycle.status.in_((CycleStatus.DRAFT, CycleStatus.OPEN)))
                                 .order_by(Cycle.year, Cycle.month))
    return {"rates": shown, "missing": [m for cycle in waiting for m in missing_rates(cycle)]}


def _editable(month: str) -> bool:
    year, number = (int(part) for part in month.split("-"))
    status = db.session.scalar(select(Cycle.status).where(Cycle.year == year, Cycle.month == number))
    return status in (None, CycleStatus.DRAFT, CycleStatus.OPEN)
