"""How long after a submission its progress bar is visible, with one real RQ worker (target p95 ≤ 2 s).

    .venv/bin/python bench/progress_latency.py --employees 500 --submissions 300 [--database-url URL]

Seeds the demo company (today = today in the business time zone, so the month is open), starts one
worker process, then submits today's progress for many employees through the same service the
mini-program API calls, as fast as one client can. A submission is visible when its assessment's
progress snapshot exists (the seed writes none). Prints p50, p95 and the maximum.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time

import sqlalchemy as sa
from common import ROOT, bench_app, dialect


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=500)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    with bench_app(args.database_url) as (app, env):
        latencies = measure(app, env, args)
        kind = dialect(app)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"dialect: {kind}  employees: {args.employees}  "
          f"submissions: {len(latencies)}  worker: 1")
    print(f"latency until visible: p50 {statistics.median(latencies):.3f} s  p95 {p95:.3f} s  "
          f"max {latencies[-1]:.3f} s")


def measure(app, env: dict, args) -> list[float]:
    from app.demo import seed_demo
    from app.extensions import db
    from app.models import Assessment, Cycle, ProgressSnapshot
    from app.services.authz import actor
    from app.services.business_time import business_today
    from app.services.observations.submissions import submit

    today = business_today()
    seed_demo(employees=args.employees, today=today)
    targets = db.session.execute(
        sa.select(Assessment.id, Assessment.employee_id).join(Cycle).where(
            Cycle.status == "open", Assessment.first_day <= today, Assessment.last_day >= today)
        .order_by(Assessment.id).limit(args.submissions)
    ).all()
    worker = subprocess.Popen([sys.executable, "-m", "workers", "worker"], cwd=ROOT, env={**os.environ, **env},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    submitted: dict[int, float] = {}
    watcher = Watcher(app, submitted, ProgressSnapshot)
    try:
        time.sleep(2)  # let the worker start before the clock runs
        watcher.start()
        for assessment_id, employee_id in targets:
            submit(employee_id, today, {}, actor(employee_id), "今日工作已完成")
            submitted[assessment_id] = time.perf_counter()
        watcher.expected = len(targets)
        watcher.join(timeout=300)
    finally:
        worker.terminate()
        worker.wait()
    if len(watcher.latencies) < len(targets):
        raise SystemExit(f"{len(targets) - len(watcher.latencies)} submissions never became visible")
    return watcher.latencies


class Watcher(threading.Thread):
    """Polls for new snapshots every 10 ms while submissions go on, in its own session."""

    def __init__(self, app, submitted: dict, snapshot_model):
        super().__init__(daemon=True)
        self.app, self.submitted, self.model = app, submitted, snapshot_model
        self.latencies: list[float] = []
        self.expected: int | None = None

    def run(self) -> None:
        from app.extensions import db

        seen: set[int] = set()
        with self.app.app_context():
            while self.expected is None or len(seen) < self.expected:
                pending = [a for a in list(self.submitted) if a not in seen]
                if pending:
                    found = db.session.scalars(sa.select(self.model.assessment_id).where(
                        self.model.assessment_id.in_(pending))).all()
                    now = time.perf_counter()
                    for assessment_id in found:
                        seen.add(assessment_id)
                        self.latencies.append(now - self.submitted[assessment_id])
                db.session.rollback()
                time.sleep(0.01)


if __name__ == "__main__":
    main()
