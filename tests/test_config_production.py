"""Configuration mistakes stop the process: an unknown JIXIAO_ENV, and in production an EncodingAESKey
of the wrong length, a token without its key, a short SECRET_KEY, a missing or malformed master key or
SQLite. The embedded secret is
created once, whole, with its final permissions, and processes started together agree on it."""

import multiprocessing
import stat

import pytest
from cryptography.fernet import Fernet
from flask import Flask

from app import prepare_instance
from config import Config, ConfigError

PRODUCTION = {
    "JIXIAO_ENV": "production",
    "DATABASE_URL": "mysql+pymysql://u:p@db/jixiao",
    "REDIS_URL": "redis://r:6379/0",
    "SECRET_KEY": "k" * 32,
    "JIXIAO_MASTER_KEY": "bWFzdGVyLWtleS1vZi10aGUtdGVzdC0zMi1ieXRlcyE=",
}
AES_KEY = "a" * 43


@pytest.mark.parametrize("name", ["prod", "Production", "staging", "dev"])
def test_an_unknown_environment_name_stops_the_process(name):
    with pytest.raises(ConfigError, match="JIXIAO_ENV"):
        Config({"JIXIAO_ENV": name}).validate()


@pytest.mark.parametrize(("change", "named"), [
    ({"WECHAT_MP_APPID": "wx1", "WECHAT_MP_TOKEN": "t", "WECHAT_MP_AES_KEY": "a" * 42}, "WECHAT_MP_AES_KEY"),
    ({"WECOM_CORP_ID": "ww1", "WECOM_TOKEN": "t", "WECOM_AES_KEY": "a" * 44}, "WECOM_AES_KEY"),
    ({"WECHAT_OA_APPID": "wx2", "WECHAT_OA_TOKEN": "t"}, "WECHAT_OA_AES_KEY"),
    ({"SECRET_KEY": "short-secret"}, "SECRET_KEY"),
    ({"JIXIAO_MASTER_KEY": ""}, "JIXIAO_MASTER_KEY"),
    ({"JIXIAO_MASTER_KEY": "not-a-fernet-key"}, "JIXIAO_MASTER_KEY"),
    ({"DATABASE_URL": "sqlite:////srv/jixiao.db"}, "SQLite"),
    ({"JIXIAO_PUBLIC_URL": "http://kpi.example.cn"}, "JIXIAO_PUBLIC_URL"),
    ({"JIXIAO_FROZEN_NOW": "2026-11-27T02:00:00"}, "JIXIAO_FROZEN_NOW"),
])
def test_production_refuses_what_would_fail_later(change, named):
    with pytest.raises(ConfigError, match=named):
        Config(PRODUCTION | change).validate()


def test_production_with_keys_of_the_right_length_starts():
    Config(PRODUCTION | {"WECHAT_MP_APPID": "wx1", "WECHAT_MP_TOKEN": "t", "WECHAT_MP_AES_KEY": AES_KEY}).validate()
    Config({"JIXIAO_ENV": "embedded"}).validate()


def test_a_frozen_clock_outside_production_stops_the_business_time_there():
    frozen = Config({"JIXIAO_FROZEN_NOW": "2026-11-27T02:00:00"})
    frozen.validate()
    assert frozen.CLOCK().isoformat() == "2026-11-27T02:00:00" and not hasattr(Config({}), "CLOCK")


def _secret_of(instance: str, barrier, results) -> None:
    app = Flask("probe", instance_path=instance)
    barrier.wait()
    prepare_instance(app)
    results.put((app.config["SECRET_KEY"], app.config["MASTER_KEY"]))


def test_processes_started_together_agree_on_the_embedded_secrets(tmp_path):
    context = multiprocessing.get_context("fork")
    for round_ in range(30):
        instance = tmp_path / f"instance-{round_}"
        barrier, results = context.Barrier(6), context.Queue()
        workers = [context.Process(target=_secret_of, args=(str(instance), barrier, results)) for _ in range(6)]
        for worker in workers:
            worker.start()
        secrets = {results.get(timeout=30) for _ in workers}
        for worker in workers:
            worker.join(timeout=30)
        assert len(secrets) == 1, f"round {round_}"
        secret, master = secrets.pop()
        assert len(secret) == 64 and Fernet(master), f"round {round_}"
        for name in ("secret_key", "master_key"):
            assert stat.S_IMODE((instance / name).stat().st_mode) == 0o600
        assert sorted(p.name for p in instance.iterdir()) == ["master_key", "secret_key"]  # no temporary file left
