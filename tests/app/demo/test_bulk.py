"""The demo builder's bulk insert stores what SQLAlchemy's own insert stores (on MariaDB it renders
the statements itself, so this runs on both databases)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from app.demo import bulk
from app.models import FxRate, SyncRun

AWKWARD = "转化率4%，'引号' \"双引号\" 反斜杠\\ %s %(x)s ;--"
RUN_FIELDS = ("source", "kind", "status", "started_at", "finished_at", "counts", "error", "covered_through")


def runs(label: str) -> list[dict]:
    return [{"source": label, "kind": "import", "started_at": datetime(2026, 11, 3, 22, 0, 0, 123456),
             "finished_at": None if n % 2 else datetime(2026, 11, 3, 22, 5), "counts": {"inserted": n, "备注": "完成"},
             "error": f"{AWKWARD} {n}", "covered_through": date(2026, 11, 3)} for n in range(5)]


def rates(month: str) -> list[dict]:
    return [{"month": month, "currency": "USD", "target_currency": "CNY", "rate": Decimal("7.1234564999")},
            {"month": month, "currency": "CNY", "target_currency": "USD", "rate": Decimal("0.140380")},
            {"month": month, "currency": "EUR", "target_currency": "CNY", "rate": Decimal("8E+0")}]


def stored_runs(session, source: str) -> list[tuple]:
    return [tuple(getattr(r, f) for f in RUN_FIELDS if f != "source")
            for r in session.scalars(select(SyncRun).where(SyncRun.source == source).order_by(SyncRun.id))]


def test_rows_are_stored_as_sqlalchemy_stores_them(db_session):
    db_session.execute(SyncRun.__table__.insert(), runs("sqlalchemy"))
    db_session.execute(FxRate.__table__.insert(), rates("2026-10"))
    bulk.insert_rows(SyncRun, runs("bulk"))
    bulk.insert_rows(FxRate, rates("2026-11"))
    bulk.insert_rows(FxRate, [])
    db_session.commit()

    assert stored_runs(db_session, "bulk") == stored_runs(db_session, "sqlalchemy")
    assert stored_runs(db_session, "bulk")[0][1] == "running"  # a column left out takes its Python-side default
    assert stored_runs(db_session, "bulk")[0][5] == AWKWARD + " 0"

    def rates_of(month):
        return db_session.scalars(select(FxRate.rate).where(FxRate.month == month).order_by(FxRate.id)).all()
    assert rates_of("2026-11") == rates_of("2026-10") == [Decimal("7.123456"), Decimal("0.14038"), Decimal("8")]


def test_many_rows_are_split_into_statements_that_all_arrive(db_session, monkeypatch):
    monkeypatch.setattr(bulk, "STATEMENT_BYTES", 2000)  # a few rows per statement
    rows = [{"source": "zendesk", "kind": "sync", "error": f"第{n}批 {AWKWARD}"} for n in range(120)]
    bulk.insert_rows(SyncRun, rows)
    db_session.commit()
    assert db_session.scalars(select(SyncRun.error).order_by(SyncRun.id)).all() == [r["error"] for r in rows]
