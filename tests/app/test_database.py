"""The database under test is the one CI asked for, and the migrations reached head."""

import os

from sqlalchemy import inspect, text

from app.extensions import db
from tests.support.connections import own_connection


def expected_dialect() -> str:
    """CI sets JIXIAO_TEST_DIALECT for each pass, so this check never has to skip."""
    default = "mysql" if os.environ.get("DATABASE_URL", "").startswith("mysql") else "sqlite"
    return os.environ.get("JIXIAO_TEST_DIALECT", default)


def test_database_is_the_dialect_this_pass_expects(app):
    with app.app_context():
        assert db.engine.dialect.name == expected_dialect()


def test_migrations_are_at_head(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        head = ScriptDirectory.from_config(config).get_current_head()
        current = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert current == head
        assert "alembic_version" in inspect(db.engine).get_table_names()
    assert Migrate  # the extension the app registered


def test_mariadb_connection_speaks_utf8mb4(app):
    with app.app_context():
        if db.engine.dialect.name == "mysql":
            charset = db.session.execute(text("SELECT @@character_set_connection")).scalar_one()
            assert charset == "utf8mb4"
        else:
            mode = db.session.execute(text("PRAGMA journal_mode")).scalar_one()
            assert mode == "wal"


def test_a_result_left_half_read_does_not_freeze_what_the_app_sees(client, db_session):
    """Another process's commit is visible to every later transaction, even after /healthz ran
    and some code kept a raw result it never finished reading. On SQLite an unfinished cursor pins
    its connection's read snapshot across rollback, and a pooled connection carried that frozen view
    to the next request or job."""
    from sqlalchemy import func, select, text

    from app.models import Department
    from app.services import heartbeat

    db_session.add_all([Department(code=f"d{i}", name=f"部门{i}") for i in range(3)])
    db_session.commit()
    heartbeat.record_tick()
    assert client.get("/healthz").get_json()["checks"]["database"]["ok"] is True
    half_read = db_session.execute(text("SELECT id FROM department"))
    half_read.fetchone()
    db_session.rollback()

    with own_connection() as other_process:
        other_process.execute(Department.__table__.insert().values(code="late", name="后来的部门"))

    seen = set()
    for _ in range(12):  # more transactions than a pool holds connections: each one gets asked
        seen.add(db_session.scalar(select(func.count()).select_from(Department)))
        db_session.rollback()
    assert seen == {4}
    half_read.close()  # kept alive until here on purpose
