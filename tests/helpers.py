"""Shared test helpers: fixture sidecars as Scrapy responses, and the spiders' fixture folders.

``file_response(sidecar)`` builds the response a spider would get for a fixture page: the right
Scrapy response class for its Content-Type, its real URL, status and headers, and a request
carrying ``meta`` (so callbacks see ``response.meta`` as in a crawl).
"""

from __future__ import annotations

import json
from pathlib import Path

from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

__all__ = [
    "FIXTURES",
    "body_path",
    "file_response",
    "load_sidecar",
    "sidecars",
]

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_sidecar(path: str | Path) -> dict:
    """The sidecar JSON of a fixture."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def body_path(sidecar_path: str | Path) -> Path | None:
    """The page file next to a sidecar (same stem, another extension), or None."""
    sidecar_path = Path(sidecar_path)
    stem = sidecar_path.name[: -len(".json")]
    for candidate in sorted(sidecar_path.parent.glob(stem + ".*")):
        rest = candidate.name[len(stem) + 1:]
        if candidate != sidecar_path and "." not in rest:
            return candidate
    return None


def sidecars(slug: str | None = None, kind: str | None = None) -> list[Path]:
    """Sidecars under ``tests/fixtures/<slug>/`` (every folder when None), optionally of one kind."""
    folders = [FIXTURES / slug] if slug else sorted(p for p in FIXTURES.iterdir() if p.is_dir())
    found = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            data = load_sidecar(path)
            if isinstance(data, dict) and "url" in data and (kind is None or data.get("kind") == kind):
                found.append(path)
    return found


def file_response(sidecar_path: str | Path, meta: dict | None = None, callback=None) -> Response:
    """A Scrapy response for a fixture page, under the page's real URL."""
    sidecar = load_sidecar(sidecar_path)
    page = body_path(sidecar_path)
    body = page.read_bytes() if page else b""
    headers = Headers(sidecar.get("headers") or {})
    if sidecar.get("content_type"):
        headers["Content-Type"] = sidecar["content_type"]
    url = sidecar["url"]
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    request = Request(url, meta=dict(meta or {}), callback=callback)
    return cls(url=url, status=int(sidecar.get("status") or 200), headers=headers, body=body, request=request)


class LoopbackServer:
    """A tiny HTTP server on 127.0.0.1 for crawl tests: serves ``pages`` and logs every path.

    ``pages`` maps a request path with query (``/example.org/a?x=1``) to ``(status, headers,
    body)``; anything else is a 404. Use as a context manager; ``.url`` is its base URL.
    """

    def __init__(self, pages: dict[str, tuple[int, dict, bytes]]) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.pages = pages
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                status, headers, body = server.pages.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value.replace("{base}", server.url))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
