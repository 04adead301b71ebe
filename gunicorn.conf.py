"""gunicorn settings for production: `gunicorn homestart.wsgi` (see README, Production)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Above PostgreSQL's statement_timeout (DATABASE_STATEMENT_TIMEOUT, 20 s by default): a
# slow query is cancelled and answered with the error page before a worker is killed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Request lines and headers are small; refuse oversized ones early.
limit_request_line = 4094
limit_request_fields = 100
# Access log without query strings (searches are POSTed anyway): method, path, status, time.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
