"""HR changes a company setting (the console or the CLI): checked, audited, frozen per month.

The values are read through app.services.settings; a change applies to months that open after it.
"""

from typing import Any

from sqlalchemy import select

from app.domain.settings import REGISTRY
from app.extensions import db
from app.models import CompanySetting
from app.services import audit, authz, settings
from app.services.usecase import use_case


@use_case
def change(key: str, value: Any, *, hr_id: int) -> str:
    """HR changes one setting; the value is checked alone and against the other settings, and the
    change is audited. Months already open keep theirs. Returns the value as stored (text)."""
    authz.require(authz.actor(hr_id), authz.Action.CHANGE_SETTINGS, authz.Subject())
    before = settings.current()
    after = before.changed(key, value)
    stored = after.stored()[key]
    row = db.session.scalar(select(CompanySetting).where(CompanySetting.key == key))
    if row is None:
        row = CompanySetting(key=key, value={"value": stored})
        db.session.add(row)
        db.session.flush()
    row.value, row.updated_by = {"value": stored}, hr_id
    audit.record("setting.change", "company_setting", row.id, actor_id=hr_id,
                 before={key: before.stored()[key]}, after={key: stored})
    db.session.commit()
    return after.shown(key)


def listing() -> list[dict[str, str]]:
    """Every setting with its label, current value and how it is written (for the CLI and console)."""
    values = settings.current()
    return [{"key": key, "label_zh": s.label_zh, "value": values.shown(key), "hint_zh": s.hint_zh}
            for key, s in REGISTRY.items()]


def bands() -> list[dict[str, Any]]:
    """The grade bands as rows (code, label_zh, min_total, coefficient), highest first, for the
    console's band editor."""
    return list(settings.current().stored()["grade_bands"])
