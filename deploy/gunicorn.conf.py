"""gunicorn's settings for the application (deploy/systemd/mapping.service loads this file).

    gunicorn --config deploy/gunicorn.conf.py mapping.wsgi

Sync workers behind nginx: nginx buffers request bodies (photos) and responses, so a slow
phone never holds a worker, and each worker answers one request at a time with its own
database connection and its own in-memory cluster index (docs/scaling.md: about 170 MB per
million public points per worker). GUNICORN_BIND and GUNICORN_WORKERS override the defaults
(make prod-check uses them to run on a free loopback port).
"""

import multiprocessing
import os

# Loopback only: the proxy is the one client, and TRUSTED_PROXIES names its address.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# docs/scaling.md: 2 x cores.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
# Requests are bounded by the database's statement_timeout (DB_STATEMENT_TIMEOUT_MS, 30 s);
# staff exports run up to EXPORT_STATEMENT_TIMEOUT_MS (600 s), so a worker gets 660 s before
# it is replaced (nginx gives the export routes as long; other requests it cuts at 120 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 660))
graceful_timeout = 30
# No max_requests: a recycled worker would rebuild its cluster index (seconds per project).
# X-Forwarded-Proto is believed from the proxy on loopback only (Django reads it too:
# SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Logs to the journal (systemd captures standard output and error).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The proxy's client address, not gunicorn's view of it (the proxy on loopback).
access_log_format = '%({x-real-ip}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
