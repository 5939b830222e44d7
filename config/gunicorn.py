"""gunicorn settings for `make serve`; every value can be overridden from the environment."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# The usual 2×cores+1 sync workers: requests are short and mostly CPU (template rendering).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# Load the app once in the master so workers share its memory and start fast.
preload_app = True
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, in case something leaks; not often, because each restart
# empties that worker's local-memory cache, and every page must then be rendered again.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 100_000))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
