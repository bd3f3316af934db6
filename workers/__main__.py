"""`python -m workers worker|scheduler|up`.

- worker: an RQ worker on every queue, in priority order, inside one app context.
- scheduler: the one rq CronScheduler, enqueueing `tick` every JIXIAO_TICK_SECONDS.
- up: what `make run` starts: the embedded Redis (unless REDIS_URL is set), gunicorn, one
  worker and the scheduler; it prints the URL and stops everything on Ctrl-C.
"""

import argparse
import logging

from app import jobs


def run_worker(burst: bool = False) -> None:
    from rq import Queue, Worker

    from workers.runtime import build_app, redis_connection

    app = build_app()
    connection = redis_connection(app)
    with app.app_context():
        listen = [Queue(name, connection=connection) for name in jobs.QUEUES]
        Worker(listen, connection=connection).work(burst=burst, with_scheduler=False)


def run_scheduler() -> None:
    from rq.cron import CronScheduler

    from workers.jobs.clock import tick
    from workers.runtime import build_app, redis_connection

    app = build_app()
    scheduler = CronScheduler(connection=redis_connection(app), logging_level=logging.INFO)
    scheduler.register(tick, queue_name=jobs.TICK.queue, interval=app.config["TICK_INTERVAL_SECONDS"],
                       job_timeout=jobs.TICK.timeout, result_ttl=jobs.TICK.result_ttl,
                       failure_ttl=jobs.TICK.failure_ttl)
    scheduler.start()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m workers")
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("worker", help="run one RQ worker")
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    sub.add_parser("scheduler", help="run the one scheduler")
    sub.add_parser("up", help="run the whole product (make run)")
    args = parser.parse_args(argv)
    if args.command == "worker":
        run_worker(burst=args.burst)
    elif args.command == "scheduler":
        run_scheduler()
    else:
        from workers.supervisor import up

        up()


if __name__ == "__main__":
    main()
