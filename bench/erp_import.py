"""A million ERP shipment rows from CSV through the console upload's service (issue 23).

    .venv/bin/python bench/erp_import.py --rows 1000000 \\
        --database-url 'mysql+pymysql://jixiao:jixiao-ci@127.0.0.1:3306/jixiao_bench'

Generates a shipments export (order, batch, packer, order and ship times, wrong-item flag) for
`--packers` packers over a month, maps the packers, and imports the file with
app.imports.service.import_file — the same call the upload page makes. Prints rows per second, the
process's peak RSS, and, as the floor, how long MariaDB's own LOAD DATA takes to load the same file
into a bare table. Exits non-zero when the import takes more than 60 s or the peak RSS passes 300 MB.
"""

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import common
import sqlalchemy as sa

SECONDS_TARGET, RSS_TARGET_MB = 60.0, 300.0
HEADER = ["订单号", "批次号", "打包员", "下单时间", "发货时间", "是否错发"]
COLUMNS = {"order_no": "订单号", "batch_no": "批次号", "packer": "打包员", "ordered_at": "下单时间",
           "shipped_at": "发货时间", "wrong_item": "是否错发"}


def generate(path: Path, rows: int, packers: int, seed: int = 23) -> None:
    """A month of shipments, one order a row, streamed to disk (never all in memory)."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, 8, 0)
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(HEADER)
        for n in range(rows):
            ordered = start + timedelta(minutes=n * 30 * 24 * 60 // rows)
            shipped = ordered + timedelta(hours=rng.choice((2, 5, 9, 20, 30)))
            wrong = "是" if rng.random() < 0.002 else "否"
            out.writerow((f"SO{n:09d}", f"B{ordered:%m%d}{n % 50:02d}", f"PK-{n % packers:02d}",
                          f"{ordered:%Y-%m-%d %H:%M}", f"{shipped:%Y-%m-%d %H:%M}", wrong))


def company(packers: int) -> int:
    """An admin who uploads, and each packer mapped to an employee; returns the admin's id."""
    from app.extensions import db
    from app.models import Department, Employee, ExternalIdentity

    dept = Department(code="warehouse", name="仓储部", rest_weekdays="7")
    db.session.add(dept)
    db.session.flush()
    admin = Employee(employee_no="A001", name="管理员", department_id=dept.id, is_admin=True,
                     joined_on=date(2026, 1, 1))
    db.session.add(admin)
    for n in range(packers):
        packer = Employee(employee_no=f"W{n:03d}", name=f"打包员{n}", department_id=dept.id, joined_on=date(2026, 1, 1))
        db.session.add(packer)
        db.session.flush()
        db.session.add(ExternalIdentity(source="erp", external_id=f"PK-{n:02d}", employee_id=packer.id,
                                        effective_from=date(2026, 1, 1)))
    db.session.commit()
    return admin.id


def load_data_floor(url: str, path: Path) -> float | None:
    """Seconds for MariaDB's LOAD DATA LOCAL INFILE of the same file into a bare table."""
    engine = sa.create_engine(url, connect_args={"local_infile": True})
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_load_floor")
        conn.exec_driver_sql("CREATE TABLE bench_load_floor (order_no VARCHAR(64), batch_no VARCHAR(64), "
                             "packer VARCHAR(64), ordered_at DATETIME, shipped_at DATETIME, wrong VARCHAR(8))")
        started = time.perf_counter()
        conn.exec_driver_sql(f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE bench_load_floor CHARACTER SET utf8mb4 "
                             "FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\r\\n' IGNORE 1 LINES")
        took = time.perf_counter() - started
        conn.exec_driver_sql("DROP TABLE bench_load_floor")
    engine.dispose()
    return took


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--packers", type=int, default=40)
    parser.add_argument("--database-url", default=os.environ.get(
        "DATABASE_URL", "mysql+pymysql://jixiao:jixiao-ci@127.0.0.1:3306/jixiao_bench?charset=utf8mb4"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "shipments.csv"
        started = time.perf_counter()
        generate(path, args.rows, args.packers)
        size_mb = path.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f} s")
        with common.bench_app(args.database_url) as (app, _):
            from app.imports import service

            admin_id = company(args.packers)
            started = time.perf_counter()
            run = service.import_file(path, format_code="erp_shipments", identity="erp", columns=COLUMNS,
                                      uploader_id=admin_id)
            took = time.perf_counter() - started
            counts, url = dict(run.counts), app.config["SQLALCHEMY_DATABASE_URI"]
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"import: {took:.1f} s, {args.rows / took:,.0f} rows/s, counts {counts}")
        print(f"peak RSS: {peak_mb:.0f} MB")
        if url.startswith("mysql"):
            print(f"floor (MariaDB LOAD DATA of the same file): {load_data_floor(url, path):.1f} s")
    missed = [f"import took {took:.1f} s > {SECONDS_TARGET:.0f} s"] if took > SECONDS_TARGET else []
    missed += [f"peak RSS {peak_mb:.0f} MB > {RSS_TARGET_MB:.0f} MB"] if peak_mb > RSS_TARGET_MB else []
    for line in missed:
        print("MISSED:", line)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
