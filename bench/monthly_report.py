"""Time the month's workbook and the report PDFs on a large demo company (issue 24):
the XLSX for every person within 15 s and 300 MB, and at least 60 report PDFs a minute from
one warm Chromium. Exits non-zero when a target is missed. Also prints how long the 数据看板 takes.

    .venv/bin/python bench/monthly_report.py --employees 5000 \
        [--database-url 'mysql+pymysql://jixiao:jixiao-ci@127.0.0.1:3306/jixiao_bench'] [--reuse]

Seeds the company into a fresh database (a temporary SQLite file without --database-url), then
builds October's workbook in a separate process the way the worker does (monthly.build), so the
peak memory is the build's own process, and renders one person after another's PDF for a minute.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

from common import ROOT, bench_app, dialect

TODAY = date(2026, 11, 27)
XLSX_SECONDS, XLSX_MB, PDFS_PER_MINUTE = 15.0, 300.0, 60


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--pdf-seconds", type=float, default=60.0)
    parser.add_argument("--reuse", action="store_true", help="the database already holds the seeded company")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)  # the child: build this cycle's workbook
    args = parser.parse_args()
    if args.build:
        return build_child(args.build)
    from app.demo import seed_demo

    with bench_app(args.database_url, fresh=not args.reuse) as (app, env):
        if not args.reuse:
            started = time.perf_counter()
            seed_demo(employees=args.employees, today=TODAY)
            print(f"seeded in {time.perf_counter() - started:.0f} s")
        print(f"dialect: {dialect(app)}  employees: {args.employees}")
        cycle_id = october()
        child = subprocess.run([sys.executable, __file__, "--build", str(cycle_id)], env={**os.environ, **env},
                               cwd=ROOT, capture_output=True, text=True)
        if child.returncode:
            sys.exit(f"the build failed:\n{child.stderr[-3000:]}")
        built = json.loads(child.stdout.splitlines()[-1])
        print(f"XLSX: {built['people']:,} people, {built['rows']:,} item rows, {built['bytes'] / 1e6:.1f} MB "
              f"in {built['seconds']:.1f} s, peak memory {built['peak_mb']:.0f} MB "
              f"(targets {XLSX_SECONDS:.0f} s, {XLSX_MB:.0f} MB)")
        first, again = time_dashboard(), time_dashboard()
        print(f"dashboard: {first:.1f} s, then {again:.1f} s with the closed months' figures kept")
        pdfs, seconds = render_for(app, cycle_id, args.pdf_seconds)
        rate = pdfs / seconds * 60
        print(f"PDF: {pdfs} report PDFs in {seconds:.0f} s = {rate:.0f} per minute (target {PDFS_PER_MINUTE})")
    missed = [name for name, ok in (("XLSX time", built["seconds"] <= XLSX_SECONDS),
                                    ("XLSX memory", built["peak_mb"] <= XLSX_MB),
                                    ("PDF rate", rate >= PDFS_PER_MINUTE)) if not ok]
    if missed:
        sys.exit("missed: " + ", ".join(missed))


def october() -> int:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Cycle

    return db.session.scalar(select(Cycle.id).where(Cycle.year == 2026, Cycle.month == 10))


def build_child(cycle_id: int) -> None:
    """In a fresh process, as a worker would: build and keep the workbook; print what it took."""
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from app.extensions import db
    from app.models import MonthlyReport
    from app.reporting import monthly
    from app.services.blobs import blob_store
    from config import Config

    app = create_app(Config(os.environ))
    with app.app_context():
        db.session.query(MonthlyReport).filter_by(cycle_id=cycle_id).delete()  # a --reuse run builds anew
        db.session.commit()
        started = time.perf_counter()
        version = monthly.build(cycle_id, None)
        seconds = time.perf_counter() - started
        peak_mb = _peak_mb()  # before reading it back
        row = db.session.query(MonthlyReport).filter_by(cycle_id=cycle_id, version=version).one()
        data = blob_store().get(row.blob_key)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "people": row.employees, "bytes": len(data),
                      "rows": _item_rows(data)}))


def _peak_mb() -> float:
    """This process's peak resident memory: VmHWM, which starts afresh at exec (getrusage's maxrss
    keeps the forking parent's peak, a whole seeded company here)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _item_rows(data: bytes) -> int:
    import io

    from openpyxl import load_workbook

    return sum(1 for _ in load_workbook(io.BytesIO(data), read_only=True)["考核明细"].iter_rows()) - 1


def time_dashboard() -> float:
    """The 数据看板 as HR opens it on the morning of the demo's today (no target: a figure to watch)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Employee
    from app.reporting import dashboard
    from app.services.authz import actor

    hr = db.session.scalar(select(Employee.id).where(Employee.is_hr).order_by(Employee.id))
    started = time.perf_counter()
    dashboard.dashboard(actor(hr), datetime(2026, 11, 27, 2, 0))
    return time.perf_counter() - started


def render_for(app, cycle_id: int, seconds: float) -> tuple[int, float]:
    """Render one person's PDF after another (one warm browser) until `seconds` have passed."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Assessment, Employee, Report
    from app.reporting import pdf
    from app.services.authz import actor

    hr = db.session.scalar(select(Employee.id).where(Employee.is_hr).order_by(Employee.id))
    people = db.session.scalars(select(Assessment.employee_id).join(Report).where(Assessment.cycle_id == cycle_id)
                                .distinct().order_by(Assessment.employee_id)).all()
    now = datetime(2026, 11, 27, 2, 0)
    pdf.person_pdf(cycle_id, people[0], actor(hr), now=now, chromium=app.config["CHROMIUM"])  # warm up
    started, rendered = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        pdf.person_pdf(cycle_id, people[rendered % len(people)], actor(hr), now=now, chromium=app.config["CHROMIUM"])
        rendered += 1
    return rendered, time.perf_counter() - started


if __name__ == "__main__":
    main()
