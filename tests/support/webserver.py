"""The web tier as `make run` starts it (workers.supervisor.web_command: gunicorn and its config) on
a free port of 127.0.0.1, and the clients that misbehave against it: one trickling a declared body,
one streaming a huge chunked body. Used by the tests and by bench/slow_clients.py, so the numbers
and the assertions come from the same clients against the same server.

Everything is bounded: every socket has a timeout, every loop a deadline, and the server is stopped
(terminate, then kill) when the `with` block ends.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from config import BASE_DIR
from workers.supervisor import web_command

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class WebServer:
    """gunicorn started by `web_command`, with `extra_args` appended (a bench compares worker
    classes with `--worker-class sync`). `env` adds to this process's environment."""

    def __init__(self, env: dict, log_path: Path, extra_args: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = log_path
        command = web_command(sys.executable, HOST, self.port) + list(extra_args)
        self._log = open(log_path, "ab")  # noqa: SIM115  closed in stop()
        self.process = subprocess.Popen(command, cwd=BASE_DIR, env=dict(os.environ) | env,
                                        stdout=self._log, stderr=subprocess.STDOUT)

    def __enter__(self) -> "WebServer":
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_ready(self, timeout: float = 60) -> None:
        """Until /healthz answers anything (the web tier is up) and every worker has booted."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.log_tail()}")
            if probe(self.url + "/healthz", timeout=2) is not None and len(self.workers()) >= 1:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s: {self.log_tail()}")

    def workers(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []

    def peak_rss(self) -> dict[int, int]:
        """Each worker's peak resident memory so far (VmHWM, bytes), by pid."""
        peaks = {}
        for worker in self.workers():
            try:
                status = Path(f"/proc/{worker.pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks[worker.pid] = int(line.split()[1]) * 1024
        return peaks

    def log_tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


def probe(url: str, timeout: float) -> float | None:
    """Seconds until `url` answered with any HTTP status, or None when it did not within `timeout`."""
    host, _, rest = url.removeprefix("http://").partition("/")
    name, _, port = host.partition(":")
    started = time.monotonic()
    try:
        with socket.create_connection((name, int(port)), timeout=timeout) as sock:
            sock.settimeout(max(timeout - (time.monotonic() - started), 0.01))
            sock.sendall(f"GET /{rest} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            first = sock.recv(64)
    except OSError:
        return None
    return time.monotonic() - started if first.startswith(b"HTTP/1.") else None


class Trickler(threading.Thread):
    """A slow client: declares `declared` bytes of body, then sends one byte every `interval`
    seconds until stopped or until the server closes the connection."""

    def __init__(self, url: str, path: str, declared: int = 100_000, interval: float = 0.5):
        super().__init__(daemon=True, name=f"trickler-{path}")
        self.url, self.path, self.declared, self.interval = url, path, declared, interval
        self.sent = 0
        self.closed_by_server = False
        self.started_sending = threading.Event()
        self._halt = threading.Event()

    def run(self) -> None:
        host = self.url.removeprefix("http://")
        name, _, port = host.partition(":")
        try:
            with socket.create_connection((name, int(port)), timeout=5) as sock:
                sock.sendall((f"POST {self.path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\n"
                              f"Content-Length: {self.declared}\r\n\r\n").encode())
                self.started_sending.set()
                while not self._halt.wait(self.interval) and self.sent < self.declared:
                    sock.sendall(b"<")
                    self.sent += 1
        except OSError:
            self.closed_by_server = True
        finally:
            self.started_sending.set()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)


@dataclass
class Streamed:
    """What a chunked upload achieved: bytes sent before the server stopped it, and its answer."""

    sent: int
    status: int | None
    seconds: float


def stream_chunked(url: str, path: str, total: int, chunk: int = 256 * 1024, timeout: float = 60) -> Streamed:
    """POST `total` bytes as a chunked body (no Content-Length), as fast as the server takes them;
    stops early when the server answers or closes the connection."""
    host = url.removeprefix("http://")
    name, _, port = host.partition(":")
    piece = b"%x\r\n" % chunk + b"<" * chunk + b"\r\n"
    sent, started = 0, time.monotonic()
    with socket.create_connection((name, int(port)), timeout=timeout) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n").encode())
        try:
            while sent < total and time.monotonic() - started < timeout:
                sock.sendall(piece)
                sent += chunk
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server stopped reading and closed: what a limit should do
        return Streamed(sent, _status_of(sock), time.monotonic() - started)


def _status_of(sock: socket.socket) -> int | None:
    """The HTTP status the server answered on `sock`, or None when it closed without one."""
    try:
        sock.settimeout(10)
        head = sock.recv(64)
    except OSError:
        return None
    if not head.startswith(b"HTTP/1."):
        return None
    return int(head.split()[1])
