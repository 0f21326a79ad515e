"""The mirror's HTTP request handler: how one request to the sample web is answered.

``MirrorHandler`` reads a request for ``/<host>/<path>?<query>``, applies the fault in force for that
page (``MirrorServer.fault``), checks what the page asks of the request (``conditions``: a
POST form's token, a cookie ticket, a header), and answers with real HTTP behaviour: validators
and ``304``, gzip, HEAD, redirects and statuses from the sidecar. ``/_mirror/…`` is the admin
API. The server object (``MirrorServer``) holds the pages, faults and request log.
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
import time
from dataclasses import dataclass, field
from datetime import UTC
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from csto_crawler import __version__
from csto_crawler.mirror.conditions import refusal, unmet
from csto_crawler.mirror.pages import Page, http_date

if TYPE_CHECKING:
    from csto_crawler.mirror.server import MirrorServer

__all__ = ["GZIP_CACHE_PAGES", "HUGE_DEFAULT", "MAX_ADMIN_BODY", "MAX_DELAY", "Fault", "MirrorHTTPServer", "MirrorHandler",
           "RequestRecord", "gzip_body"]

logger = logging.getLogger(__name__)

#: A ``huge`` fault's default size (bytes): above the project's ``DOWNLOAD_MAXSIZE``.
HUGE_DEFAULT = 32 * 1024 * 1024
#: A ``slow`` fault never waits longer than this (seconds).
MAX_DELAY = 60.0
#: The admin API reads at most this much JSON; a page's POST body at most this much too.
MAX_ADMIN_BODY = 4 * 1024 * 1024


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
    #: when the request arrived (``time.monotonic()``): the log's order, the order a client sent
    #: its requests in (not the order their handlers, in threads of their own, got to log them)
    at: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Fault:
    """A fault in force on one page (``MirrorServer.fault``)."""

    kind: str
    times: int | None  #: how many requests it still hits (None: until cleared)
    delay: float
    page: str | None = None  #: the page a challenge serves (None: the built-in stub)
    options: dict[str, Any] = field(default_factory=dict)  #: the kind's options (FAULT_OPTIONS)


#: How many compressed bodies the mirror keeps: a whole benchmark site (5,000 articles and their
#: listings), so a page is compressed once, not on every request (a real server's gzip does not
#: run on the crawler's CPU; the mirror's, recomputed per request, cost 1.2 ms a page there).
GZIP_CACHE_PAGES = 8192


@lru_cache(maxsize=GZIP_CACHE_PAGES)
def gzip_body(body: bytes) -> bytes:
    """``body`` gzipped (level 6, no timestamp: identical bodies, identical bytes), cached."""
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


class MirrorHandler(BaseHTTPRequestHandler):
    """Answers one connection's requests from the ``MirrorServer`` the server belongs to."""

    protocol_version = "HTTP/1.1"
    server_version = f"csto-mirror/{__version__}"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection is closed after this
    server: MirrorHTTPServer
    #: None outside a page request; False while a page request is served but not yet answered;
    #: True once its answer has begun and until it is logged (``MirrorServer.requests`` waits).
    _answering: bool | None = None

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
            self._dispatch(head=False)

    def _dispatch(self, head: bool) -> None:
        if self.path.startswith("/_mirror/"):
            self._admin()
        elif self.path in ("/", ""):
            self._index(head)
        else:
            self._answering = False
            self._arrived = time.monotonic()
            try:
                self._serve(head)
            except (ConnectionResetError, BrokenPipeError):
                # the client gave up first (its timeout, a size limit): nothing to answer
                logger.debug("mirror: client went away during %s", self.path)
                self.close_connection = True
            finally:
                if self._answering:  # answered but never logged: the log waits no longer
                    self.server.mirror._answer_ended(None)
                self._answering = None

    def _answer_begins(self) -> None:
        """A page request's answer starts reaching the client: until it is logged,
        ``MirrorServer.requests`` waits for it (the client may read it before it is logged)."""
        if self._answering is False:
            self._answering = True
            self.server.mirror._answer_began()

    def send_response(self, code: int, message: str | None = None) -> None:
        self._answer_begins()
        super().send_response(code, message)

    def _log(self, url: str | None, status: int, conditional: bool, sent: int, gzipped: bool,
             fault: str | None) -> None:
        record = RequestRecord(self.command, self.path, url, status, conditional, sent, gzipped,
                               fault, self._arrived)
        if self._answering:
            self._answering = False
            self.server.mirror._answer_ended(record)
        else:
            self.server.mirror._record(record)

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
    def _target(self) -> tuple[str, str]:
        """(key, real https URL) of the request path."""
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
        return key, url

    def _request_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_ADMIN_BODY)) if length > 0 else b""

    def _serve(self, head: bool) -> None:
        mirror = self.server.mirror
        key, url = self._target()
        body = self._request_body() if self.command == "POST" else b""
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
            page = mirror.tree.lookup(key, scheme, self.command)
        if page is None:
            if self.command == "POST" and mirror.tree.lookup(key, scheme) is not None:
                sent = self._send_simple(405, "Method Not Allowed", head, extra=[("Allow", "GET, HEAD")])
                self._log(url, 405, conditional, sent, False, kind)
                return
            sent = self._send_simple(404, "Not Found", head)
            self._log(url, 404, conditional, sent, False, kind)
            return
        lacking = unmet(page.sidecar.get("requires"), self.headers, body) if kind != "challenge" else None
        if lacking:
            status, content_type, refused = refusal(page.sidecar)
            logger.debug("mirror: %s %s refused: %s", self.command, url, lacking)
            self._write_response(status, [("Content-Type", content_type)], refused, head)
            self._log(url, status, conditional, 0 if head else len(refused), False, kind)
            return
        self._send_page(page, url, conditional, kind, head)

    def _send_page(self, page: Page, url: str, conditional: bool, kind: str | None, head: bool) -> None:
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
            body = gzip_body(body)
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

    def _serve_fault(self, fault: Fault, head: bool) -> tuple[int, int]:
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
        self._answer_begins()
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


class MirrorHTTPServer(ThreadingHTTPServer):
    """The threading HTTP server of one ``MirrorServer`` (``mirror`` is set once bound)."""

    daemon_threads = True
    allow_reuse_address = True
    mirror: MirrorServer

