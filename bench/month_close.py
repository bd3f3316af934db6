"""Time a month's close (the scoring run in chunk jobs) with 1 and 2 real RQ workers.

    .venv/bin/python bench/month_close.py --employees 5000 \
        --database-url 'mysql+pymysql://jixiao:jixiao-ci@127.0.0.1:3306/jixiao_bench'

Seeds the demo company of that size into a fresh database (skip with --reuse when it is already
there), then closes the open month: start the run, let N worker processes drain the chunk jobs,
stop the clock when the run is published. Between the two timings the month is put back to open.
Also prints one raw SQL aggregate over the same observations — the floor no scoring run can beat.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import date

import sqlalchemy as sa
from common import ROOT, bench_app, dialect

TODAY = date(2026, 11, 27)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--reuse", action="store_true", help="the database already holds the seeded company")
    args = parser.parse_args()
    from app.demo import seed_demo

    with bench_app(args.database_url, fresh=not args.reuse) as (app, env):
        if args.reuse:
            reopen()
        else:
            started = time.perf_counter()
            seed_demo(employees=args.employees, today=TODAY)
            print(f"seeded in {time.perf_counter() - started:.1f} s")
        print(f"dialect: {dialect(app)}  employees: {args.employees}")
        print(f"raw SQL aggregate of the month's observations: {raw_floor():.2f} s")
        for workers in (1, 2):
            seconds, assessments = close_month(env, workers)
            print(f"month close with {workers} worker(s): {seconds:.1f} s for {assessments:,} assessments "
                  f"({assessments / seconds:,.0f}/s)")
            reopen()


def raw_floor() -> float:
    from app.extensions import db

    started = time.perf_counter()
    db.session.execute(sa.text(
        "SELECT employee_id, indicator_code, SUM(numerator), SUM(denominator), COUNT(*) FROM observation "
        "WHERE day BETWEEN :first AND :last GROUP BY employee_id, indicator_code"
    ), {"first": date(2026, 11, 1), "last": date(2026, 11, 30)}).all()
    return time.perf_counter() - started


def close_month(env: dict, workers: int) -> tuple[float, int]:
    from app.extensions import db
    from app.models import Cycle, ScoringRun
    from app.services.scoring import chunks, runs

    november = db.session.scalar(sa.select(Cycle).where(Cycle.year == 2026, Cycle.month == 11))
    assessments = len(runs.assessment_ids(november.id))
    started = time.perf_counter()
    run_id = chunks.close_cycle(november.id, reason="bench")
    procs = [subprocess.Popen([sys.executable, "-m", "workers", "worker", "--burst"], cwd=ROOT,
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(workers)]
    for proc in procs:
        proc.wait()
    elapsed = time.perf_counter() - started
    db.session.rollback()
    assert db.session.get(ScoringRun, run_id).status == "done", "the run did not publish"
    return elapsed, assessments


def reopen() -> None:
    """Put November back to open without its run (bench only), so the next timing starts equal."""
    from app.extensions import db
    from app.models import Assessment, Cycle, ItemScore, Report, Score, ScoringRun

    november = db.session.scalar(sa.select(Cycle).where(Cycle.year == 2026, Cycle.month == 11))
    ids = sa.select(Assessment.id).where(Assessment.cycle_id == november.id)
    runs = sa.select(ScoringRun.id).where(ScoringRun.cycle_id == november.id)
    november.status, november.visible_run_id = "open", None
    db.session.flush()
    db.session.execute(sa.delete(Report).where(Report.assessment_id.in_(ids)))
    db.session.execute(sa.delete(ItemScore).where(ItemScore.run_id.in_(runs)))
    db.session.execute(sa.delete(Score).where(Score.run_id.in_(runs)))
    db.session.execute(sa.delete(ScoringRun).where(ScoringRun.cycle_id == november.id))
    db.session.commit()


if __name__ == "__main__":
    main()
