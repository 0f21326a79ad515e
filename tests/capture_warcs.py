"""WARC files as other crawlers write them, built with warcio for the import tests.

``wget_warc`` follows GNU wget's ``--warc-file`` layout: WARC/1.0, a ``warcinfo`` record naming
Wget, then per URL a ``request`` record followed by its ``response`` record (the HTTP answer as
received: chunked transfer coding, gzip content coding when asked), and at the end the
``metadata`` and ``resource`` records holding wget's arguments and log.
"""

from __future__ import annotations

import gzip
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from csto_crawler.fixtures import body_file, read_sidecar, sidecar_paths

__all__ = ["Page", "fixture_pages", "wget_warc"]


class Page:
    """One answer to put in a WARC file."""

    def __init__(self, url: str, body: bytes, content_type: str = "text/html; charset=utf-8",
                 status: int = 200, gzipped: bool = False, chunked: bool = True) -> None:
        self.url, self.body, self.content_type = url, body, content_type
        self.status, self.gzipped, self.chunked = status, gzipped, chunked


def fixture_pages(slug: str, kind: str = "article") -> list[tuple[Page, dict]]:
    """The fixture pages of a site as ``Page`` objects, with their sidecars."""
    pages = []
    for sidecar in sidecar_paths(slug, (kind,)):
        data = read_sidecar(sidecar)
        body = body_file(sidecar)
        if body is None or data.get("status", 200) != 200:
            continue
        pages.append((Page(data["url"], body.read_bytes(),
                           data.get("content_type") or "text/html; charset=utf-8"), data))
    return pages


def _chunked(body: bytes, size: int = 1000) -> bytes:
    out = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size])
                   for i in range(0, len(body), size))
    return out + b"0\r\n\r\n"


def wget_warc(path: Path, pages: list[Page], *, compress: bool = True) -> Path:
    """Write ``pages`` to ``path`` in wget's layout."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=compress, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {
            "software": "Wget/1.21.3 (linux-gnu)", "format": "WARC File Format 1.0",
            "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
            "robots": "classic", "wget-arguments": "--warc-file=site"}))
        for page in pages:
            parts = urlsplit(page.url)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            request = StatusAndHeaders(f"GET {target} HTTP/1.1", [
                ("User-Agent", "Wget/1.21.3"), ("Accept", "*/*"),
                ("Accept-Encoding", "identity"), ("Host", parts.netloc),
                ("Connection", "Keep-Alive")], is_http_request=True)
            writer.write_record(writer.create_warc_record(page.url, "request",
                                                          http_headers=request))
            body = gzip.compress(page.body, mtime=0) if page.gzipped else page.body
            headers = [("Date", "Mon, 02 Dec 2024 10:00:00 GMT"), ("Server", "nginx"),
                       ("Content-Type", page.content_type)]
            if page.gzipped:
                headers.append(("Content-Encoding", "gzip"))
            if page.chunked:
                headers.append(("Transfer-Encoding", "chunked"))
                body = _chunked(body)
            else:
                headers.append(("Content-Length", str(len(body))))
            reason = {200: "OK", 404: "Not Found", 301: "Moved Permanently"}.get(page.status, "")
            response = StatusAndHeaders(f"{page.status} {reason}", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                page.url, "response", payload=BytesIO(body), length=len(body),
                http_headers=response))
        log = b"--2024-12-02 10:00:00--  done.\n"
        writer.write_record(writer.create_warc_record(
            "metadata://gnu.org/software/wget/warc/wget_arguments.txt", "resource",
            payload=BytesIO(b"--warc-file=site"), length=16, warc_content_type="text/plain"))
        writer.write_record(writer.create_warc_record(
            "metadata://gnu.org/software/wget/warc/wget.log", "resource", payload=BytesIO(log),
            length=len(log), warc_content_type="text/plain"))
    return path


#: A captured page whose scripts would change its title (and set a marker) if they ran.
HOSTILE_URL = "https://www.example.org/news/2024/csto-hostile"
HOSTILE_TITLE = "Учения ОДКБ: страница со скриптом"
HOSTILE_PAGE = (
    f"<html lang='ru'><head><title>{HOSTILE_TITLE}</title>"
    "<script>document.title = 'pwned'; document.documentElement.setAttribute('data-ran', '1');"
    "</script></head><body onload=\"document.title = 'pwned-onload'\">"
    f"<article><h1>{HOSTILE_TITLE}</h1>"
    "<p>Коллективные силы быстрого развёртывания ОДКБ провели учения в Хатлонской области; "
    "в них участвовали около тысячи военнослужащих четырёх стран.</p>"
    "<p>Учения завершились смотром подразделений.</p>"
    "<img src='x' onerror=\"document.title = 'pwned-img'\">"
    "<script>alert('pwned')</script></article></body></html>").encode()


def browsertrix_warc(path: Path, pages: list[Page]) -> Path:
    """``pages`` in the layout of Browsertrix and Heritrix: WARC/1.1, a ``dns:`` record, each
    ``response`` (content-encoded as sent) before its ``request``, a ``revisit`` of the first
    page, and ``resource`` records (a screenshot, the page text) that are not HTTP answers."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {
            "software": "Browsertrix-Crawler 1.2.0 (with warcio.js 2.2.1)",
            "format": "WARC File Format 1.1"}))
        host = urlsplit(pages[0].url).hostname
        dns = f"20241202100000\t{host}\t203.0.113.5\n".encode()
        writer.write_record(writer.create_warc_record(
            f"dns:{host}", "resource", payload=BytesIO(dns), length=len(dns),
            warc_content_type="text/dns"))
        first = None
        for page in pages:
            body = gzip.compress(page.body, mtime=0) if page.gzipped else page.body
            headers = [("Content-Type", page.content_type), ("Content-Length", str(len(body)))]
            if page.gzipped:
                headers.append(("Content-Encoding", "gzip"))
            response = writer.create_warc_record(
                page.url, "response", payload=BytesIO(body), length=len(body),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"))
            parts = urlsplit(page.url)
            request = writer.create_warc_record(page.url, "request", http_headers=StatusAndHeaders(
                f"GET {parts.path or '/'} HTTP/1.1", [("Host", parts.netloc)], is_http_request=True))
            writer.write_request_response_pair(request, response)
            first = first or response
            shot = b"\x89PNG\r\n\x1a\n"
            writer.write_record(writer.create_warc_record(
                f"urn:view:{page.url}", "resource", payload=BytesIO(shot), length=len(shot),
                warc_content_type="image/png"))
        revisit = writer.create_revisit_record(
            pages[0].url, first.rec_headers.get_header("WARC-Payload-Digest"), pages[0].url,
            first.rec_headers.get_header("WARC-Date"),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", pages[0].content_type)],
                                          protocol="HTTP/1.1"))
        writer.write_record(revisit)
    return path
