"""Time `flask seed demo --employees N` on a fresh database (issue 17: ≤ 120 s for 5,000 on MariaDB);
exits non-zero when it takes longer than `--limit` seconds.

    .venv/bin/python bench/seed_demo.py --employees 5000 \
        --database-url 'mysql+pymysql://jixiao:jixiao-ci@127.0.0.1:3306/jixiao_bench'

The database named in the URL is dropped and re-created (MariaDB) or a temporary SQLite file is used.
Prints the seconds, the rows written per table, and rows per second; on MariaDB also the server's
InnoDB buffer pool, which decides much of the time (docs/deployment.md "Database").
"""

import argparse
import os
import sys
import time
from datetime import date

from common import bench_app, dialect
from sqlalchemy import text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--limit", type=float, default=120.0, help="seconds; slower exits with status 1")
    args = parser.parse_args()
    from app.demo import seed_demo

    with bench_app(args.database_url) as (app, _):
        started = time.perf_counter()
        counts = seed_demo(employees=args.employees, today=date(2026, 11, 27))
        elapsed = time.perf_counter() - started
        kind = dialect(app)
        pool = _buffer_pool_mb(app) if kind == "mysql" else None
    rows = sum(counts.values())
    print(f"dialect: {kind}  employees: {args.employees}" + (f"  innodb_buffer_pool_size: {pool} MB" if pool else ""))
    print(f"seed demo: {elapsed:.1f} s for {rows:,} rows ({rows / elapsed:,.0f} rows/s)")
    for table, count in sorted(counts.items()):
        print(f"  {table:16s} {count:>10,}")
    if elapsed > args.limit:
        sys.exit(f"seeding took {elapsed:.1f} s, over the {args.limit:.0f} s limit")


def _buffer_pool_mb(app) -> int:
    from app.extensions import db

    return int(db.session.execute(text("SELECT @@innodb_buffer_pool_size")).scalar_one()) // (1 << 20)


if __name__ == "__main__":
    main()
