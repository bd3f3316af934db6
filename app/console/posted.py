"""Reading the console's posted forms: non-blank fields, dates, and running a 新建 or change with
its refusal flashed."""

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import flash, redirect, request

from app.domain.errors import DomainError
from app.errors import ApiError


def fields(*names: str) -> dict[str, str]:
    """The form's non-blank fields, stripped: a blank one is left out, so the service's default
    applies or its refusal names the field as required."""
    return {key: value for key in names if (value := request.form.get(key, "").strip())}


def added(add: Callable[[], str], back: str) -> Any:
    """Run one of the 新建 forms: to the new thing's page, or back with the refusal."""
    try:
        return redirect(add())
    except DomainError as refusal:
        flash("未新建：" + refusal.message, "error")
        return redirect(back)


def day(field: str, label: str) -> date:
    """A date field of a people form, or a refusal naming it."""
    try:
        return date.fromisoformat(request.form.get(field, ""))
    except ValueError:
        raise ApiError("invalid_date", f"请填写{label}（年-月-日）", 422, {field: "不是有效日期"}) from None
