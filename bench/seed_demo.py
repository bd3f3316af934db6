"""Time `flask seed demo --employees N` on a fresh database (issue: ≤ 3 minutes for 5,000 on MariaDB).

    .venv/bin/python bench/seed_demo.py --employees 5000 \
        --database-url 'mysql+pymysql://jixiao:jixiao-ci@127.0.0.1:3306/jixiao_bench'

The database named in the URL is dropped and re-created (MariaDB) or a temporary SQLite file is used.
Prints the seconds, the rows written per table, and rows per second.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from config import Config  # noqa: E402


def fresh_database(url: str | None, workdir: str) -> str:
    if not url:
        return f"sqlite:///{workdir}/bench.db"
    parsed = sa.engine.make_url(url)
    server = sa.create_engine(parsed.set(database="information_schema"))
    with server.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{parsed.database}`")
        conn.exec_driver_sql(f"CREATE DATABASE `{parsed.database}` CHARACTER SET utf8mb4")
    server.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    from datetime import date

    from flask_migrate import upgrade

    from app.services.demo import seed_demo

    with tempfile.TemporaryDirectory() as workdir:
        url = fresh_database(args.database_url, workdir)
        app = create_app(Config({"DATABASE_URL": url, "JIXIAO_INSTANCE": workdir}))
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            counts = seed_demo(employees=args.employees, today=date(2026, 11, 27))
            elapsed = time.perf_counter() - started
    rows = sum(counts.values())
    print(f"dialect: {sa.engine.make_url(url).get_backend_name()}  employees: {args.employees}")
    print(f"seed demo: {elapsed:.1f} s for {rows:,} rows ({rows / elapsed:,.0f} rows/s)")
    for table, count in sorted(counts.items()):
        print(f"  {table:16s} {count:>10,}")


if __name__ == "__main__":
    main()
