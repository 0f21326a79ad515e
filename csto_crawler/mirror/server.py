"""The loopback HTTP server of the offline sample web, its faults, request log and admin API.

``MirrorServer`` serves the site tree at ``http://127.0.0.1:PORT/<host>/<path>?<query>`` (the
request handling is ``csto_crawler.mirror.handler``) with real HTTP behaviour: ``Content-Type`` with the page's charset, a strong ``ETag`` (hash of the
body) and a deterministic ``Last-Modified``, ``304 Not Modified`` on ``If-None-Match`` /
``If-Modified-Since``, redirects and error statuses as the fixtures say, gzip when asked,
HEAD, POST pages with their requirements (``csto_crawler.mirror.conditions``). A request for ``http://`` that must differ from ``https://`` can say so with
``X-Forwarded-Proto: http``.

Tests change it between crawls with one call each (``edit_article``, ``change_furniture``,
``remove``, ``add_article``, ``fault``, ``clear_faults``, ``reset``) and read ``requests()``.
The same operations are served as JSON on the mirror's own port under ``/_mirror/`` (see
``docs/mirror.md``). The server binds loopback addresses only.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import threading
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from csto_crawler import PROJECT_ROOT
from csto_crawler.mirror.handler import (
    MAX_DELAY,
    Fault,
    MirrorHandler,
    MirrorHTTPServer,
    RequestRecord,
    gzip_body,
)
from csto_crawler.mirror.pages import Page, http_date, split_url
from csto_crawler.mirror.tree import SiteTree

__all__ = ["DEFAULT_FIXTURES", "FAULT_KINDS", "MirrorServer", "RequestRecord", "loopback_host"]

logger = logging.getLogger(__name__)

#: How long ``requests()`` waits for answers already sent to be logged (seconds).
ANSWER_WAIT = 5.0

#: Where the fixture pages are (the mirror serves them).
DEFAULT_FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
#: What ``fault(url, kind)`` can do to a page.
FAULT_KINDS = ("500_then_ok", "slow", "truncate", "challenge", "reset", "reset_body", "status",
               "body", "redirect", "redirect_loop", "huge")
#: The options each fault kind takes besides ``times`` (see ``MirrorServer.fault``).
FAULT_OPTIONS = {
    "status": {"status", "headers"},
    "body": {"body", "content_type", "status", "headers"},
    "redirect": {"location", "status"},
    "redirect_loop": {"status"},
    "huge": {"size", "announce"},
}

CHALLENGE_BODY = (
    b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Data processing...</title>\n"
    b"<script>document.cookie = \"bobcmn=1; path=/\"; setTimeout(function () "
    b"{ location.reload(); }, 3000);</script></head>\n"
    b"<body><p>Data processing... Please, wait.</p></body></html>\n"
)


def loopback_host(host: str) -> str:
    """``host`` if it is an IPv4 loopback address (``localhost`` → 127.0.0.1), else ValueError."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError as exc:
        raise ValueError(f"the mirror binds loopback addresses only, not {host!r}") from exc
    if address.version != 4 or not address.is_loopback:
        raise ValueError(f"the mirror binds IPv4 loopback addresses only, not {host!r}")
    return host


def _summary(page: Page) -> dict[str, Any]:
    return {"url": page.url, "kind": page.kind, "status": page.status, "etag": page.etag,
            "last_modified": http_date(page.last_modified), "source": page.source}


class MirrorServer:
    """The offline sample web on a loopback port; a context manager (``with MirrorServer() as m``).

    ``port=0`` picks a free port; ``base_url`` is known once started.
    """

    def __init__(self, fixtures_dir: str | Path | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, log_size: int = 200_000) -> None:
        self.host = loopback_host(host)
        self.requested_port = int(port)
        self.tree = SiteTree(fixtures_dir or DEFAULT_FIXTURES)
        self._faults: dict[str, Fault] = {}
        self._fault_lock = threading.Lock()
        self._log: deque[RequestRecord] = deque(maxlen=log_size)
        self._log_lock = threading.Condition()
        self._answering = 0  #: answers begun and not yet logged
        self._stopping = threading.Event()
        self._httpd: MirrorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def _bind(self) -> MirrorHTTPServer:
        if self._httpd is None:
            self._httpd = MirrorHTTPServer((self.host, self.requested_port), MirrorHandler)
            self._httpd.mirror = self
            logger.info("mirror: serving %d hosts at %s", len(self.tree.hosts()), self.base_url)
        return self._httpd

    def start(self) -> MirrorServer:
        """Serve in a background thread; returns self."""
        httpd = self._bind()
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=httpd.serve_forever, name="csto-mirror",
                                            kwargs={"poll_interval": 0.1}, daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve on the calling thread until ``stop()`` or KeyboardInterrupt."""
        httpd = self._bind()
        try:
            httpd.serve_forever(poll_interval=0.2)
        finally:
            httpd.server_close()
            self._httpd = None

    def stop(self) -> None:
        """Stop serving and close the port (waits at most a few seconds)."""
        self._stopping.set()
        httpd, thread = self._httpd, self._thread
        if httpd is not None and thread is not None:
            httpd.shutdown()
            thread.join(timeout=5)
            httpd.server_close()
        self._httpd, self._thread = None, None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``stop()`` is called (or ``timeout`` seconds); True once stopped."""
        return self._stopping.wait(timeout)

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the mirror is not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the value of ``CSTO_MIRROR``)."""
        return f"http://{self.host}:{self.port}"

    def url_for(self, url: str) -> str:
        """The mirror URL that serves a real URL."""
        parts = urlsplit(url)
        return (f"{self.base_url}/{parts.netloc}{parts.path or '/'}"
                + (f"?{parts.query}" if parts.query else ""))

    def precompress(self) -> int:
        """Gzip every page body now, as gzip-asking clients get them (how many): a benchmark
        calls it before its timed crawls, so none of them pays the mirror's compression (which a
        remote server would do on its own CPU) and none finds it done by an earlier one."""
        bodies = [page.body for page in self.tree.pages() if page.body]
        for body in bodies:
            gzip_body(body)
        return len(bodies)

    # -- mutations -----------------------------------------------------------------------------
    def edit_article(self, url: str, find: str, replace: str) -> Page:
        """Change the article's text: every ``find`` becomes ``replace``."""
        return self.tree.edit_article(url, find, replace)

    def change_furniture(self, url: str) -> Page:
        """Change only the page's furniture (counters, related list, header date)."""
        return self.tree.change_furniture(url)

    def remove(self, url: str, status: int = 410) -> Page:
        """Serve the page as removed (410 Gone, or 404)."""
        return self.tree.remove(url, status)

    def add_article(self, site_host: str, url: str, title: str, body_html: str,
                    date: str, lang: str | None = None, feed_url: str | None = None,
                    listing_url: str | None = None) -> dict[str, str]:
        """A new article in the site's template, on top of its feed, first listing and sitemap."""
        return self.tree.add_article(site_host, url, title, body_html, date, lang,
                                     feed_url=feed_url, listing_url=listing_url)

    def reset(self) -> None:
        """Back to the fixtures: mutations undone and faults cleared (the request log stays)."""
        self.tree.reset()
        self.clear_faults()

    # -- faults --------------------------------------------------------------------------------
    def fault(self, url: str, kind: str, *, times: int | None = None, delay: float = 2.0,
              page: str | None = None, **options: Any) -> None:
        """Make requests for ``url`` fail.

        * ``500_then_ok``: ``times`` (default 1) answers ``500``, then the page;
        * ``slow``: wait ``delay`` seconds (at most 60) before answering;
        * ``truncate``: announce the whole body's Content-Length, send half, close;
        * ``challenge``: a bot-challenge page with status 200: the built-in "Data
          processing... Please, wait." stub, or the fixture page at ``page`` (e.g. a site's
          own ``challenge`` fixture);
        * ``reset``: abort the connection (TCP RST), no response;
        * ``reset_body``: announce the whole body, send half of it, then abort (TCP RST);
        * ``status``: answer ``status`` (default 503) with extra ``headers`` (e.g.
          ``{"Retry-After": "2"}``) and a small HTML body;
        * ``body``: answer ``body`` (bytes, or text sent as UTF-8) verbatim with
          ``content_type``, ``status`` (default 200) and extra ``headers`` (a
          ``Content-Encoding`` there says how the bytes are encoded: a gzip bomb is
          ``gzip.compress(b"\0" * 10**9)`` with ``{"Content-Encoding": "gzip"}``);
        * ``redirect``: answer ``status`` (default 302) with ``Location: location``, any URL
          (another site, an internal address), passed on unchanged;
        * ``redirect_loop``: answer ``status`` (default 302) redirecting to the same URL;
        * ``huge``: an HTML page of ``size`` bytes (default 32 MiB), generated as it is sent,
          its length announced (``announce``, default True) or not.

        ``times`` bounds how many requests the fault hits (default: until ``clear_faults``).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {FAULT_KINDS}")
        unknown = set(options) - FAULT_OPTIONS.get(kind, set())
        if unknown:
            raise ValueError(f"fault {kind!r} takes no option(s) {sorted(unknown)}")
        if kind == "redirect" and not options.get("location"):
            raise ValueError("the redirect fault needs location=")
        if times is None and kind == "500_then_ok":
            times = 1
        if times is not None and int(times) < 1:
            raise ValueError("times must be at least 1")
        key = split_url(url)[1]
        if page is not None:
            if kind != "challenge":
                raise ValueError("page= goes with the challenge fault only")
            self.tree.page(page)  # KeyError now rather than at request time
        with self._fault_lock:
            self._faults[key] = Fault(kind, None if times is None else int(times),
                                       max(0.0, min(float(delay), MAX_DELAY)), page,
                                       dict(options))
        logger.info("mirror: fault %s on %s (times=%s)", kind, url, times)

    def clear_faults(self) -> None:
        with self._fault_lock:
            self._faults.clear()

    def _take_fault(self, key: str) -> Fault | None:
        with self._fault_lock:
            fault = self._faults.get(key)
            if fault is None:
                return None
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    del self._faults[key]
            return dataclasses.replace(fault)

    def _challenge_page(self, fault: Fault, url: str) -> Page:
        if fault.page:
            try:
                return dataclasses.replace(self.tree.page(fault.page), url=url, status=200)
            except KeyError:
                logger.warning("mirror: challenge page %s is gone; serving the built-in one",
                               fault.page)
        return Page(url=url, kind="challenge", status=200,
                    content_type="text/html; charset=utf-8", body=CHALLENGE_BODY,
                    source="built-in challenge page")

    # -- request log ---------------------------------------------------------------------------
    def _record(self, record: RequestRecord) -> None:
        with self._log_lock:
            self._log.append(record)

    def _answer_began(self) -> None:
        with self._log_lock:
            self._answering += 1

    def _answer_ended(self, record: RequestRecord | None) -> None:
        """An answer that began is logged (``record``), or was abandoned (None)."""
        with self._log_lock:
            self._answering -= 1
            if record is not None:
                self._log.append(record)
            self._log_lock.notify_all()

    def requests(self) -> list[RequestRecord]:
        """Every request answered so far (oldest first; admin requests excluded). A client can
        read an answer before its handler has logged it: answers already begun are waited for
        (at most ``ANSWER_WAIT`` seconds), so what a client has received is in the log."""
        with self._log_lock:
            self._log_lock.wait_for(lambda: self._answering == 0, timeout=ANSWER_WAIT)
            # each handler logs when it is done, in a thread of its own: by arrival, a request
            # answered before the client sent the next comes first even if its handler logged last
            return sorted(self._log, key=lambda record: record.at)

    def clear_requests(self) -> None:
        """Empty the log, once the answers already begun are logged (as ``requests`` waits for
        them): an answer a client received before the clearing never reappears after it."""
        with self._log_lock:
            self._log_lock.wait_for(lambda: self._answering == 0, timeout=ANSWER_WAIT)
            self._log.clear()

    # -- admin API -----------------------------------------------------------------------------
    def _admin_get(self, operation: str) -> Any:
        if operation == "requests":
            return [r.as_dict() for r in self.requests()]
        if operation == "pages":
            return [_summary(p) for p in self.tree.pages()]
        if operation == "faults":
            with self._fault_lock:
                return {k: dataclasses.asdict(f) for k, f in sorted(self._faults.items())}
        raise LookupError(f"no admin resource {operation!r} (GET pages, requests, faults)")

    _ADMIN_POST = ("edit_article", "change_furniture", "remove", "add_article", "fault",
                   "clear_faults", "reset", "clear_requests")

    def _admin_post(self, operation: str, arguments: dict[str, Any]) -> Any:
        if operation not in self._ADMIN_POST:
            raise LookupError(f"no admin operation {operation!r} (POST one of {self._ADMIN_POST})")
        try:
            result = getattr(self, operation)(**arguments)
        except KeyError as exc:  # no such page: a client error, not a missing endpoint
            raise ValueError(str(exc.args[0] if exc.args else exc)) from exc
        return _summary(result) if isinstance(result, Page) else result
