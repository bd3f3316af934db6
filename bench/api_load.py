"""Open-loop load on the mini-program API served as `make run` serves it (targets: the home page's
request at 200 req/s with p95 ≤ 50 ms, issue 19; a day's submission with a 1 MB screenshot at
10 req/s with p95 ≤ 200 ms, issue 20; no errors); exits non-zero when a target is missed.

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
   - submission: `POST /api/mp/v1/screenshots` with a ~1 MB phone screenshot (PNG, 1080 × 2340,
     one of 40 distinct ones) and then `POST /api/mp/v1/progress` naming it, for a random employee
     who accepted the privacy notice, at `--submit-rate` req/s for `--seconds`; the latency runs from
     the scheduled time to the progress answer (both requests). The server's business clock is
     frozen at `--today` 10:00 less a day's edit window (JIXIAO_FROZEN_NOW), so the day is open.
4. Prints p50/p95/p99/max, errors, achieved rate, and the CPU seconds used by the server (gunicorn
   and its workers) and by the load generator in each phase.
"""

import argparse
import http.client
import io
import json
import multiprocessing
import os
import queue
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import psutil
import sqlalchemy as sa
from common import bench_app, dialect

HOME_P95_MS = 50.0
SUBMIT_P95_MS = 200.0
API = "/api/mp/v1"
SCREEN_SIZE = (1080, 2340)


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
    parser.add_argument("--submit-rate", type=float, default=10.0, help="submissions with a screenshot per second")
    args = parser.parse_args()
    with bench_app(args.database_url, fresh=not args.keep) as (app, env):
        kind = dialect(app)
        sheets = prepare(app, args)
        submitters = prepare_submitters(app, args)
        env = env | {"SECRET_KEY": app.config["SECRET_KEY"], "JIXIAO_ENV": "embedded",
                     "JIXIAO_FROZEN_NOW": f"{args.today.isoformat()}T08:00:00"}  # 16:00 in Shanghai
        from app.standins.wechat_state import dev_environment
        from tests.support.webserver import WebServer

        env |= dev_environment("http://127.0.0.1:9")  # WeChat configured; nothing here calls it
        with WebServer(env, Path(env["JIXIAO_INSTANCE"]) / "gunicorn.log") as server:
            print(f"dialect: {kind}  employees: {args.employees}  server: gunicorn.conf.py "
                  f"({len(server.workers())} workers)  cores: {os.cpu_count()}")
            hello = phase(server, "hello", {"clients": args.hello_clients, "seconds": 10.0})
            home = phase(server, "home", {"rate": args.rate, "seconds": args.seconds, "warmup": args.warmup,
                                          "threads": args.threads, "items": sheets})
            submit = phase(server, "submission", {"rate": args.submit_rate, "seconds": args.seconds,
                                                  "warmup": args.warmup, "threads": 16, "items": submitters,
                                                  "day": args.today.isoformat()})
    missed = []
    if submit["p95_ms"] > SUBMIT_P95_MS:
        missed.append(f"submission p95 {submit['p95_ms']:.1f} ms > {SUBMIT_P95_MS:.0f} ms")
    if submit["errors"]:
        missed.append(f"submission errors {submit['errors']}")
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


def prepare_submitters(app, args, count: int = 400) -> list[tuple[str, str]]:
    """(token, a figure code they may report) for `count` employees with an assessment open on
    `--today`, each having accepted the privacy notice."""
    from app.api.mp import token_for
    from app.extensions import db
    from app.models import Assessment, Cycle, Employee, PrivacyConsent, WeChatIdentity
    from app.services.observations import privacy, submissions

    rows = db.session.execute(
        sa.select(Assessment, Employee.id, WeChatIdentity.external_id)
        .join(Cycle, Cycle.id == Assessment.cycle_id).join(Employee, Employee.id == Assessment.employee_id)
        .join(WeChatIdentity, (WeChatIdentity.employee_id == Employee.id) & (WeChatIdentity.channel == "mp"))
        .where(Cycle.status == "open", Employee.status == "active", Assessment.first_day <= args.today,
               Assessment.last_day >= args.today).order_by(Employee.id)).all()
    chosen = []
    for assessment, employee_id, openid in rows:
        codes = sorted(code for code, indicator in submissions._reportable(assessment).items()
                       if indicator.aggregation != "ratio")
        if codes:
            chosen.append((employee_id, token_for(employee_id, openid), codes[0]))
        if len(chosen) == count:
            break
    accepted = set(db.session.scalars(sa.select(PrivacyConsent.employee_id)))
    db.session.add_all(PrivacyConsent(employee_id=employee_id, version=privacy.VERSION)
                       for employee_id, _, _ in chosen if employee_id not in accepted)
    db.session.commit()
    return [(token, code) for _, token, code in chosen]


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
    latencies, errors, wall, sent = hello(port, plan) if name == "hello" else open_loop(port, plan, SENDERS[name])
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


def home(connection: http.client.HTTPConnection, item: tuple, plan: dict) -> int:
    sheet, token = item
    return get(connection, f"{API}/assessments/{sheet}", {"Authorization": f"Bearer {token}"})


def submission(connection: http.client.HTTPConnection, item: tuple, plan: dict) -> int:
    """Upload one screenshot, then submit the day naming it: the status of the first failure, or 200."""
    (token, code), screen = item
    boundary = "jixiao-bench-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + screen + f"\r\n--{boundary}--\r\n".encode()
    auth = {"Authorization": f"Bearer {token}"}
    connection.request("POST", f"{API}/screenshots", body=body,
                       headers={**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    answer = connection.getresponse()
    said = answer.read()
    if answer.status != 200:
        print(f"upload refused: {answer.status} {said[:300]!r}", file=sys.stderr)
        return answer.status
    uploaded = json.loads(said)
    day = {"day": plan["day"], "figures": {code: {"numerator": "1"}}, "note": "压测", "screenshots": [uploaded["id"]]}
    connection.request("POST", f"{API}/progress", body=json.dumps(day), headers={
        **auth, "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
    answer = connection.getresponse()
    said = answer.read()
    if answer.status != 200:
        print(f"submission refused: {answer.status} {said[:300]!r}", file=sys.stderr)
    return answer.status


def screens(count: int = 40) -> list[bytes]:
    """Phone screenshots of about 1 MB each (PNG): rows of figures over noisy chart areas."""
    from PIL import Image, ImageDraw

    made = []
    for seed in range(count):
        rng = random.Random(seed)
        image = Image.new("RGB", SCREEN_SIZE, "white")
        draw = ImageDraw.Draw(image)
        for top in range(0, SCREEN_SIZE[1], 90):
            draw.rectangle((0, top, SCREEN_SIZE[0], top + 40), fill=(rng.randrange(200, 256),) * 3)
            draw.text((30, top + 50), f"销售额 ${rng.randint(1, 99999):,}.{rng.randint(0, 99):02d}", fill="black")
        noise = Image.effect_noise((SCREEN_SIZE[0], 420), 60).convert("RGB")
        image.paste(noise, (0, 600 + seed % 400))
        out = io.BytesIO()
        image.save(out, format="PNG")
        made.append(out.getvalue())
    return made


SENDERS = {"home": home, "submission": submission}


def open_loop(port: int, plan: dict, send) -> tuple[list[float], int, float, int]:
    """Requests due every 1/rate s whatever the answers; each timed from when it was due. The
    seconds returned are the sending's, so the rate is the one offered."""
    rng = random.Random(19)
    items = plan["items"]
    pictures = screens() if send is submission else [b""]
    skipped = int(plan["rate"] * plan["warmup"])  # the pools fill and the workers warm up meanwhile
    count = skipped + int(plan["rate"] * plan["seconds"])
    due: queue.Queue = queue.Queue()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def sender() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while (item := due.get()) is not None:
            at, chosen = item
            try:
                status = send(connection, chosen, plan)
            except (OSError, http.client.HTTPException, ValueError):
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
        chosen = rng.choice(items)
        due.put((at, (chosen, rng.choice(pictures)) if send is submission else chosen))
    sending = time.monotonic() - measured
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join()
    return latencies, errors[0], sending, count


if __name__ == "__main__":
    sys.exit(main())
