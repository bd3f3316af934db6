"""The database under test is the one CI asked for, and the migrations reached head."""

import os

from sqlalchemy import inspect, text

from app.extensions import db


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
