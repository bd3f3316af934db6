"""Company settings: read with a default, changed by HR with an audit row."""

from typing import Any

from sqlalchemy import select

from app.errors import ApiError
from app.extensions import db
from app.models import CompanySetting
from app.services import audit, authz
from app.services.usecase import use_case

KNOWN: dict[str, tuple[type[int], int, int, str]] = {"retention_months": (int, 1, 120, "数据保留期（月）")}


def get(key: str, default: Any = None) -> Any:
    """The stored JSON value of `key`, or `default` when it was never set."""
    row = db.session.scalar(select(CompanySetting).where(CompanySetting.key == key))
    return default if row is None else row.value["value"]


@use_case
def put(key: str, value: str | int | float, *, hr_id: int) -> int:
    """Change a known setting within its bounds; HR only."""
    authz.require(authz.actor(hr_id), authz.Action.CHANGE_SETTINGS, authz.Subject())
    if key not in KNOWN:
        raise ApiError("unknown_setting", f"没有名为「{key}」的设置", 404)
    kind, low, high, label = KNOWN[key]
    try:
        value = kind(value)
    except (TypeError, ValueError):
        raise ApiError("setting_invalid", f"{label}必须是数字", 422, {key: "必须是数字"}) from None
    if not low <= value <= high:
        raise ApiError("setting_invalid", f"{label}必须在{low}到{high}之间", 422, {key: f"{low}–{high}"})
    row = db.session.scalar(select(CompanySetting).where(CompanySetting.key == key))
    before = None if row is None else row.value
    if row is None:
        row = CompanySetting(key=key, value={"value": value})
        db.session.add(row)
    row.value, row.updated_by = {"value": value}, hr_id
    audit.record("setting.change", "company_setting", None, actor_id=hr_id, before=before, after={key: value})
    db.session.commit()
    return value
