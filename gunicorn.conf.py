"""How gunicorn runs the web tier (`make run` passes this file; production runs the same command).

Threaded workers (gthread), chosen on numbers (bench/slow_clients.py, docs/deployment.md): a request
whose client trickles its body holds one thread, not the whole process, so two slow clients no longer
stop /healthz as they did with the two sync workers; and a request waiting for SQLite's write lock
waits in its own thread, where an async worker (gevent) stalls every request of its process, because
the wait happens inside SQLite's C code. Slow clients beyond workers × threads are the reverse proxy's
job: nginx buffers whole bodies before it forwards them (docs/deployment.md).

Body size limits are not gunicorn's: the app refuses them per route before reading (app/api/limits.py).
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# 4 slow clients per worker before the next request waits (nginx buffers them in production),
# each thread with its own database connection (config.py sizes the pool to match). More threads
# queue for the one interpreter lock: at 200 home requests a second on 2 cores the p95 was 166 ms
# with 16 threads, 39–173 ms with 8 and 35–40 ms with 4 (bench/api_load.py, docs/deployment.md).
threads = int(os.environ.get("JIXIAO_WEB_THREADS", "4"))
# gthread's main loop keeps the heartbeat, so this is how long a worker may be frozen, not how long
# a request may take.
timeout = 30
graceful_timeout = 20
# Behind nginx, connections are reused (upstream keepalive); longer than nginx's idle time there.
keepalive = 75
# Request line and headers stay within gunicorn's defaults: 8190 bytes a line, 100 header fields.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# No runtime control socket: it would live at one path per user, shared by every gunicorn we start
# (tests and benches start several at once).
control_socket_disable = True
