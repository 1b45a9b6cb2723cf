"""gunicorn settings for the web container (``gunicorn -c deploy/gunicorn.conf.py omooc.wsgi``).

Measured with ``make bench BENCH=load`` on 2 cores (README, "Performance"): the work per request is
CPU-bound Python plus short PostgreSQL/Redis round trips, so one process per core with a few threads
each keeps both cores busy while a thread waits on the database, and keep-alive connections (nginx
upstream keepalive, or a client) are held by threads instead of occupying a whole sync worker.
More processes than cores only add context switches and memory. Override with WEB_CONCURRENCY and
GUNICORN_THREADS when the container gets more cores (rule of thumb: workers = cores).
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
# Load the application once in the master and fork: faster start and shared memory pages.
preload_app = True
# A guard against slow leaks, not a routine: a replaced worker starts cold (new database connection,
# templates compiled again), which shows as a latency spike. 10,000 meant a restart every ~20 s per
# worker at the benchmark's rate.
max_requests = 200_000
max_requests_jitter = 20_000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # compose passes --access-logfile -
