"""Extraction functions for the pool tests, run inside the pool's worker processes.

``stall_on(html, url, …)`` is the project's ``check_then_extract``, except that it never returns (a
runaway extraction, as a hostile page would cause) for the URLs listed in the
``POOL_TEST_STALL_URLS`` environment variable (comma-separated; the crawl subprocess and its
workers inherit it), and for the first page of a run when ``POOL_TEST_STALL_FIRST`` names a
file that does not exist yet (the first call creates it). The others do what their names say.
"""

from __future__ import annotations

import logging
import os
import time

from csto_crawler.pagecheck import check_then_extract


def stall_on(html, url, rules=None, **kwargs):
    if url in os.environ.get("POOL_TEST_STALL_URLS", "").split(",") or _first(url):
        while True:
            time.sleep(1)
    return check_then_extract(html, url, rules, **kwargs)


def _first(url: str) -> bool:
    marker = os.environ.get("POOL_TEST_STALL_FIRST")
    if not marker:
        return False
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def niceness() -> int:
    return os.nice(0)


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


def log_and_return(message: str) -> int:
    logging.getLogger("pool_functions").warning("from the worker: %s", message)
    return 1
