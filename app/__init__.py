"""Jixiao (绩效): KPI management for small e-commerce companies, run from WeChat."""

import logging
import os
import secrets
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask

from config import BASE_DIR, Config


def create_app(config: Config | None = None) -> Flask:
    """Build the app in named steps; nothing here runs at import time."""
    config = config or Config()
    config.validate()
    app = Flask(__name__, instance_path=config.INSTANCE_PATH)
    app.config.from_object(config)
    app.json.ensure_ascii = False  # Flask 3 ignores JSON_AS_ASCII: Chinese goes out as UTF-8
    prepare_instance(app)
    keep_secrets_out_of_logs()
    check_wechat_settings(app)
    register_extensions(app)
    register_request_limits(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def prepare_instance(app: Flask) -> None:
    """Create the instance folder; embedded mode keeps a generated secret key and master key there."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    for setting, file_name, generate in (("SECRET_KEY", "secret_key", lambda: secrets.token_hex(32)),
                                         ("MASTER_KEY", "master_key", lambda: Fernet.generate_key().decode())):
        if app.config.get(setting):
            continue
        key_file = instance / file_name
        if not key_file.exists():
            _create_once(key_file, generate())
        app.config[setting] = key_file.read_text().strip()


def _create_once(path: Path, content: str) -> None:
    """Write `content` to a private temporary file, then link it into place: the file appears whole
    and already 0600, and when processes start together the first link wins and all read it."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as file:
            file.write(content)
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)


def keep_secrets_out_of_logs() -> None:
    """WeChat wants the app secret and the access token in the query string, and the HTTP libraries
    log every request line at DEBUG: they log at INFO and above, whatever the root level says."""
    for name in ("urllib3", "wechatpy"):
        logging.getLogger(name).setLevel(logging.INFO)


def check_wechat_settings(app: Flask) -> None:
    """A wrong WeChat setting stops the process now, not at the first message; in production,
    kinds without a registered template are named once in the log."""
    from app.services.notify.kinds import missing_templates
    from app.wechat.settings import settings_from_config

    settings_from_config(app.config)
    missing = missing_templates(app.config)
    if missing and app.config.get("ENV_NAME") == "production":
        app.logger.warning("no WeChat template configured for %s", "; ".join(
            f"{channel}: {', '.join(kinds)}" for channel, kinds in missing.items()))


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  registers every table with the metadata Alembic compares
    from app.extensions import configure_sqlite, db, migrate, redis_store

    db.init_app(app)
    # Batch mode lets SQLite alter tables; compare_type makes `flask db check` see type drift.
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True)
    redis_store.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            configure_sqlite(db.engine)


def register_request_limits(app: Flask) -> None:
    """Body limits per route, refused before reading (app.api.limits)."""
    from app.api.limits import register

    register(app)


def register_blueprints(app: Flask) -> None:
    from app.api.bot import chat_message, menu_click
    from app.api.health import bp as health_bp
    from app.api.imports import bp as imports_bp
    from app.api.media import bp as media_bp
    from app.api.media import media_verdict
    from app.api.mp import bp as mp_bp
    from app.api.wechat import bp as wechat_bp
    from app.console import bp as console_bp
    from app.wechat.dispatch import dispatcher_for

    app.register_blueprint(health_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(mp_bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(wechat_bp)
    app.register_blueprint(console_bp)
    dispatcher = dispatcher_for(app)
    dispatcher.register("event.wxa_media_check", media_verdict, channel="mp")
    for channel in ("wecom", "oa"):
        dispatcher.register("text", chat_message, channel=channel)
        dispatcher.register("event.click", menu_click, channel=channel)


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
