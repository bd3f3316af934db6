"""Real worker processes for the job tests: `python -m workers worker` as production runs it,
optionally pointed at a database that cannot be reached, and RQ's scheduled retries made due now."""

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from rq import Queue
from rq.job import Job
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]


def worker_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "workers", "worker", *args]


def worker_environment(app, database_url: str | None = None) -> dict[str, str]:
    """The environment a worker process of this test needs: its database, its Redis, its instance."""
    return {**os.environ, "DATABASE_URL": database_url or app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": app.config["REDIS_URL"], "JIXIAO_INSTANCE": app.config["INSTANCE_PATH"]}


def start_worker(app, log: Path, *args: str, database_url: str | None = None) -> subprocess.Popen:
    """A worker process in its own session (so the test can stop or kill its whole group)."""
    with log.open("ab") as out:
        return subprocess.Popen(worker_command(*args), cwd=ROOT, env=worker_environment(app, database_url),
                                start_new_session=True, stdout=out, stderr=out)


def burst(app, log: Path, database_url: str | None = None) -> None:
    """One `python -m workers worker --burst`: works until the queues are empty, then exits."""
    start_worker(app, log, "--burst", database_url=database_url).wait(timeout=120)


def unreachable(database_url: str, tmp_path: Path) -> str:
    """The same kind of database, but one that cannot be opened: the database is down for the worker."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path}/no-such-directory/jixiao.db"
    return url.set(database="jixiao_no_such_database").render_as_string(hide_password=False)


def retries_due_now(redis_client, queue_name: str) -> list[str]:
    """Move the queue's scheduled retries to now (RQ's own registry), so a worker started with its
    scheduler runs them at once instead of after the declared backoff; returns their ids."""
    queue = Queue(queue_name, connection=redis_client)
    registry = queue.scheduled_job_registry
    ids = registry.get_job_ids()
    for job_id in ids:
        registry.schedule(Job.fetch(job_id, connection=redis_client), datetime.now(UTC))
    return ids


def descendants(pid: int) -> list[int]:
    """Every live process below `pid` (from /proc): RQ's work horse puts itself in a process group
    of its own, so killing the worker's group leaves the horse running."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, frontier = [], [pid]
    while frontier:
        below = children.get(frontier.pop(), [])
        found += below
        frontier += below
    return found


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL a worker and everything it started (its work horse, RQ's scheduler), as a crash would."""
    for pid in [process.pid, *descendants(process.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()
