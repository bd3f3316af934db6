"""`python -m workers worker|scheduler|up`.

- worker: an RQ worker on every queue, in priority order, inside one app context; it also runs RQ's
  scheduler (one worker at a time holds its lock), which queues the retries jobs declare.
- scheduler: the one rq CronScheduler, enqueueing `tick` every JIXIAO_TICK_SECONDS and `watch`
  every few minutes (app.jobs.WATCH_INTERVAL_SECONDS).
- up: what `make run` starts: the embedded Redis (unless REDIS_URL is set), gunicorn, one
  worker and the scheduler; it prints the URL and stops everything on Ctrl-C.
"""

import argparse
import logging

from app import jobs


def run_worker(burst: bool = False, heartbeat_seconds: int | None = None) -> None:
    from rq import Queue

    from workers.runtime import DEFAULT_HEARTBEAT_SECONDS, HeartbeatWorker, build_app, redis_connection

    app = build_app()
    connection = redis_connection(app)
    with app.app_context():
        listen = [Queue(name, connection=connection) for name in jobs.QUEUES]
        worker = HeartbeatWorker(listen, connection=connection,
                                 heartbeat_seconds=heartbeat_seconds or DEFAULT_HEARTBEAT_SECONDS)
        # with_scheduler: retries declared with a pause wait in RQ's scheduled registry until then
        worker.work(burst=burst, with_scheduler=True)


def run_scheduler() -> None:
    from rq.cron import CronScheduler

    from workers.jobs.clock import tick
    from workers.jobs.watch import watch
    from workers.runtime import build_app, redis_connection

    app = build_app()
    scheduler = CronScheduler(connection=redis_connection(app), logging_level=logging.INFO)
    for function, spec, interval in ((tick, jobs.TICK, app.config["TICK_INTERVAL_SECONDS"]),
                                     (watch, jobs.WATCH, jobs.WATCH_INTERVAL_SECONDS)):
        scheduler.register(function, queue_name=spec.queue, interval=interval, job_timeout=spec.timeout,
                           result_ttl=spec.result_ttl, failure_ttl=spec.failure_ttl)
    scheduler.start()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workers")
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("worker", help="run one RQ worker")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.add_argument("--heartbeat", type=int, metavar="SECONDS",
                        help="the longest pause between heartbeats /healthz expects (default 30)")
    sub.add_parser("scheduler", help="run the one scheduler")
    sub.add_parser("up", help="run the whole product (make run)")
    args = parser.parse_args(argv)
    if args.command == "worker":
        run_worker(burst=args.burst, heartbeat_seconds=args.heartbeat)
    elif args.command == "scheduler":
        run_scheduler()
    else:
        from workers.supervisor import up

        up()


if __name__ == "__main__":
    main()
