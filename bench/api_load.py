"""Open-loop load on the mini-program API served as `make run` serves it (issue 19 targets: the home
page's request at 200 req/s with p95 ≤ 50 ms and no errors); exits non-zero when a target is missed.

    .venv/bin/python bench/api_load.py --employees 5000 \
        --database-url 'mysql+pymysql://jixiao:jixiao-ci@127.0.0.1:3306/jixiao_bench' [--keep]

1. Seeds the demo company (`--today`, default 27 Nov 2026, so November is open with most of its
   days) and computes every open assessment's progress, as the clock's first tick would. `--keep`
   reuses a database already seeded by an earlier run.
2. Starts gunicorn with workers.supervisor.web_command (gunicorn.conf.py, as `make run`).
3. From a separate process (the load generator), measures:
   - hello: `GET /livez` (Flask and gunicorn, nothing else) closed-loop from `--hello-clients`
     connections as fast as they go: the floor, the most this server answers at all;
   - home: `GET /api/mp/v1/assessments/{id}` — the home page's sheet with live progress, pace,
     projection and alerts — each request signed in as a random employee, sent open-loop on a fixed
     schedule at `--rate` req/s for `--seconds`; a latency runs from the request's scheduled time,
     so a server that falls behind is charged for the queue it builds.
   The submission with a 1 MB screenshot at 10 req/s waits for screenshots (issue 20).
4. Prints p50/p95/p99/max, errors, achieved rate, and the CPU seconds used by the server (gunicorn
   and its workers) and by the load generator in each phase.
"""

import argparse
import http.client
import multiprocessing
import os
import queue
import random
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

import psutil
import sqlalchemy as sa
from common import bench_app, dialect

HOME_P95_MS = 50.0
API = "/api/mp/v1"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 27))
    parser.add_argument("--keep", action="store_true", help="reuse a database an earlier run seeded")
    parser.add_argument("--rate", type=float, default=200.0, help="home requests per second (open loop)")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the home phase (measured)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of home load before it is measured")
    parser.add_argument("--hello-clients", type=int, default=16)
    parser.add_argument("--threads", type=int, default=64, help="generator threads (open connections)")
    args = parser.parse_args()
    with bench_app(args.database_url, fresh=not args.keep) as (app, env):
        kind = dialect(app)
        sheets = prepare(app, args)
        env = env | {"SECRET_KEY": app.config["SECRET_KEY"], "JIXIAO_ENV": "embedded"}
        from app.standins.wechat_state import dev_environment
        from tests.support.webserver import WebServer

        env |= dev_environment("http://127.0.0.1:9")  # WeChat configured; nothing here calls it
        with WebServer(env, Path(env["JIXIAO_INSTANCE"]) / "gunicorn.log") as server:
            print(f"dialect: {kind}  employees: {args.employees}  server: gunicorn.conf.py "
                  f"({len(server.workers())} workers)  cores: {os.cpu_count()}")
            hello = phase(server, "hello", {"clients": args.hello_clients, "seconds": 10.0})
            home = phase(server, "home", {"rate": args.rate, "seconds": args.seconds, "warmup": args.warmup,
                                          "threads": args.threads, "sheets": sheets})
    print("submission with a 1 MB screenshot at 10 req/s: not measured — screenshots come with issue 20")
    missed = []
    if home["p95_ms"] > HOME_P95_MS:
        missed.append(f"home p95 {home['p95_ms']:.1f} ms > {HOME_P95_MS:.0f} ms")
    if home["errors"]:
        missed.append(f"home errors {home['errors']}")
    if home["achieved"] < 0.98 * args.rate:
        missed.append(f"home sent {home['achieved']:.0f} req/s, not {args.rate:.0f}")
    print("targets: " + ("MISSED — " + "; ".join(missed) if missed else f"met (hello floor {hello['rate']:.0f} req/s)"))
    return 1 if missed else 0


def prepare(app, args) -> list[tuple[int, str]]:
    """The company, every open assessment's progress, and (sheet id, token) for each employee."""
    from app.api.mp import token_for
    from app.demo import seed_demo
    from app.extensions import db
    from app.models import Assessment, Cycle, Employee, ProgressSnapshot, WeChatIdentity
    from app.services.scoring.progress import recompute_many

    if not args.keep or db.session.scalar(sa.select(Employee.id).limit(1)) is None:
        started = time.perf_counter()
        seed_demo(employees=args.employees, today=args.today)
        print(f"seeded in {time.perf_counter() - started:.1f} s")
    open_ids = db.session.scalars(sa.select(Assessment.id).join(Cycle).where(Cycle.status == "open")
                                  .order_by(Assessment.id)).all()
    have = set(db.session.scalars(sa.select(ProgressSnapshot.assessment_id)))
    missing = [i for i in open_ids if i not in have]
    started = time.perf_counter()
    for at in range(0, len(missing), 500):
        recompute_many(missing[at:at + 500], args.today)
    print(f"progress of {len(missing)} open assessments computed in {time.perf_counter() - started:.1f} s "
          f"({len(open_ids)} open)")
    rows = db.session.execute(
        sa.select(Assessment.id, Employee.id, WeChatIdentity.external_id)
        .join(Cycle, Cycle.id == Assessment.cycle_id).join(Employee, Employee.id == Assessment.employee_id)
        .join(WeChatIdentity, (WeChatIdentity.employee_id == Employee.id) & (WeChatIdentity.channel == "mp"))
        .where(Cycle.status == "open", Employee.status == "active")).all()
    if not rows:
        raise SystemExit("no employee with a mini-program binding and an open assessment: nothing to load")
    return [(sheet, token_for(employee_id, openid)) for sheet, employee_id, openid in rows]


def phase(server, name: str, plan: dict) -> dict:
    """Run one phase in the generator process; print and return its figures."""
    before = server_cpu(server)
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of the server side
    results = spawn.Queue()
    generator = spawn.Process(target=generate, args=(server.port, name, plan, results))
    generator.start()
    figures = results.get(timeout=plan["seconds"] + 120)
    generator.join(timeout=30)
    user, system, db_user, db_system = server_cpu(server) - before
    used, wall = user + system, figures["wall"]
    print(f"{name}: {figures['count']} requests in {wall:.1f} s = {figures['achieved']:.0f} req/s; "
          f"p50 {figures['p50_ms']:.1f} ms  p95 {figures['p95_ms']:.1f} ms  p99 {figures['p99_ms']:.1f} ms  "
          f"max {figures['max_ms']:.1f} ms  errors {figures['errors']}")
    print(f"  CPU: server {used:.1f} s ({used / wall:.2f} cores; user {user:.1f} s, system {system:.1f} s, "
          f"{used / figures['sent'] * 1000:.2f} ms a request)  database {db_user + db_system:.1f} s "
          f"({(db_user + db_system) / wall:.2f} cores)  generator {figures['cpu']:.1f} s "
          f"({figures['cpu'] / wall:.2f} cores)")
    figures["rate"] = figures["achieved"]
    return figures


def server_cpu(server) -> "Cpu":
    """CPU seconds of gunicorn's master and its workers so far, and of the local database server."""
    return Cpu(_cpu([psutil.Process(server.process.pid), *server.workers()]),
               _cpu([p for p in psutil.process_iter(["name"]) if p.info["name"] in ("mariadbd", "mysqld")]))


class Cpu(tuple):
    """(user, system) seconds of the server, and of the database server, subtractable."""

    def __new__(cls, server: tuple[float, float], database: tuple[float, float]) -> "Cpu":
        return super().__new__(cls, (*server, *database))

    def __sub__(self, other: "Cpu") -> "Cpu":  # type: ignore[override]
        spent = [a - b for a, b in zip(self, other, strict=True)]
        return Cpu((spent[0], spent[1]), (spent[2], spent[3]))


def _cpu(processes: list) -> tuple[float, float]:
    user = system = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        user, system = user + times.user, system + times.system
    return user, system


# --- the load generator (a separate process) ---------------------------------------------------

def generate(port: int, name: str, plan: dict, results) -> None:
    started_cpu = time.process_time()
    latencies, errors, wall, sent = (hello if name == "hello" else open_loop)(port, plan)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else 0.0

    results.put({"count": len(latencies), "sent": sent, "errors": errors, "wall": wall,
                 "achieved": len(latencies) / wall,
                 "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0, "p95_ms": pct(0.95),
                 "p99_ms": pct(0.99), "max_ms": latencies[-1] * 1000 if latencies else 0.0,
                 "cpu": time.process_time() - started_cpu})


def get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> int:
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def hello(port: int, plan: dict) -> tuple[list[float], int, float, int]:
    """Closed loop: each client sends /livez again as soon as the last answer came."""
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + plan["seconds"]
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            sent = time.monotonic()
            status = get(connection, "/livez", {})
            mine.append(time.monotonic() - sent)
            failed += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(plan["clients"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0], time.monotonic() - started, len(latencies)


def open_loop(port: int, plan: dict) -> tuple[list[float], int, float, int]:
    """Requests due every 1/rate s whatever the answers; each timed from when it was due. The
    seconds returned are the sending's, so the rate is the one offered."""
    rng = random.Random(19)
    sheets = plan["sheets"]
    skipped = int(plan["rate"] * plan["warmup"])  # the pools fill and the workers warm up meanwhile
    count = skipped + int(plan["rate"] * plan["seconds"])
    due: queue.Queue = queue.Queue()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def sender() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while (item := due.get()) is not None:
            at, (sheet, token) = item
            try:
                status = get(connection, f"{API}/assessments/{sheet}", {"Authorization": f"Bearer {token}"})
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                status = 0
            took = time.monotonic() - at
            if at < measured:
                continue
            with lock:
                latencies.append(took)
                errors[0] += status != 200

    threads = [threading.Thread(target=sender) for _ in range(plan["threads"])]
    started = time.monotonic()
    measured = started + skipped / plan["rate"]
    for thread in threads:
        thread.start()
    for n in range(count):
        at = started + n / plan["rate"]
        pause = at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        due.put((at, rng.choice(sheets)))
    sending = time.monotonic() - measured
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join()
    return latencies, errors[0], sending, count


if __name__ == "__main__":
    sys.exit(main())
