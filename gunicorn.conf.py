"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py certification.wsgi`.

Every value can be overridden from the environment (GUNICORN_CMD_ARGS or the variables below).

The master loads the application before it forks the workers (`preload_app`):
certification/wsgi.py checks the caches there and loads everything a request needs, so that a
worker, a recycled one too, is warm before it accepts a connection.
"""

import multiprocessing
import os
import sys
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows. A new worker is forked warm and
# an old one leaves at once (worker_exit below), so that recycling does not show in the
# latencies; the jitter keeps the workers from being recycled together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = True


def worker_exit(server: Any, worker: Any) -> None:
    """A recycled or stopped worker leaves without tearing its interpreter down.

    The teardown frees one by one every object the worker inherited from the master, copying
    each memory page they share first: 0.25 to 0.5 s of CPU measured here, during which the
    master had not yet forked the worker's replacement.
    """
    leaving = sys.exception()
    if not (worker.booted and isinstance(leaving, SystemExit) and isinstance(leaving.code, int)):
        return  # a worker that could not boot exits the way gunicorn expects
    from django.db import connections

    connections.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(leaving.code)
