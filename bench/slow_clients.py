"""Slow and oversized clients against the web tier started as `make run` starts it, per worker class.

    .venv/bin/python bench/slow_clients.py [--clients 2 8 32] [--window 10] [--body-mb 600]
        [--variant NAME=ARGS ...] [--database-url URL]

Each variant is gunicorn from workers.supervisor.web_command with ARGS appended ("make-run" appends
nothing: whatever gunicorn.conf.py says). Three measurements, each bounded in time, only on 127.0.0.1:

- trickle: N clients each declare a 100 kB body and send one byte every 0.5 s; meanwhile /healthz is
  asked again and again for `--window` seconds. Prints the slowest answer and how many went unanswered.
- chunked: one client streams `--body-mb` MB as a chunked body (no Content-Length) to the mini-program
  callback. Prints the workers' peak RSS before and after, how much the server took and its answer.
- sqlite-lock (SQLite only): another process holds SQLite's write lock for `--hold` seconds while four
  signed pushes wait for it; /healthz meanwhile. A worker class that cannot run other requests while
  one waits inside SQLite's C code stalls here.

The numbers that chose gunicorn.conf.py's worker class are in docs/deployment.md.
"""

import argparse
import importlib.util
import os
import shlex
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import requests
import sqlalchemy as sa
from common import bench_app

from app.standins.wechat_push import sign_push, user_message
from app.standins.wechat_state import DEV_ACCOUNTS, dev_environment
from tests.support.webserver import Trickler, WebServer, probe, stream_chunked

CALLBACK = "/wechat/callback/mp"
DEFAULT_VARIANTS = [
    "make-run=",
    "sync=--worker-class sync --threads 1",  # threads > 1 would make gunicorn run gthread
    "gthread-8=--worker-class gthread --threads 8",
    "gevent=--worker-class gevent --worker-connections 1000",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[2, 8, 32])
    parser.add_argument("--window", type=float, default=10.0, help="seconds of /healthz probing per run")
    parser.add_argument("--body-mb", type=int, default=600)
    parser.add_argument("--hold", type=float, default=5.0, help="seconds the SQLite write lock is held")
    parser.add_argument("--variant", action="append", help="NAME=gunicorn args (repeatable)")
    parser.add_argument("--only", nargs="+", choices=["trickle", "chunked", "sqlite-lock"],
                        default=["trickle", "chunked", "sqlite-lock"])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    variants = [v.partition("=") for v in (args.variant or DEFAULT_VARIANTS)]
    with bench_app(args.database_url) as (app, env), tempfile.TemporaryDirectory() as logs:
        env = env | dev_environment("http://127.0.0.1:9")  # pushes are accepted; nothing is sent out
        database = app.config["SQLALCHEMY_DATABASE_URI"]
        for name, _, extra in variants:
            print(f"\n== {name}: gunicorn {' '.join(shlex.split(extra)) or '(as make run: gunicorn.conf.py)'}")
            if "gevent" in extra and importlib.util.find_spec("gevent") is None:
                print("skipped: gevent is not a dependency; `.venv/bin/pip install gevent==26.9.0` to compare")
                continue
            with WebServer(env, Path(logs) / f"{name}.log", tuple(shlex.split(extra))) as server:
                if "trickle" in args.only:
                    for clients in args.clients:
                        trickle(server, clients, args.window)
                if "chunked" in args.only:
                    chunked(server, args.body_mb)
                if "sqlite-lock" in args.only and database.startswith("sqlite"):
                    sqlite_lock(server, database, args.hold)


def trickle(server: WebServer, clients: int, window: float) -> None:
    """N slow clients hold their connections; how long does /healthz take meanwhile?"""
    tricklers = [Trickler(server.url, CALLBACK) for _ in range(clients)]
    for t in tricklers:
        t.start()
    for t in tricklers:
        t.started_sending.wait(5)
    time.sleep(1.0)  # let the server hand each slow connection to whatever reads it
    latencies: list[float | None] = []
    deadline = time.monotonic() + window
    while time.monotonic() < deadline:
        latency = probe(server.url + "/healthz", timeout=max(deadline - time.monotonic(), 0.5))
        latencies.append(latency)
        time.sleep(0.2)
    for t in tricklers:
        t.stop()
    answered = [x for x in latencies if x is not None]
    slowest = f"{max(answered):.3f} s" if answered else "-"
    median = f"{statistics.median(answered):.3f} s" if answered else "-"
    print(f"trickle  clients={clients:3d}  /healthz probes={len(latencies):3d}  answered={len(answered):3d}  "
          f"median={median}  slowest={slowest}  unanswered within {window:.0f} s={len(latencies) - len(answered)}")


def chunked(server: WebServer, body_mb: int) -> None:
    """One huge chunked body: does the server buffer it?"""
    before = server.peak_rss()
    result = stream_chunked(server.url, CALLBACK, body_mb * 1_000_000, timeout=120)
    time.sleep(0.5)
    after = server.peak_rss()
    growth = max((after.get(pid, 0) - peak for pid, peak in before.items()), default=0)
    print(f"chunked  body={body_mb} MB  sent before the server stopped it={result.sent / 1e6:.1f} MB  "
          f"answer={result.status}  took={result.seconds:.1f} s  worker peak RSS before="
          f"{max(before.values()) / 2**20:.0f} MiB after={max(after.values(), default=0) / 2**20:.0f} MiB  "
          f"growth={growth / 2**20:.0f} MiB  healthz after={_fmt(probe(server.url + '/healthz', 10))}")


def sqlite_lock(server: WebServer, database: str, hold: float) -> None:
    """Another process holds SQLite's write lock; pushes wait for it inside the SQLite library."""
    path = sa.engine.make_url(database).database
    blocker = sqlite3.connect(path, timeout=30, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    pushes = [threading.Thread(target=_push, args=(server.url, hold + 20), daemon=True) for _ in range(4)]
    for push in pushes:
        push.start()
    time.sleep(0.5)
    latencies = []
    deadline = time.monotonic() + hold - 0.5
    while time.monotonic() < deadline:
        latencies.append(probe(server.url + "/healthz", timeout=hold + 5))
        time.sleep(0.2)
    blocker.execute("ROLLBACK")
    blocker.close()
    for push in pushes:
        push.join(timeout=hold + 25)
    answered = [x for x in latencies if x is not None]
    print(f"sqlite-lock  held={hold:.0f} s  4 pushes waiting  /healthz probes={len(latencies)}  "
          f"slowest={_fmt(max(answered) if answered else None)}  unanswered={len(latencies) - len(answered)}")


def _push(url: str, timeout: float) -> None:
    account = DEV_ACCOUNTS["mp"]
    now = time.time()
    query, body = sign_push(account, user_message(account, f"bench-{time.monotonic_ns()}", now, content="hi"),
                            now, mode="plain")
    try:
        requests.post(f"{url}{CALLBACK}?{urlencode(query)}", data=body.encode(), timeout=timeout,
                      headers={"Content-Type": "text/xml"})
    except requests.RequestException:
        pass


def _fmt(seconds: float | None) -> str:
    return "unanswered" if seconds is None else f"{seconds:.3f} s"


if __name__ == "__main__":
    main()
