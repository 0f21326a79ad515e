"""Shared test helpers: fixture sidecars as Scrapy responses, a loopback HTTP server, and real
``scrapy crawl`` runs against the mirror.

``file_response(sidecar)`` builds the response a spider would get for a fixture page: the right
Scrapy response class for its Content-Type, its real URL, status and headers, and a request
carrying ``meta`` (so callbacks see ``response.meta`` as in a crawl). It is the library's
``csto_crawler.fixtures.fixture_response``, which ``csto fixtures regen`` uses too.
"""

from __future__ import annotations

from csto_crawler.fixtures import FIXTURES_DIR as FIXTURES
from csto_crawler.fixtures import body_file as body_path
from csto_crawler.fixtures import fixture_response as file_response
from csto_crawler.fixtures import read_sidecar as load_sidecar
from csto_crawler.fixtures import sidecar_paths

__all__ = [
    "FIXTURES",
    "LoopbackServer",
    "body_path",
    "file_response",
    "load_sidecar",
    "query",
    "scrapy_crawl",
    "sidecars",
]


def sidecars(slug: str | None = None, kind: str | None = None):
    """Page sidecars under ``tests/fixtures/<slug>/`` (every folder when None), of one kind."""
    return sidecar_paths(slug, (kind,) if kind else ())


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


def scrapy_crawl(slugs, mirror_url: str, db, *settings: str, timeout: float = 180,
                 log_level: str = "WARNING") -> None:
    """Run ``scrapy crawl SLUG -s CSTO_MIRROR=… -s CSTO_ARCHIVE_DB=…`` for every slug,
    concurrently, one subprocess each, exactly as a user would; fails with each failing
    spider's output tail (non-zero exit, traceback or time-out)."""
    import os
    import subprocess
    import sys

    from csto_crawler import PROJECT_ROOT

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CSTO_") and k != "SCRAPY_SETTINGS_MODULE"}
    procs = {}
    for slug in slugs:
        argv = [sys.executable, "-m", "scrapy", "crawl", slug, "-s", f"CSTO_MIRROR={mirror_url}",
                "-s", f"CSTO_ARCHIVE_DB={db}", "-s", f"LOG_LEVEL={log_level}"]
        for setting in settings:
            argv += ["-s", setting]
        procs[slug] = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True)
    failures = []
    for slug, proc in procs.items():
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate(timeout=10)
            failures.append(f"{slug}: timed out\n{output[-2000:]}")
            continue
        if proc.returncode != 0 or "Traceback" in output:
            failures.append(f"{slug}: exit {proc.returncode}\n{output[-2000:]}")
    assert not failures, "\n\n".join(failures)


def query(db, sql: str, params: tuple = ()) -> list[dict]:
    """Rows of a read-only query on an archive file, as dicts (the crawl may still be writing)."""
    import sqlite3
    from pathlib import Path

    conn = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()
