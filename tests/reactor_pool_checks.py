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

    # one worker holds two calls: the one behind a runaway call runs on its replacement
    pool = ReactorPool(workers=1, timeout=1.0, function="pool_functions:pid_or_sleep")
    first = await _outcome(pool.submit())
    await asyncio.sleep(0)
    stuck, behind = pool.submit(30), pool.submit()
    out["held_at_once"] = len(pool._alive[0].calls)
    out["stuck_then_behind"] = [await _outcome(stuck), await _outcome(behind)]
    out["behind_ran_on_a_new_worker"] = out["stuck_then_behind"][1][1] != first[1]
    await pool.close()

    # with a second worker, the call behind a slow one runs there after RESCUE_AFTER, long
    # before the slow one's budget is spent
    pool = ReactorPool(workers=2, timeout=4.0, function="pool_functions:pid_or_sleep")
    while not all(worker.ready for worker in pool._alive):
        await asyncio.sleep(0.05)
    started = time.perf_counter()
    stuck, other = pool.submit(30), pool.submit(0.2)
    behind = pool.submit()
    out["behind_placed_after_stuck"] = [[c.args for c in w.calls] for w in pool._alive] == [[(30,), ()], [(0.2,)]]
    out["rescued"] = await _outcome(behind)
    out["rescued_after_seconds"] = time.perf_counter() - started
    out["rescued_by_the_other"] = out["rescued"][1] == (await _outcome(other))[1]
    out["stuck_still"] = await _outcome(stuck)
    await pool.close()

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
