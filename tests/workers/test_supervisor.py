"""The web tier as `make run` starts it (workers.supervisor.web_command), over real sockets: slow and
oversized clients must not hold it or fill its memory (issue 12 item 3).

One gunicorn per module, on this test process's database and Redis (so the MariaDB pass runs it on
MariaDB and redis-server). The numbers behind the worker class are in bench/slow_clients.py.
"""

import socket
import time

import pytest

from tests.support.webserver import HOST, Trickler, WebServer, probe, stream_chunked

CALLBACK = "/wechat/callback/mp"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def web(app, database_url, redis_url, tmp_path_factory):
    """gunicorn as `make run` starts it; `app` has migrated the database it serves."""
    instance = tmp_path_factory.mktemp("web-instance")
    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "JIXIAO_INSTANCE": str(instance),
           "SECRET_KEY": "web-tier-test-" + "s" * 32}
    with WebServer(env, instance / "gunicorn.log") as server:
        yield server


def test_two_clients_trickling_bodies_do_not_stop_healthz(web):
    tricklers = [Trickler(web.url, CALLBACK) for _ in range(2)]
    for trickler in tricklers:
        trickler.start()
    try:
        for trickler in tricklers:
            assert trickler.started_sending.wait(5)
        time.sleep(1)  # both slow bodies are being read by the server now
        latencies = [probe(web.url + "/healthz", timeout=5) for _ in range(3)]
        assert None not in latencies, f"/healthz unanswered within 5 s: {latencies}\n{web.log_tail()}"
        assert all(not t.closed_by_server for t in tricklers), "the slow clients must still be connected"
    finally:
        for trickler in tricklers:
            trickler.stop()


def test_a_declared_600_mb_body_is_answered_413_before_it_is_sent(web):
    with socket.create_connection((HOST, web.port), timeout=5) as sock:
        sock.sendall((f"POST {CALLBACK} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: text/xml\r\n"
                      "Content-Length: 600000000\r\n\r\n").encode())
        try:
            head = sock.recv(64)
        except TimeoutError:
            head = b"(no answer within 5 s)"
    assert head.startswith(b"HTTP/1.1 413"), head


def test_a_128_mb_chunked_body_is_cut_off_without_growing_the_server(web):
    before = web.peak_rss()
    result = stream_chunked(web.url, CALLBACK, 128 * MIB, timeout=60)
    time.sleep(0.5)
    after = web.peak_rss()
    growth = max(after[pid] - peak for pid, peak in before.items() if pid in after)
    # Buffering the body grew a worker by 131 MiB; a first request's lazy imports alone can add ~20 MiB.
    assert growth < 48 * MIB, f"a worker's peak RSS grew by {growth / MIB:.0f} MiB"
    assert result.status in (413, None), result  # None: closed while the client was still sending
    assert probe(web.url + "/healthz", timeout=5) is not None
