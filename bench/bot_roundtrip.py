"""Chat round trips through the manager's bot (issue 21 targets: the callback's acknowledgement p95
≤ 300 ms; callback-in → reply received at WeChat p95 ≤ 2 s with one worker); exits non-zero when
a target is missed.

    .venv/bin/python bench/bot_roundtrip.py [--messages 100] [--database-url …]

1. Seeds the 50-person demo company on a fresh database (`--today`, default 27 Nov 2026); the demo
   binds everyone to WeCom.
2. Starts the WeChat stand-in (in this process), gunicorn (workers.supervisor.web_command) and
   one worker process (`python -m workers worker`), WeChat pointed at the stand-in and the business
   clock frozen on the seeded day.
3. Sends `--messages` chat messages one after another from random managers ("待办" and "团队"), each
   encrypted and signed by the stand-in as WeCom does: the acknowledgement is the callback POST's
   round trip; the reply time runs from the POST to the stand-in receiving the bot's answer through
   WeCom's message API (outbox → RQ → worker → WeChat).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import common  # noqa: F401  (puts the project on sys.path)
from common import bench_app

ACK_P95_MS = 300.0
REPLY_P95_MS = 2000.0
WECOM_SEND = "/cgi-bin/message/send"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 27))
    args = parser.parse_args()

    from app.standins.harness import RunningStandin
    from app.standins.wechat_state import dev_environment
    from tests.support.webserver import WebServer
    from tests.support.workers import worker_command

    standin = RunningStandin.start()
    with bench_app(args.database_url) as (app, env):
        managers = prepare(args.today)
        for userid, name in managers:
            standin.add_user(userid, name)
        env = env | dev_environment(standin.url) | {
            "SECRET_KEY": app.config["SECRET_KEY"], "JIXIAO_ENV": "embedded",
            "JIXIAO_FROZEN_NOW": f"{args.today.isoformat()}T08:00:00"}  # 16:00 in Shanghai
        log = Path(env["JIXIAO_INSTANCE"]) / "bench.log"
        with WebServer(env, log) as server, log.open("ab") as out:
            import subprocess

            worker = subprocess.Popen(worker_command(), env=dict(os.environ) | env, cwd=common.ROOT,
                                      stdout=out, stderr=out, start_new_session=True)
            try:
                standin.configure(callback_urls={"wecom": f"{server.url}/wechat/callback/wecom"})
                acks, replies, lost = run(standin, managers, args.messages)
            finally:
                worker.terminate()
                worker.wait(timeout=60)
    standin.stop()
    return report(acks, replies, lost)


def prepare(today: date) -> list[tuple[str, str]]:
    """The demo company (it binds everyone to WeCom): each manager's (userid, name)."""
    from sqlalchemy import select

    from app.demo import seed_demo
    from app.extensions import db
    from app.models import Employee, WeChatIdentity

    seed_demo(today=today)
    return [(userid, name) for userid, name in db.session.execute(
        select(WeChatIdentity.external_id, Employee.name).join(Employee, Employee.id == WeChatIdentity.employee_id)
        .where(WeChatIdentity.channel == "wecom", Employee.status == "active",
               Employee.id.in_(select(Employee.manager_id).where(Employee.status == "active"))))]


def run(standin, managers: list[tuple[str, str]], count: int) -> tuple[list[float], list[float], int]:
    import random

    rng = random.Random(21)
    acks, replies, lost = [], [], 0
    for n in range(count):
        userid, _ = rng.choice(managers)
        before = _sent_to(standin, userid)
        standin.push("wecom", userid, content=("待办", "团队")[n % 2])
        started = time.perf_counter()
        (delivery,) = standin.deliver()
        acks.append(time.perf_counter() - started)
        if delivery["status"] != 200:
            lost += 1
            continue
        while _sent_to(standin, userid) == before:
            if time.perf_counter() - started > 10:
                lost += 1
                break
            time.sleep(0.005)
        else:
            replies.append(time.perf_counter() - started)
    return acks, replies, lost


def _sent_to(standin, userid: str) -> int:
    return sum(1 for r in standin.requests(WECOM_SEND) if r["json"].get("touser") == userid)


def report(acks: list[float], replies: list[float], lost: int) -> int:
    def p95(values: list[float]) -> float:
        return sorted(values)[max(0, int(len(values) * 0.95) - 1)] * 1000 if values else float("inf")

    print(f"acknowledgement: {len(acks)} callbacks, p50 {statistics.median(acks) * 1000:.1f} ms, "
          f"p95 {p95(acks):.1f} ms, max {max(acks) * 1000:.1f} ms")
    print(f"reply at WeChat: {len(replies)} replies, p50 {statistics.median(replies) * 1000:.0f} ms, "
          f"p95 {p95(replies):.0f} ms, max {max(replies) * 1000:.0f} ms; lost {lost}")
    missed = [f"acknowledgement p95 {p95(acks):.0f} ms > {ACK_P95_MS:.0f} ms"] if p95(acks) > ACK_P95_MS else []
    missed += [f"reply p95 {p95(replies):.0f} ms > {REPLY_P95_MS:.0f} ms"] if p95(replies) > REPLY_P95_MS else []
    missed += [f"{lost} messages without a reply"] if lost else []
    print("targets: " + ("MISSED — " + "; ".join(missed) if missed else "met"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
