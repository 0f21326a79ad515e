"""Runs ``ReactorPool`` through its cases under the asyncio reactor, in a process of its own,
and prints what happened as JSON (``test_extract_pool.py`` runs it and checks the answers).

``python tests/reactor_pool_checks.py`` (with this folder and the project on ``sys.path``)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
import time
from pathlib import Path

from scrapy.utils.reactor import install_reactor

install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future  # noqa: E402
from twisted.internet import task  # noqa: E402

from csto_crawler.extraction_pool import ExtractionError, ExtractionTimeout, ReactorPool  # noqa: E402


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[list[str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append([record.name, record.levelname, record.getMessage()])


async def _outcome(deferred) -> list:
    try:
        return ["ok", await maybe_deferred_to_future(deferred)]
    except ExtractionTimeout as exc:
        return ["timeout", str(exc)]
    except ExtractionError as exc:
        return ["error", str(exc)]


async def cases() -> dict:
    out: dict = {"threads_before": threading.active_count()}
    records = _Records()
    logging.getLogger().addHandler(records)

    pool = ReactorPool(workers=2, timeout=1.0, function="pool_functions:pid_or_sleep")
    out["threads_with_pool"] = threading.active_count()
    answers = await asyncio.gather(*(_outcome(pool.submit(0.01)) for _ in range(40)))
    out["pids"] = sorted({pid for _, pid in answers})
    before = [w.process.pid for w in pool._alive]
    started = time.perf_counter()
    out["over_budget"] = await _outcome(pool.submit(30))
    out["killed_and_reaped"] = [pid for pid in before if not Path(f"/proc/{pid}").exists()]
    out["over_budget_seconds"] = time.perf_counter() - started
    out["after_timeout"] = await _outcome(pool.submit())
    out["counters"] = [pool.timeouts, pool.restarts]
    processes = [w.process for w in pool._alive]
    await pool.close()
    out["exit_codes"] = [p.poll() for p in processes]
    try:
        pool.submit()
        out["submit_after_close"] = "accepted"
    except RuntimeError as exc:
        out["submit_after_close"] = str(exc)

    pool = ReactorPool(workers=1, timeout=10, function="pool_functions:fail")
    out["fail"] = await _outcome(pool.submit("bad page"))
    await pool.close()
    pool = ReactorPool(workers=1, timeout=10, function="pool_functions:die")
    out["die"] = [await _outcome(pool.submit(3)), await _outcome(pool.submit(4))]
    await pool.close()
    pool = ReactorPool(workers=1, timeout=10, function="no_such_module:extract")
    out["no_function"] = await _outcome(pool.submit())
    await pool.close()
    pool = ReactorPool(workers=1, timeout=10, function="pool_functions:log_and_return")
    out["logged_answer"] = await _outcome(pool.submit("a date that does not parse"))
    await pool.close()
    out["worker_logs"] = [r for r in records.seen if r[0] == "pool_functions"]
    out["threads_after"] = threading.active_count()
    return out


def main(reactor) -> object:
    async def run() -> None:
        print(json.dumps(await cases()))

    return deferred_from_coro(run())


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    task.react(main)
