"""The demo's screenshots: the last days' entries of the people who report figures by hand carry a
screenshot of their tool's screen showing what they reported — now and then a screen that shows a
different figure, so the manager sees 截图未见填报数字 once the OCR job has read it.

Stored through the same path as an upload (cleaned, kept once by content hash, a row per entry);
WeChat's check is taken as passed at the time (history), and every screenshot is queued for OCR so
a running worker reads them after `make run` starts. The people who upload accepted the privacy
notice before their first screenshot.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.demo.screens import seller_screen
from app.extensions import db
from app.models import Employee, Indicator, Observation, Position, PrivacyConsent, ProgressEntry, Screenshot
from app.services.blobs import blob_store
from app.services.observations import images, privacy

DAYS = 31  # calendar days before today whose entries carry a screenshot (the month so far)
TOOLS = {"ops": "amazon", "cs": "zendesk", "warehouse": "erp", "designer": "design", "purchaser": "purchase"}
WRONG_SHARE = 0.1  # a screen that shows another figure than the one reported


def attach_screenshots(today: date, seed: int) -> list[int]:
    """Add the screenshots, in the caller's transaction; returns their ids, for the OCR jobs the
    caller queues once it committed."""
    rows = db.session.execute(
        select(ProgressEntry, Position.code).join(Employee, Employee.id == ProgressEntry.employee_id)
        .join(Position, Position.id == Employee.position_id)
        .where(ProgressEntry.day >= today - timedelta(days=DAYS), ProgressEntry.day < today,
               Position.code.in_(TOOLS)).order_by(ProgressEntry.id)).all()
    claims = _claims([entry.id for entry, _ in rows])
    store, made, consented = blob_store(), [], set()
    for entry, position in rows:
        figures = claims.get(entry.id)
        if not figures:
            continue
        rng = random.Random(f"{seed}/screen/{entry.id}")
        cards = [(name, _printed(value if rng.random() >= WRONG_SHARE else value * Decimal("1.37"), display))
                 for name, value, display in figures]
        image = images.clean(seller_screen(TOOLS[position], entry.day.isoformat(), cards, seed=entry.id))
        if not store.exists(image.key):
            store.put(image.key, image.data, image.content_type)
        uploaded = entry.submitted_at - timedelta(minutes=rng.randrange(2, 20))
        if entry.employee_id not in consented:
            consented.add(entry.employee_id)
            db.session.add(PrivacyConsent(employee_id=entry.employee_id, version=privacy.VERSION,
                                          accepted_at=uploaded - timedelta(minutes=1)))
        made.append(Screenshot(
            progress_entry_id=entry.id, owner_id=entry.employee_id, storage_key=image.key, sha256=image.sha256,
            content_type=image.content_type, width=image.width, height=image.height, size_bytes=len(image.data),
            check_status="pass", checked_at=uploaded + timedelta(seconds=40), uploaded_at=uploaded))
    db.session.add_all(made)
    db.session.flush()
    return [shot.id for shot in made]


def _claims(entry_ids: list[int]) -> dict[int, list[tuple[str, Decimal, str]]]:
    """Each entry's self-reported figures: (name, value as shown, display)."""
    found: dict[int, list[tuple[str, Decimal, str]]] = {}
    if not entry_ids:
        return found
    for entry_id, name, numerator, denominator, display in db.session.execute(
            select(Observation.progress_entry_id, Indicator.name, Observation.numerator, Observation.denominator,
                   Indicator.display).join(Indicator, Indicator.code == Observation.indicator_code)
            .where(Observation.progress_entry_id.in_(entry_ids)).order_by(Observation.indicator_code)):
        value = (numerator / denominator if denominator else numerator) * (100 if display == "percent" else 1)
        found.setdefault(entry_id, []).append((name, value, display))
    return found


def _printed(value: Decimal, display: str) -> str:
    """A figure the way seller tools print it."""
    if display == "percent":
        return f"{value:.1f}%"
    if display == "money":
        return f"${value:,.2f}"
    if display == "ratio":
        return f"{value:.2f}"
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
