"""Article extraction off the crawl's event loop: worker processes with a per-page budget.

``ExtractionPool(workers, timeout)`` runs ``csto_crawler.pagecheck.check_then_extract`` (the
page check, then ``csto_crawler.extract.extract``; or another ``module:function``) in
``workers`` child processes, at a CPU priority lowered by ``nice`` where the system has one (a
crawl's event loop goes first). ``submit(*args, **kwargs)`` returns a
``concurrent.futures.Future`` of the function's result; a call that runs longer than
``timeout`` seconds fails with ``ExtractionTimeout``, and the worker running it is killed and
replaced (a runaway page cannot pile up: at most one per worker, for at most ``timeout``); an
exception in the function, or a worker that dies, fails the call with ``ExtractionError``.
Time a page waits for a free worker is not charged to its budget. What the function logs (at
the level this process shows) comes back with its answer and is logged here, under its logger.

Each worker is a plain ``python -c`` child (no fork of the crawl process, no re-import of its
``__main__``) that imports the function once and then serves calls over a socket pair, so a
page costs one pickle of its bytes each way, no start-up. One thread per worker in the parent
waits for the answer (blocked in I/O, without the GIL), so neither the Twisted reactor nor the
asyncio loop ever runs an extraction.

In a crawl, ``pool_for(crawler)`` gives the process-wide pool for that crawler's settings
(``CSTO_EXTRACT_WORKERS``, ``CSTO_EXTRACT_TIMEOUT``, ``CSTO_EXTRACT_FUNCTION``,
``CSTO_EXTRACT_NICE``), shared by every crawler of the process (``csto refresh`` runs all sites
in one) and closed when the last of them stops; ``await_future(future)`` awaits its result from
a Scrapy callback under any reactor.
Outside a running crawl (tests, ``csto fixtures``) and with ``CSTO_EXTRACT_WORKERS = 0`` the
spider extracts inline, as before.
"""

from __future__ import annotations

import importlib
import logging
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["DEFAULT_FUNCTION", "ExtractionError", "ExtractionPool", "ExtractionTimeout", "PoolStarter",
           "await_future", "pool_for", "pool_key"]

logger = logging.getLogger(__name__)

DEFAULT_FUNCTION = "csto_crawler.pagecheck:check_then_extract"
#: Seconds a new worker may take to import the function and say it is ready.
START_TIMEOUT = 60.0

_BOOT = ("import sys; from csto_crawler.extraction_pool import worker_main; "
         "worker_main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))")


class _Collect(logging.Handler):
    """In a worker: keeps the log records of one call, to be sent back with its answer."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # picklable whatever the args were
        record.exc_info = record.exc_text = None
        self.records.append(record)


def _log_level() -> int:
    """The least severe level this process's logging would show (what workers collect)."""
    root = logging.getLogger()
    handler_levels = [h.level for h in root.handlers] or [logging.WARNING]
    return max(root.getEffectiveLevel(), min(handler_levels))


def _check_budget_and_nice(timeout: float, nice: int, timeout_name: str, nice_name: str) -> None:
    """A ``ValueError`` naming the value (as its caller calls it) that no pool can take."""
    if timeout <= 0:
        raise ValueError(f"{timeout_name} must be a positive number of seconds, got {timeout:g}")
    if not 0 <= nice <= 19:
        raise ValueError(f"{nice_name} must be 0 to 19, got {nice}")


class ExtractionTimeout(Exception):
    """The page took longer than the pool's budget; its worker was killed."""


class ExtractionError(Exception):
    """The extraction function raised, or its worker died or could not start."""


def load_function(spec: str) -> Callable[..., Any]:
    """``module.path:function`` → the function (ValueError for a malformed spec)."""
    module, _, name = spec.partition(":")
    if not module or not name:
        raise ValueError(f"expected module.path:function, got {spec!r}")
    return getattr(importlib.import_module(module), name)


def worker_main(fd: int, spec: str, level: int = logging.WARNING, nice: int = 0) -> None:
    """A worker process: import ``spec`` once, then answer ``(args, kwargs)`` calls on ``fd``;
    the log records of ``level`` and above go back with each answer. It ends, quietly, when the
    parent says so or goes away (its end of the socket closed). ``nice`` > 0 lowers its CPU
    priority by that much (where the system has ``nice``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    if nice > 0 and hasattr(os, "nice"):
        os.nice(nice)
    collect = _Collect()
    logging.getLogger().addHandler(collect)
    logging.getLogger().setLevel(level)
    conn = Connection(fd)
    try:
        _serve_calls(conn, spec, collect)
    except (EOFError, OSError):
        return


def _serve_calls(conn: Connection, spec: str, collect: _Collect) -> None:
    try:
        function = load_function(spec)
    except Exception as exc:  # noqa: BLE001 (reported to the parent, which raises it)
        conn.send(("error", f"cannot load {spec}: {type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        call = conn.recv()
        if call is None:
            return
        args, kwargs = call
        collect.records = []
        try:
            answer = ("ok", function(*args, **kwargs), collect.records)
        except Exception as exc:  # noqa: BLE001 (one page's failure is that page's answer)
            answer = ("error", f"{type(exc).__name__}: {exc}", collect.records)
        try:
            conn.send(answer)
        except (EOFError, OSError):
            raise
        except Exception as exc:  # noqa: BLE001 (an unpicklable result)
            conn.send(("error", f"cannot send the result: {type(exc).__name__}: {exc}", []))


class _Worker:
    """One worker process and the parent's end of its socket."""

    def __init__(self, spec: str, nice: int = 0) -> None:
        parent, child = socket.socketpair()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, str(child.fileno()), spec, str(_log_level()), str(nice)],
            pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL)
        child.close()
        self.conn = Connection(parent.detach())
        self._poller = select.poll()
        self._poller.register(self.conn.fileno(), select.POLLIN)
        if not self._poller.poll(START_TIMEOUT * 1000):
            self.kill()
            raise ExtractionError(f"the extraction worker did not start within {START_TIMEOUT:.0f} s")
        try:
            status, value = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.kill()
            raise ExtractionError(f"the extraction worker died while starting ({exc or 'EOF'})") from None
        if status != "ready":
            self.kill()
            raise ExtractionError(str(value))

    def call(self, args: tuple, kwargs: dict, timeout: float) -> Any:
        self.conn.send((args, kwargs))
        if not self._poller.poll(timeout * 1000):
            raise ExtractionTimeout(f"over {timeout:g} s")
        status, value, records = self.conn.recv()
        for record in records:  # the worker's log lines, in this process's log
            logging.getLogger(record.name).handle(record)
        if status != "ok":
            raise ExtractionError(value)
        return value

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.conn.close()

    def close(self) -> None:
        try:
            self.conn.send(None)
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class ExtractionPool:
    """``workers`` extraction processes; ``submit`` returns a Future (see the module docstring)."""

    def __init__(self, workers: int = 1, timeout: float = 20.0, function: str = DEFAULT_FUNCTION,
                 nice: int = 0) -> None:
        if workers < 1:
            raise ValueError(f"an extraction pool needs at least one worker, got {workers}")
        _check_budget_and_nice(timeout, nice, "the extraction timeout", "the workers' nice value")
        self.workers, self.timeout, self.function, self.nice = workers, float(timeout), function, nice
        self.timeouts = 0  #: calls that ran over budget (each killed its worker)
        self.restarts = 0  #: workers started to replace a killed or dead one
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False
        self._threads = [threading.Thread(target=self._serve, name=f"csto-extract-{i}", daemon=True)
                         for i in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, *args: Any, **kwargs: Any) -> Future:
        """Queue one call of the function; its Future holds the result or the error."""
        if self._closed:
            raise RuntimeError("the extraction pool is closed")
        future: Future = Future()
        self._calls.put((future, args, kwargs))
        return future

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """One call, waited for (``ExtractionTimeout`` / ``ExtractionError`` as raised)."""
        return self.submit(*args, **kwargs).result()

    def close(self) -> None:
        """Stop the workers once the queued calls are done (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._calls.put(None)
        for thread in self._threads:
            thread.join(timeout=self.timeout + 10)

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> _Worker | None:
        try:
            return _Worker(self.function, self.nice)
        except (ExtractionError, OSError) as exc:
            logger.error("extraction worker for %s: %s", self.function, exc)
            return None

    def _serve(self) -> None:
        worker = self._start()
        while True:
            call = self._calls.get()
            if call is None:
                break
            future, args, kwargs = call
            if not future.set_running_or_notify_cancel():
                continue
            if worker is None:
                worker = self._start()
                if worker is None:
                    future.set_exception(ExtractionError(f"the extraction worker ({self.function}) could not start"))
                    continue
            started = time.perf_counter()
            try:
                future.set_result(worker.call(args, kwargs, self.timeout))
            except ExtractionTimeout as exc:
                self.timeouts += 1
                worker.kill()
                future.set_exception(exc)
                worker = self._replacement()
            except ExtractionError as exc:
                future.set_exception(exc)
            except (EOFError, OSError) as exc:  # the worker died (killed, out of memory, a crash)
                worker.kill()
                code = worker.process.returncode
                future.set_exception(ExtractionError(
                    f"the extraction worker died after {time.perf_counter() - started:.1f} s "
                    f"(exit status {code}; {type(exc).__name__})"))
                worker = self._replacement()
        if worker is not None:
            worker.close()

    def _replacement(self) -> _Worker | None:
        self.restarts += 1
        return None if self._closed else self._start()


# --- In a crawl -------------------------------------------------------------------------------
_lock = threading.Lock()
_pools: dict[tuple, ExtractionPool] = {}
_users: dict[tuple, set[int]] = {}


def pool_key(settings) -> tuple[int, float, str, int] | None:
    """The pool a crawl's settings ask for, ``(workers, timeout, function, nice)``; None to
    extract inline. A value no pool can take is a ``ValueError`` naming its setting."""
    workers = settings.getint("CSTO_EXTRACT_WORKERS", 2)
    if workers <= 0:
        return None
    timeout = settings.getfloat("CSTO_EXTRACT_TIMEOUT", 20.0)
    nice = settings.getint("CSTO_EXTRACT_NICE", 10)
    _check_budget_and_nice(timeout, nice, "CSTO_EXTRACT_TIMEOUT", "CSTO_EXTRACT_NICE")
    return workers, timeout, settings.get("CSTO_EXTRACT_FUNCTION") or DEFAULT_FUNCTION, nice


def pool_for(crawler) -> ExtractionPool | None:
    """The pool a running crawl extracts with, None to extract inline (no running crawl, or
    ``CSTO_EXTRACT_WORKERS = 0``). Shared by the crawlers of one process with the same settings;
    released when the crawler's engine stops."""
    if crawler is None or not getattr(crawler, "crawling", False):
        return None
    key = pool_key(crawler.settings)
    if key is None:
        return None
    with _lock:
        users = _users.setdefault(key, set())
        if id(crawler) not in users:
            users.add(id(crawler))
            from scrapy import signals

            crawler.signals.connect(lambda: _release(key, id(crawler)), signal=signals.engine_stopped, weak=False)
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = ExtractionPool(*key)
            logger.info("extracting articles in %d worker process(es), %g s per page (CSTO_EXTRACT_TIMEOUT), "
                        "nice %d (CSTO_EXTRACT_NICE)", key[0], key[1], key[3])
        return pool


async def _release(key: tuple, user: int) -> None:
    """``engine_stopped``: the last crawler of a pool closes it, in a thread (the engine waits
    for this coroutine; the reactor goes on closing connections meanwhile)."""
    with _lock:
        users = _users.get(key, set())
        users.discard(user)
        pool = _pools.pop(key, None) if not users else None
    if pool is None:
        return
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet.threads import deferToThread

    await maybe_deferred_to_future(deferToThread(pool.close))


async def await_future(future: Future) -> Any:
    """Await a pool Future from a Scrapy callback (asyncio or any other Twisted reactor)."""
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import defer, reactor

    deferred: defer.Deferred = defer.Deferred()

    def settle(done: Future) -> None:
        error = done.exception()
        if error is None:
            deferred.callback(done.result())
        else:
            deferred.errback(error)

    future.add_done_callback(lambda done: reactor.callFromThread(settle, done))
    return await maybe_deferred_to_future(deferred)


class PoolStarter:
    """Extension: starts the crawl's extraction pool when the crawl schedules its first new
    article (a request of ``csto_kind`` ``article``), so that article does not wait for the
    workers to import the extraction (and the crawl does not download far ahead of what it has
    extracted and stored). A run that schedules none, as a refresh finding nothing new (robots.txt,
    feeds, listings, rechecks answered 304), starts no worker: two start-ups of ~0.2 s of CPU
    spared (0.45 s each before the generic extractors were imported on demand). A recheck
    answered with a changed page starts the pool when it is extracted."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.started = False

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        pool_key(crawler.settings)  # a setting no pool can take stops the crawl before it starts
        starter = cls(crawler)
        crawler.signals.connect(starter.request_scheduled, signal=signals.request_scheduled)
        return starter

    def request_scheduled(self, request, spider) -> None:
        if self.started or request.meta.get("csto_kind") != "article":
            return
        self.started = True
        pool_for(self.crawler)
