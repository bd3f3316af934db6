"""The mini-program end to end (issue 22): the real page code (miniprogram/tests/e2e/submit.e2e.js,
run by jest under Node) against the real Flask app served over HTTP and a real worker process.
A demo employee signs in, the home page shows their bars, they submit a figure with a screenshot
while the first answer to the submit is lost on the way back, and the bar moves once the worker
has recomputed progress; the day is stored once."""

import json
import os
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.models import Employee, Observation, ProgressEntry, ProgressSnapshot, Screenshot
from app.services.authz import actor
from app.services.cycle import targets
from app.services.org import profile
from app.standins.harness import ServedApp
from tests.miniprogram import screenshots
from tests.support.clock import utc
from tests.support.demo import seeded_demo
from tests.support.images import png_bytes
from tests.support.workers import start_worker

pytestmark = pytest.mark.embedded_only  # see tests/pytest.ini

TODAY = date(2026, 11, 27)


def someone_with_a_typed_figure(session) -> tuple[Employee, str]:
    """A demo employee with a rate they type in themselves (done ÷ all: the demo's typed items are rates)."""
    for person in session.scalars(select(Employee).where(Employee.status == "active").order_by(Employee.id)):
        for sheet in profile.current_assessments(actor(person.id)):
            for item in targets.targets_view(sheet["id"], actor(person.id))["items"]:
                entry = item["entry"]
                if entry["by"] == "self" and entry["display"] in ("money", "number"):
                    return person, item["indicator"]
    raise AssertionError("the demo has nobody who types a figure in")


@pytest.fixture
def served(app):
    server = ServedApp(app)
    yield server.url
    server.stop()


def test_a_demo_employee_submits_with_a_screenshot_and_the_bar_moves(app, clock, standin, served, db_session,
                                                                     tmp_path, monkeypatch):
    seeded_demo(today=TODAY)
    clock.now = utc(27, 15)
    standin.configure(dev_codes=True)
    person, indicator = someone_with_a_typed_figure(db_session)
    shot, out = tmp_path / "shot.png", tmp_path / "result.json"
    shot.write_bytes(png_bytes(seed=27, size=(360, 640)))
    monkeypatch.setenv("JIXIAO_FROZEN_NOW", clock.now.isoformat())
    worker = start_worker(app, tmp_path / "worker.log")
    try:
        run = screenshots.node(
            "npx", "jest", "--config", "tests/e2e/jest.config.js", "--silent", timeout=240,
            env={**os.environ, "JIXIAO_E2E_API": f"{served}/api/mp/v1",
                 "JIXIAO_E2E_EMPLOYEE": person.employee_no, "JIXIAO_E2E_INDICATOR": indicator,
                 "JIXIAO_E2E_VALUE": "7", "JIXIAO_E2E_OF": "8", "JIXIAO_E2E_SHOT": str(shot),
                 "JIXIAO_E2E_OUT": str(out)})
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:] + (tmp_path / "worker.log").read_text()[-2000:]
    result = json.loads(out.read_text())
    print("bar", result["before"], "→", result["after"])
    assert result["before"] != result["after"], result
    assert result["posts"] == 2 and len(result["keys"]) == 1  # sent again after the lost answer, with its key

    db_session.rollback()
    entries = db_session.scalars(select(ProgressEntry).where(ProgressEntry.employee_id == person.id,
                                                             ProgressEntry.day == TODAY)).all()
    assert len(entries) == 1
    figure = db_session.execute(select(Observation.numerator, Observation.denominator).where(
        Observation.progress_entry_id == entries[0].id, Observation.indicator_code == indicator)).one()
    assert tuple(figure) == (Decimal(7), Decimal(8))
    snapshot = db_session.scalar(select(ProgressSnapshot.body).where(
        ProgressSnapshot.assessment_id == entries[0].assessment_id))
    stored_bar = next(i["progress"]["label"] for i in snapshot["items"] if i["indicator"] == indicator)
    assert stored_bar == result["after"]  # the bar the page shows is the one the worker stored
    attached = db_session.scalar(select(func.count()).select_from(Screenshot).where(
        Screenshot.progress_entry_id == entries[0].id, Screenshot.id == result["shot"]))
    assert attached == 1
