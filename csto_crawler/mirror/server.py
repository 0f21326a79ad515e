"""The loopback HTTP server of the offline sample web, its faults, request log and admin API.

``MirrorServer`` serves the site tree at ``http://127.0.0.1:PORT/<host>/<path>?<query>`` with
real HTTP behaviour: ``Content-Type`` with the page's charset, a strong ``ETag`` (hash of the
body) and a deterministic ``Last-Modified``, ``304 Not Modified`` on ``If-None-Match`` /
``If-Modified-Since``, redirects and error statuses as the fixtures say, gzip when asked,
HEAD. A request for ``http://`` that must differ from ``https://`` can say so with
``X-Forwarded-Proto: http``.

Tests change it between crawls with one call each (``edit_article``, ``change_furniture``,
``remove``, ``add_article``, ``fault``, ``clear_faults``, ``reset``) and read ``requests()``.
The same operations are served as JSON on the mirror's own port under ``/_mirror/`` (see
``docs/mirror.md``). The server binds loopback addresses only.
"""

from __future__ import annotations

import dataclasses
import email.utils
import gzip
import html
import io
import ipaddress
import json
import logging
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from csto_crawler import PROJECT_ROOT, __version__
from csto_crawler.mirror.pages import Page, http_date, split_url
from csto_crawler.mirror.tree import SiteTree

__all__ = ["DEFAULT_FIXTURES", "FAULT_KINDS", "MirrorServer", "RequestRecord", "loopback_host"]

logger = logging.getLogger(__name__)

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
#: A ``huge`` fault's default size (bytes): above the project's ``DOWNLOAD_MAXSIZE``.
HUGE_DEFAULT = 32 * 1024 * 1024
#: A ``slow`` fault never waits longer than this (seconds).
MAX_DELAY = 60.0
#: The admin API reads at most this much JSON.
MAX_ADMIN_BODY = 4 * 1024 * 1024

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


@dataclass(frozen=True)
class RequestRecord:
    """One request the mirror answered (admin requests are not logged)."""

    method: str
    path: str  #: the mirror path, ``/<host>/<path>?<query>``
    url: str | None  #: the real URL it stands for (https), None for ``/``
    status: int  #: 0 when the connection was reset
    conditional: bool  #: sent ``If-None-Match`` or ``If-Modified-Since``
    bytes: int  #: body bytes sent (after gzip)
    gzip: bool
    fault: str | None
    at: float = 0.0  #: when it was answered (``time.monotonic()``)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class _Fault:
    kind: str
    times: int | None  #: how many requests it still hits (None: until cleared)
    delay: float
    page: str | None = None  #: the page a challenge serves (None: the built-in stub)
    options: dict[str, Any] = field(default_factory=dict)  #: the kind's options (FAULT_OPTIONS)


@lru_cache(maxsize=512)
def _gzipped(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


def _accepts_gzip(header: str | None) -> bool:
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip()
            if q.startswith("q="):
                try:
                    return float(q[2:]) > 0
                except ValueError:
                    return False
            return True
    return False


def _summary(page: Page) -> dict[str, Any]:
    return {"url": page.url, "kind": page.kind, "status": page.status, "etag": page.etag,
            "last_modified": http_date(page.last_modified), "source": page.source}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"csto-mirror/{__version__}"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection is closed after this
    server: _HTTPServer

    # -- plumbing ------------------------------------------------------------------------------
    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        logger.debug("%s %s", self.client_address[0], format % args)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._dispatch(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch(head=True)

    def do_POST(self) -> None:  # noqa: N802
        if self.path.startswith("/_mirror/"):
            self._admin()
        else:
            self._send_simple(405, "Method Not Allowed", head=False, extra=[("Allow", "GET, HEAD")])

    def _dispatch(self, head: bool) -> None:
        if self.path.startswith("/_mirror/"):
            self._admin()
        elif self.path in ("/", ""):
            self._index(head)
        else:
            try:
                self._serve(head)
            except (ConnectionResetError, BrokenPipeError):
                # the client gave up first (its timeout, a size limit): nothing to answer
                logger.debug("mirror: client went away during %s", self.path)
                self.close_connection = True

    def _log(self, url: str | None, status: int, conditional: bool, sent: int, gzipped: bool,
             fault: str | None) -> None:
        self.server.mirror._record(RequestRecord(self.command, self.path, url, status,
                                                 conditional, sent, gzipped, fault,
                                                 time.monotonic()))

    def _write_response(self, status: int, headers: list[tuple[str, str]], body: bytes,
                        head: bool, length: int | None = None) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def _send_simple(self, status: int, reason: str, head: bool,
                     extra: list[tuple[str, str]] | None = None) -> int:
        body = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{status} {reason}"
                f"</title></head><body><h1>{status} {reason}</h1></body></html>\n").encode()
        self._write_response(status, [("Content-Type", "text/html; charset=utf-8"),
                                      *(extra or [])], body, head)
        return 0 if head else len(body)

    # -- pages ---------------------------------------------------------------------------------
    def _serve(self, head: bool) -> None:
        mirror = self.server.mirror
        # http.server reads the request line as latin-1; a client sending raw UTF-8 gets it back.
        try:
            target = self.path.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            target = self.path
        raw_path, _, raw_query = target.partition("?")
        netloc, _, rest = raw_path.lstrip("/").partition("/")
        netloc = netloc.lower()
        path = unquote("/" + rest)
        query = unquote(raw_query)
        key = f"{netloc}{path}" + (f"?{query}" if query else "")
        url = f"https://{netloc}{'/' + rest}" + (f"?{raw_query}" if raw_query else "")
        conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
        scheme = (self.headers.get("X-Forwarded-Proto") or "").strip().lower() or None

        fault = mirror._take_fault(key)
        kind = fault.kind if fault else None
        if kind == "reset":
            self._reset_connection()
            self._log(url, 0, conditional, 0, False, kind)
            return
        if kind == "500_then_ok":
            sent = self._send_simple(500, "Internal Server Error", head)
            self._log(url, 500, conditional, sent, False, kind)
            return
        if fault is not None and kind in ("status", "body", "redirect", "redirect_loop", "huge"):
            status, sent = self._serve_fault(fault, head)
            self._log(url, status, conditional, sent, False, kind)
            return
        if kind == "slow" and fault is not None:
            mirror._stopping.wait(min(fault.delay, MAX_DELAY))
        if kind == "challenge" and fault is not None:
            page = mirror._challenge_page(fault, url)
        else:
            page = mirror.tree.lookup(key, scheme)
        if page is None:
            sent = self._send_simple(404, "Not Found", head)
            self._log(url, 404, conditional, sent, False, kind)
            return

        validators = []
        if page.status == 200:
            validators = [("ETag", page.etag), ("Last-Modified", http_date(page.last_modified))]
            if kind != "challenge" and self._not_modified(page):
                self._write_response(304, validators, b"", head=True, length=None)
                self._log(url, 304, conditional, 0, False, kind)
                return
        body = page.body
        headers = [("Content-Type", page.content_type)] if body or page.status < 300 else []
        headers += validators
        headers += list(page.headers)
        gzipped = bool(body) and _accepts_gzip(self.headers.get("Accept-Encoding"))
        if gzipped:
            body = _gzipped(body)
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Vary", "Accept-Encoding"))
        if kind == "reset_body" and body and not head:
            self._write_response(page.status, headers, b"", head=True, length=len(body))
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self._reset_connection()
            self._log(url, page.status, conditional, len(body) // 2, gzipped, kind)
            return
        if kind == "truncate" and body:
            cut = body[: max(0, len(body) // 2)]
            self._write_response(page.status, headers, b"", head=True, length=len(body))
            if not head:
                self.wfile.write(cut)
                self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            self._log(url, page.status, conditional, 0 if head else len(cut), gzipped, kind)
            return
        self._write_response(page.status, headers, body, head)
        self._log(url, page.status, conditional, 0 if head else len(body), gzipped, kind)

    def _serve_fault(self, fault: _Fault, head: bool) -> tuple[int, int]:
        """Answer a ``status``, ``body``, ``redirect``, ``redirect_loop`` or ``huge`` fault;
        returns (status, body bytes sent). The body is sent as is: never gzipped here."""
        options = fault.options
        if fault.kind == "status":
            status = int(options.get("status", 503))
            extra = list((options.get("headers") or {}).items())
            return status, self._send_simple(status, "Fault", head, extra=extra)
        if fault.kind in ("redirect", "redirect_loop"):
            status = int(options.get("status", 302))
            location = (options.get("location") if fault.kind == "redirect"
                        else self.server.mirror.base_url + self.path)
            self._write_response(status, [("Location", location)], b"", head)
            return status, 0
        if fault.kind == "huge":
            return 200, self._send_huge(int(options.get("size", HUGE_DEFAULT)),
                                        bool(options.get("announce", True)), head)
        body = options.get("body", b"")
        body = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        status = int(options.get("status", 200))
        headers = [("Content-Type", options.get("content_type") or "application/octet-stream")]
        headers += list((options.get("headers") or {}).items())
        self._write_response(status, headers, body, head)
        return status, 0 if head else len(body)

    def _send_huge(self, size: int, announce: bool, head: bool) -> int:
        """An HTML page of ``size`` bytes, generated as it is sent; with ``announce`` its
        Content-Length says so up front, else the length is unknown until the connection
        closes."""
        chunk = ("<p>" + "Огромная страница. " * 50 + "</p>\n").encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if announce:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        sent = 0
        if head:
            return 0
        try:
            while sent < size:
                piece = chunk[: size - sent]
                self.wfile.write(piece)
                sent += len(piece)
        except OSError:  # the client gave up (as it should)
            pass
        return sent

    def _not_modified(self, page: Page) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match:
            tags = [t.strip() for t in if_none_match.split(",")]
            return "*" in tags or any(t.removeprefix("W/") == page.etag for t in tags)
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                since = email.utils.parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return page.last_modified.replace(microsecond=0) <= since
        return False

    def _reset_connection(self) -> None:
        """Abort the connection with a TCP RST and no response."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()
            self.wfile.close()
            self.connection.close()
        except OSError:
            pass
        # http.server flushes wfile after the handler returns: give it a harmless one
        self.wfile = io.BytesIO()
        self.close_connection = True

    def _index(self, head: bool) -> None:
        mirror = self.server.mirror
        rows = []
        for host in mirror.tree.hosts():
            count = sum(1 for p in mirror.tree.pages() if p.host == host)
            rows.append(f"<li><a href=\"/{html.escape(host)}/robots.txt\">{html.escape(host)}</a>"
                        f" ({count} pages)</li>")
        body = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>csto-archive offline "
                "mirror</title></head><body><h1>csto-archive offline mirror</h1>\n<p>Every page is "
                "served at <code>/&lt;host&gt;/&lt;path&gt;</code>. Hosts:</p>\n<ul>\n"
                + "\n".join(rows) + "\n</ul>\n<p>Admin API: <code>/_mirror/pages</code>, "
                "<code>/_mirror/requests</code> (see docs/mirror.md).</p></body></html>\n").encode()
        self._write_response(200, [("Content-Type", "text/html; charset=utf-8")], body, head)

    # -- admin ---------------------------------------------------------------------------------
    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()
        self._write_response(status, [("Content-Type", "application/json")], body,
                             head=self.command == "HEAD")

    def _admin(self) -> None:
        if not ipaddress.ip_address(self.client_address[0]).is_loopback:
            self._json(403, {"error": "the admin API answers loopback clients only"})
            return
        operation = urlsplit(self.path).path.removeprefix("/_mirror/").strip("/")
        try:
            if self.command in ("GET", "HEAD"):
                result = self.server.mirror._admin_get(operation)
            else:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_ADMIN_BODY:
                    raise ValueError("request body too large")
                raw = self.rfile.read(length) if length else b"{}"
                arguments = json.loads(raw.decode("utf-8") or "{}")
                if not isinstance(arguments, dict):
                    raise ValueError("the request body must be a JSON object")
                result = self.server.mirror._admin_post(operation, arguments)
        except LookupError as exc:
            self._json(404, {"error": str(exc.args[0] if exc.args else exc)})
            return
        except (TypeError, ValueError) as exc:
            self._json(400, {"error": str(exc)})
            return
        self._json(200, {"ok": True, "result": result})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    mirror: MirrorServer


class MirrorServer:
    """The offline sample web on a loopback port; a context manager (``with MirrorServer() as m``).

    ``port=0`` picks a free port; ``base_url`` is known once started.
    """

    def __init__(self, fixtures_dir: str | Path | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, log_size: int = 200_000) -> None:
        self.host = loopback_host(host)
        self.requested_port = int(port)
        self.tree = SiteTree(fixtures_dir or DEFAULT_FIXTURES)
        self._faults: dict[str, _Fault] = {}
        self._fault_lock = threading.Lock()
        self._log: deque[RequestRecord] = deque(maxlen=log_size)
        self._log_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def _bind(self) -> _HTTPServer:
        if self._httpd is None:
            self._httpd = _HTTPServer((self.host, self.requested_port), _Handler)
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
            self._faults[key] = _Fault(kind, None if times is None else int(times),
                                       max(0.0, min(float(delay), MAX_DELAY)), page,
                                       dict(options))
        logger.info("mirror: fault %s on %s (times=%s)", kind, url, times)

    def clear_faults(self) -> None:
        with self._fault_lock:
            self._faults.clear()

    def _take_fault(self, key: str) -> _Fault | None:
        with self._fault_lock:
            fault = self._faults.get(key)
            if fault is None:
                return None
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    del self._faults[key]
            return dataclasses.replace(fault)

    def _challenge_page(self, fault: _Fault, url: str) -> Page:
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

    def requests(self) -> list[RequestRecord]:
        """Every request answered so far (oldest first; admin requests excluded)."""
        with self._log_lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._log_lock:
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
