"""Extraction functions for the pool tests, run inside the pool's worker processes.

``stall_on(html, url, …)`` is the project's ``extract`` except for the URLs listed in the
``POOL_TEST_STALL_URLS`` environment variable (comma-separated; the crawl subprocess and its
workers inherit it), where it never returns: a runaway extraction, as a hostile page would
cause. The others behave as their names say.
"""

from __future__ import annotations

import os
import time

from csto_crawler.extract import extract


def stall_on(html, url, rules=None, **kwargs):
    if url in os.environ.get("POOL_TEST_STALL_URLS", "").split(","):
        while True:
            time.sleep(1)
    return extract(html, url, rules, **kwargs)


def pid_or_sleep(seconds: float = 0.0) -> int:
    time.sleep(seconds)
    return os.getpid()


def spin(seconds: float) -> int:
    """Busy CPU (no sleep) for ``seconds``: a loop in C or Python is killed the same way."""
    end = time.perf_counter() + seconds
    count = 0
    while time.perf_counter() < end:
        count += 1
    return count


def fail(message: str) -> None:
    raise ValueError(message)


def die(code: int) -> None:
    os._exit(code)
