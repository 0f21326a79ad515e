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
page costs one pickle of its bytes each way, no start-up. In ``ExtractionPool`` one thread per
worker in the parent waits for the answer (blocked in I/O, without the GIL), so neither the
Twisted reactor nor the asyncio loop ever runs an extraction.

In a crawl, ``pool_for(crawler)`` gives the process-wide pool for that crawler's settings
(``CSTO_EXTRACT_WORKERS``, ``CSTO_EXTRACT_TIMEOUT``, ``CSTO_EXTRACT_FUNCTION``,
``CSTO_EXTRACT_NICE``), shared by every crawler of the process (``csto refresh`` runs all sites
in one) and closed when the last of them stops: a ``ReactorPool``, the same workers and
promises with their sockets read and written by the reactor itself (no thread waking up and
taking the GIL from the event loop for every page); ``await_future(answer)`` awaits its result
from a Scrapy callback under any reactor.
Outside a running crawl (tests, ``csto fixtures``) and with ``CSTO_EXTRACT_WORKERS = 0`` the
spider extracts inline, as before.
"""

from __future__ import annotations

import importlib
import logging
import os
import pickle
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["DEFAULT_FUNCTION", "ExtractionError", "ExtractionPool", "ExtractionTimeout", "PoolStarter",
           "ReactorPool", "await_future", "pool_for", "pool_key"]

logger = logging.getLogger(__name__)

DEFAULT_FUNCTION = "csto_crawler.pagecheck:check_then_extract"
#: Seconds a new worker may take to import the function and say it is ready.
START_TIMEOUT = 60.0
#: Calls a ``ReactorPool`` worker holds at once: the one it runs and the next one.
PIPELINE = 2
#: Seconds after which a call still running hands the call waiting behind it to another worker
#: (at most half the budget); pages take milliseconds, a hostile one up to about two seconds.
RESCUE_AFTER = 0.5

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


def _spawn(spec: str, nice: int) -> tuple[subprocess.Popen, socket.socket]:
    """A new worker process for ``spec`` and the parent's end of its socket."""
    parent, child = socket.socketpair()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, str(child.fileno()), spec, str(_log_level()), str(nice)],
            pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL)
    except BaseException:
        parent.close()
        raise
    finally:
        child.close()
    return process, parent


class _Worker:
    """One worker process and the parent's end of its socket."""

    def __init__(self, spec: str, nice: int = 0) -> None:
        self.process, parent = _spawn(spec, nice)
        self.conn = Connection(parent.detach())
        if not self.conn.poll(START_TIMEOUT):
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
        if not self.conn.poll(timeout):
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


# --- In the crawl's reactor ------------------------------------------------------------------
class _Framing:
    """``multiprocessing.connection``'s framing on a Twisted transport: each message a pickle
    after its length (big-endian signed 32 bits, or -1 and unsigned 64 bits), as the workers'
    ``Connection`` reads and writes them."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def frames(self, data: bytes) -> list[bytes]:
        """The whole messages ``data`` completes (the rest waits for more)."""
        buffer = self._buffer
        buffer += data
        found = []
        while len(buffer) >= 4:
            (size,), head = struct.unpack_from("!i", buffer), 4
            if size == -1:
                if len(buffer) < 12:
                    break
                (size,), head = struct.unpack_from("!Q", buffer, 4), 12
            if len(buffer) < head + size:
                break
            found.append(bytes(buffer[head:head + size]))
            del buffer[:head + size]
        return found

    @staticmethod
    def message(obj: Any) -> list[bytes]:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        size = len(data)
        return [struct.pack("!i", size) if size <= 0x7FFFFFFF else struct.pack("!iQ", -1, size), data]


class _Call:
    """One call of a ``ReactorPool``: its Deferred and arguments. ``orphan``: handed to another
    worker while this one was stuck on the call before it (its answer here is ignored)."""

    __slots__ = ("deferred", "args", "kwargs", "orphan")

    def __init__(self, deferred, args: tuple, kwargs: dict) -> None:
        self.deferred, self.args, self.kwargs, self.orphan = deferred, args, kwargs, False

    def again(self) -> _Call:
        self.orphan = True
        return _Call(self.deferred, self.args, self.kwargs)


class _ReactorWorker:
    """One worker process whose socket the reactor reads and writes (``ReactorPool``). It holds
    up to ``PIPELINE`` calls: the worker runs them in order and reads the next one as soon as it
    has answered, whenever the reactor gets round to reading that answer. A call still running
    after ``RESCUE_AFTER`` seconds hands the calls behind it to the other workers."""

    def __init__(self, pool: ReactorPool) -> None:
        from twisted.internet import reactor
        from twisted.internet.protocol import Factory, Protocol

        self.pool = pool
        self.ready = False
        self.gone = False
        self.calls: deque[_Call] = deque()  # the calls sent, the running one first
        self.started = 0.0  # when the running call started (perf_counter)
        self.transport = None
        self.rescue = None  # the timer that hands the calls behind a slow one to other workers
        framing = _Framing()
        worker = self

        class Socket(Protocol):
            def connectionMade(self) -> None:
                worker.transport = self.transport

            def dataReceived(self, data: bytes) -> None:
                for frame in framing.frames(data):
                    worker.answer(frame)

            def connectionLost(self, reason=None) -> None:
                worker.lost()

        self.process, parent = _spawn(pool.function, pool.nice)
        try:
            reactor.adoptStreamConnection(parent.fileno(), socket.AF_UNIX, Factory.forProtocol(Socket))
        finally:
            parent.close()  # the reactor holds its own duplicate
        self.timer = reactor.callLater(START_TIMEOUT, self._start_timeout)

    @property
    def free(self) -> int:
        """How many more calls it takes now."""
        return PIPELINE - len(self.calls) if self.ready and not self.gone else 0

    def run(self, call: _Call) -> None:
        try:
            message = _Framing.message((call.args, call.kwargs))
        except Exception as exc:  # noqa: BLE001 (an unpicklable call fails alone)
            call.deferred.errback(ExtractionError(f"cannot send the call: {type(exc).__name__}: {exc}"))
            return
        self.calls.append(call)
        if len(self.calls) == 1:
            self._running()
        self.transport.writeSequence(message)

    def _running(self) -> None:
        """The first call in ``calls`` is the one the worker runs now: its budget starts."""
        from twisted.internet import reactor

        self.started = time.perf_counter()
        self.timer = reactor.callLater(self.pool.timeout, self._timeout)
        self.rescue = reactor.callLater(min(RESCUE_AFTER, self.pool.timeout / 2), self._rescue)

    def _stop_timers(self) -> None:
        for timer in (self.timer, self.rescue):
            if timer is not None and timer.active():
                timer.cancel()

    def _rescue(self) -> None:
        """The running call is slow: the calls waiting behind it go back to the pool."""
        behind = [call for call in list(self.calls)[1:] if not call.orphan]
        if behind:
            self.pool.requeue([call.again() for call in behind])

    def answer(self, frame: bytes) -> None:
        """A message from the worker: ready (or not) after its start, else a call's answer."""
        try:
            message = pickle.loads(frame)
        except Exception as exc:  # noqa: BLE001 (an answer that cannot be read: the worker is broken)
            message = ("error", f"cannot read the worker's answer: {type(exc).__name__}: {exc}", [])
        if not self.ready:
            self._stop_timers()
            status, value = message
            if status == "ready":
                self.ready = True
                self.pool.dispatch()
            else:
                self._end(f"extraction worker for {self.pool.function}: {value}")
            return
        if not self.calls:
            return
        call = self.calls.popleft()
        self._stop_timers()
        if self.calls:
            self._running()
        status, value, records = message
        if not call.orphan:
            for record in records:  # the worker's log lines, in this process's log
                logging.getLogger(record.name).handle(record)
            if status == "ok":
                call.deferred.callback(value)
            else:
                call.deferred.errback(ExtractionError(value))
        self.pool.dispatch()

    def lost(self) -> None:
        """The worker's socket closed: it died (or was told to stop)."""
        if self.gone:
            return
        self._stop_timers()
        if not self.ready:
            self._end(f"the extraction worker for {self.pool.function} died while starting")
            return
        code = self._reap()
        call = self.calls.popleft() if self.calls else None
        elapsed = time.perf_counter() - self.started
        self._end(None)
        if call is not None and not call.orphan:
            call.deferred.errback(ExtractionError(
                f"the extraction worker died after {elapsed:.1f} s (exit status {code}; connection lost)"))

    def _start_timeout(self) -> None:
        self._end(f"the extraction worker for {self.pool.function} did not start within {START_TIMEOUT:.0f} s")

    def _timeout(self) -> None:
        call = self.calls.popleft()
        self._stop_timers()
        if not call.orphan:
            self.pool.timeouts += 1
        self._end(None)
        if not call.orphan:
            call.deferred.errback(ExtractionTimeout(f"over {self.pool.timeout:g} s"))

    def _reap(self) -> int | None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        return self.process.returncode

    def _end(self, failure: str | None) -> None:
        """Kill and forget this worker; ``failure``: why it could not start (logged). The calls
        it held but had not started go back to the pool."""
        if self.gone:
            return
        self.gone = True
        self._stop_timers()
        self._reap()
        if self.transport is not None:
            self.transport.loseConnection()
        waiting = [call.again() for call in self.calls if not call.orphan]
        self.calls = deque()
        self.pool.ended(self, failure, waiting)

    def stop(self) -> None:
        """Ask an idle worker to exit; its process is reaped by ``ReactorPool.close``."""
        self.gone = True
        if self.transport is not None:
            self.transport.writeSequence(_Framing.message(None))
            self.transport.loseConnection()


class ReactorPool:
    """The crawl's extraction pool: the same worker processes as ``ExtractionPool``, their
    sockets read and written by the Twisted reactor itself. ``submit`` returns a Deferred.

    ``ExtractionPool`` waits for each answer in a thread of its own: in a crawl, those threads
    cost the crawl process ~0.57 ms of CPU a page (waking up, taking the GIL from the event
    loop and giving it back). Here everything runs on the reactor thread, and nothing blocks it
    but starting a process. Each worker holds up to ``PIPELINE`` calls, so it starts its next
    page as soon as it has answered, not when a busy event loop has read the answer (with one
    call at a time the workers waited for the loop: fewer pages a second for less CPU)."""

    def __init__(self, workers: int = 1, timeout: float = 20.0, function: str = DEFAULT_FUNCTION,
                 nice: int = 0) -> None:
        if workers < 1:
            raise ValueError(f"an extraction pool needs at least one worker, got {workers}")
        _check_budget_and_nice(timeout, nice, "the extraction timeout", "the workers' nice value")
        self.workers, self.timeout, self.function, self.nice = workers, float(timeout), function, nice
        self.timeouts = 0  #: calls that ran over budget (each killed its worker)
        self.restarts = 0  #: workers started to replace a killed or dead one
        self._queue: deque = deque()
        self._alive: list[_ReactorWorker] = []
        self._stopped: list[_ReactorWorker] = []
        self._closed = False
        for _ in range(workers):
            self._start()

    def submit(self, *args: Any, **kwargs: Any):
        """Queue one call of the function; the Deferred fires with its result or error."""
        from twisted.internet import defer

        if self._closed:
            raise RuntimeError("the extraction pool is closed")
        deferred = defer.Deferred()
        self._queue.append(_Call(deferred, args, kwargs))
        self.dispatch()
        return deferred

    def _start(self) -> None:
        try:
            self._alive.append(_ReactorWorker(self))
        except OSError as exc:
            logger.error("extraction worker for %s: %s", self.function, exc)
            self._fail_one(f"the extraction worker ({self.function}) could not start")

    def _fail_one(self, reason: str) -> None:
        """A worker could not start: the oldest waiting call fails (each call gets one start)."""
        if self._queue:
            self._queue.popleft().deferred.errback(ExtractionError(reason))

    def dispatch(self) -> None:
        """Hand waiting calls to the workers with room, the least loaded first; when closed, stop
        the workers that have nothing left."""
        if self._closed:
            for worker in [w for w in self._alive if w.ready and not w.calls]:
                self._alive.remove(worker)
                self._stopped.append(worker)
                worker.stop()
            return
        while self._queue:
            worker = max(self._alive, key=lambda w: w.free, default=None)
            if worker is None or worker.free <= 0:
                break
            worker.run(self._queue.popleft())
        if self._queue:
            for _ in range(self.workers - len(self._alive)):
                self._start()

    def ended(self, worker: _ReactorWorker, failure: str | None, waiting: list) -> None:
        """A worker is gone (killed after a timeout, died, or could not start); ``waiting``: the
        calls it held but had not started, run again first."""
        if worker in self._alive:
            self._alive.remove(worker)
        self._queue.extendleft(reversed(waiting))
        if failure is not None:
            logger.error("%s", failure)
            self._fail_one(f"the extraction worker ({self.function}) could not start")
        if self._closed:
            self._fail_waiting()
            return
        if failure is None:
            self.restarts += 1
            self._start()
        self.dispatch()

    def requeue(self, calls: list[_Call]) -> None:
        """Calls a slow worker held but had not started: first in line again."""
        self._queue.extendleft(reversed(calls))
        if self._closed:
            self._fail_waiting()
        else:
            self.dispatch()

    def _fail_waiting(self) -> None:
        while self._queue:
            self._queue.popleft().deferred.errback(ExtractionError("the extraction pool was closed"))

    async def close(self) -> None:
        """Stop the workers (each one when its calls are done) and reap their processes."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.threads import deferToThread

        if self._closed:
            return
        self._closed = True
        self._fail_waiting()
        self.dispatch()
        processes = [w.process for w in self._stopped + self._alive]
        await maybe_deferred_to_future(deferToThread(_reap_all, processes))


def _reap_all(processes: list[subprocess.Popen], grace: float = 5.0) -> None:
    """Wait for processes told to stop (``grace`` seconds in all), then kill what is left."""
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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


def pool_for(crawler) -> ReactorPool | ExtractionPool | None:
    """The pool a running crawl extracts with, None to extract inline (no running crawl, or
    ``CSTO_EXTRACT_WORKERS = 0``): a ``ReactorPool``, or an ``ExtractionPool`` under a reactor
    that cannot adopt a socket. Shared by the crawlers of one process with the same settings;
    released when the crawler's engine stops. Called on the reactor thread."""
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
            pool = _pools[key] = (ReactorPool if _reactor_adopts_sockets() else ExtractionPool)(*key)
            logger.info("extracting articles in %d worker process(es), %g s per page (CSTO_EXTRACT_TIMEOUT), "
                        "nice %d (CSTO_EXTRACT_NICE), answers read by %s", key[0], key[1], key[3],
                        "the event loop" if isinstance(pool, ReactorPool) else "one thread per worker")
        return pool


def _reactor_adopts_sockets() -> bool:
    """Whether the running reactor can adopt a worker's socket (every POSIX reactor can)."""
    from twisted.internet import reactor
    from twisted.internet.interfaces import IReactorSocket

    return IReactorSocket.providedBy(reactor) and socket.AF_UNIX in getattr(
        reactor, "_supportedAddressFamilies", ())


async def _release(key: tuple, user: int) -> None:
    """``engine_stopped``: the last crawler of a pool closes it (the engine waits for this
    coroutine; the reactor goes on closing connections meanwhile, the workers are waited for
    in a thread)."""
    with _lock:
        users = _users.get(key, set())
        users.discard(user)
        pool = _pools.pop(key, None) if not users else None
    if pool is None:
        return
    if isinstance(pool, ReactorPool):
        await pool.close()
        return
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet.threads import deferToThread

    await maybe_deferred_to_future(deferToThread(pool.close))


async def await_future(future) -> Any:
    """Await a pool's answer from a Scrapy callback (asyncio or any other Twisted reactor): a
    ``ReactorPool``'s Deferred or an ``ExtractionPool``'s Future."""
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import defer, reactor

    if isinstance(future, defer.Deferred):
        return await maybe_deferred_to_future(future)
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
