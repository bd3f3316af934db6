"""config.py: the embedded default without environment, real servers by URL, production refuses to guess."""

import pytest

from config import Config, ConfigError


def test_no_environment_gives_the_embedded_default(tmp_path):
    config = Config({"JIXIAO_INSTANCE": str(tmp_path)})
    assert config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path}/jixiao.db"
    assert config.REDIS_URL is None
    assert config.BUSINESS_TIMEZONE == "Asia/Shanghai"


def test_mysql_url_is_forced_to_utf8mb4():
    config = Config({"DATABASE_URL": "mysql+pymysql://u:p@db/jixiao"})
    assert config.SQLALCHEMY_DATABASE_URI == "mysql+pymysql://u:p@db/jixiao?charset=utf8mb4"
    assert config.SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"] is True


def test_production_without_secrets_refuses_to_start():
    config = Config({"JIXIAO_ENV": "production", "DATABASE_URL": "mysql+pymysql://u:p@db/j"})
    with pytest.raises(ConfigError, match="SECRET_KEY, JIXIAO_MASTER_KEY, REDIS_URL"):
        config.validate()


def test_production_with_its_settings_starts():
    config = Config(
        {"JIXIAO_ENV": "production", "DATABASE_URL": "mysql+pymysql://u:p@db/j", "REDIS_URL": "redis://r",
         "SECRET_KEY": "x" * 32, "JIXIAO_MASTER_KEY": "bWFzdGVyLWtleS1vZi10aGUtdGVzdC0zMi1ieXRlcyE="}
    )
    config.validate()
    assert config.is_production
