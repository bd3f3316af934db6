"""`flask kpi load-templates`: put the built-in departments, indicators, positions and templates
into the database.

Only what is missing is created: a template or job description HR has edited is never
overwritten, so running it again (every `make run` does) changes nothing. One audit row per run
that created anything, with the counts.
"""

from collections import Counter
from typing import TypeVar

from sqlalchemy import select

from app.domain.builtin import Catalog, load_builtin
from app.domain.codec import method_json
from app.domain.positions import Position as CatalogPosition
from app.extensions import db
from app.models import (
    Department,
    Indicator,
    JobDescription,
    KpiTemplate,
    Position,
    TemplateItem,
)
from app.models.base import Base
from app.services import audit
from app.services.usecase import use_case

M = TypeVar("M", bound=Base)


@use_case
def load_templates(catalog: Catalog | None = None) -> Counter[str]:
    """Create what the catalog has and the database lacks; returns counts of created rows."""
    catalog = catalog or load_builtin()
    created: Counter[str] = Counter()
    departments = _ensure_departments(catalog, created)
    indicators = _ensure_indicators(catalog, created)
    for position in catalog.positions.values():
        _ensure_position(position, departments, indicators, created)
    if created:
        audit.record("catalog.load", "catalog", after=dict(created), source="cli")
    db.session.commit()
    return created


def _existing(model: type[M], key: str) -> dict[str, M]:
    return {getattr(row, key): row for row in db.session.scalars(select(model))}


def _ensure_departments(catalog: Catalog, created: Counter[str]) -> dict[str, Department]:
    rows = _existing(Department, "code")
    for code, department in catalog.departments.items():
        if code not in rows:
            rows[code] = Department(code=code, name=department.name_zh)
            db.session.add(rows[code])
            created["departments"] += 1
    db.session.flush()
    return rows


def _ensure_indicators(catalog: Catalog, created: Counter[str]) -> dict[str, Indicator]:
    rows = _existing(Indicator, "code")
    for code, ind in catalog.library.items():
        if code in rows:
            continue
        rows[code] = Indicator(
            code=code, name=ind.name_zh, kind=ind.kind.value, direction=ind.direction.value,
            aggregation=ind.aggregation.value, display=ind.display.value, unit=ind.unit,
            cumulative=ind.cumulative, source=ind.source, money=ind.money.value, scored=ind.scored,
            hint=ind.hint_zh, definition=ind.definition_zh, pace_basis=ind.pace_basis.value,
        )
        db.session.add(rows[code])
        created["indicators"] += 1
    db.session.flush()
    return rows


def _ensure_position(position: CatalogPosition, departments: dict[str, Department], indicators: dict[str, Indicator],
                     created: Counter[str]) -> None:
    row = db.session.scalar(select(Position).where(Position.code == position.code))
    if row is None:
        row = Position(code=position.code, name=position.name_zh,
                       department_id=departments[position.department_code].id)
        db.session.add(row)
        db.session.flush()
        created["positions"] += 1
    if row.job_description is None:
        jd = position.job_description
        db.session.add(JobDescription(
            position_id=row.id,
            duties=[{"text": d.text_zh, "frequency": d.frequency_zh, "standard": d.standard_zh} for d in jd.duties],
            authorities=[{"text": a.text_zh, "limit": a.limit_zh} for a in jd.authorities],
            goals=[{"text": g.text_zh, "period": g.period} for g in jd.goals],
        ))
        created["job_descriptions"] += 1
    if db.session.scalar(select(KpiTemplate.id).where(KpiTemplate.position_id == row.id)) is None:
        template = position.template
        db.session.add(KpiTemplate(
            position_id=row.id, currency=template.currency, editable=template.editable,
            items=[
                TemplateItem(indicator_id=indicators[item.indicator_code].id, sort=i, weight=item.weight,
                             target=item.target, cap=item.cap, floor=item.floor,
                             rater=item.rater.value if item.rater else None, method=method_json(item.method))
                for i, item in enumerate(template.items)
            ],
        ))
        created["templates"] += 1
    db.session.flush()
