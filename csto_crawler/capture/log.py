"""``CaptureLog``: writes one exchange to the WARC files and records it in ``captures``.

The order is the crash-safety contract: the WARC record is written and flushed first, then its
``captures`` row is committed, and only then does the response go on to the spider, whose item
the store pipeline commits with that ``capture_id``. A crash can therefore leave a record
without a row (harmless bytes) or a row without a fetch (an *orphan* capture, which
``csto check`` reports), never a version without its bytes. The next run reuses an orphan: the
same payload fetched again becomes a ``revisit`` of it.

Deduplication: a response whose payload digest matches a stored ``response`` record whose file
is still there and long enough is written as a ``revisit`` (identical-payload-digest) pointing
at it; a ``304`` is a ``revisit`` (server-not-modified) pointing at the URL's last full
response. Empty payloads (redirects) are never deduplicated: a revisit would save nothing.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from csto_crawler.capture.warc import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    Exchange,
    Revisit,
    WarcWriter,
    payload_digest,
    warc_date,
)
from pipelines import transactions

__all__ = ["CaptureLog", "Captured", "stored_path", "resolve_path", "default_warc_dir"]

logger = logging.getLogger(__name__)


def default_warc_dir(db_path: str | Path, explicit: str | None = None) -> Path:
    """Where WARC files go: ``explicit`` (``CSTO_WARC_DIR``), else ``warc/`` beside the archive."""
    return Path(explicit) if explicit else Path(db_path).resolve().parent / "warc"


def stored_path(db_path: str | Path, path: Path) -> str:
    """A WARC file's path as ``captures.warc_file`` keeps it: relative to the archive's folder
    when inside it (the archive folder can move), else absolute."""
    base = Path(db_path).resolve().parent
    path = path.resolve()
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def resolve_path(db_path: str | Path, warc_file: str) -> Path:
    """The file a ``captures.warc_file`` value names."""
    path = Path(warc_file)
    return path if path.is_absolute() else Path(db_path).resolve().parent / path


@dataclass(frozen=True)
class Captured:
    """What ``CaptureLog.capture`` wrote."""

    capture_id: int
    record_type: str  #: ``response`` or ``revisit``
    length: int  #: bytes the response/revisit record takes in its file (gzip member)
    revisit_of: int | None


class CaptureLog:
    """The WARC writer plus the ``captures`` table of the archive at ``db_path``."""

    def __init__(self, db_path: str | Path, warc_dir: str | Path | None = None, *,
                 max_bytes: int = 10**9, fsync: bool = False,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), shared: bool = False) -> None:
        from pipelines.archive import Archive  # migrated connection, same pragmas as the store

        self.db_path = Path(db_path)
        self.clock = clock
        # shared: the store pipeline's connection in a crawl (``Archive``'s docstring says why)
        self.archive = Archive(self.db_path, shared=shared)
        self.db = self.archive.db
        self.writer = WarcWriter(default_warc_dir(db_path, warc_dir), max_bytes=max_bytes,
                                 clock=clock, fsync=fsync)
        self._path: Path | None = None
        self._stored = ""

    def close(self) -> None:
        self.writer.close()
        self.archive.close()

    # -- what is stored ------------------------------------------------------------------------
    def _intact(self, row: dict) -> bool:
        """Cheap check that a record is still there: its file exists and reaches its end."""
        try:
            size = os.path.getsize(resolve_path(self.db_path, row["warc_file"]))
        except OSError:
            return False
        return size >= row["offset"] + row["length"]

    def original_for_digest(self, digest: str) -> dict | None:
        """The stored ``response`` record with this payload digest, if one is intact."""
        for row in self.db.query(
                "SELECT * FROM captures WHERE payload_digest = ? AND record_type = 'response' "
                "ORDER BY id LIMIT 5", (digest,)):
            if self._intact(row):
                return row
        return None

    def original_for_url(self, url: str) -> dict | None:
        """The full response a ``304`` for ``url`` confirms: the URL's last capture with a body."""
        row = next(iter(self.db.query(
            "SELECT * FROM captures WHERE url = ? AND status BETWEEN 200 AND 299 "
            "ORDER BY id DESC LIMIT 1", (url,))), None)
        if row is not None and row["revisit_of"] is not None:
            row = next(iter(self.db.query("SELECT * FROM captures WHERE id = ?",
                                          (row["revisit_of"],))), None)
        return row

    # -- writing -------------------------------------------------------------------------------
    def _revisit(self, exchange: Exchange) -> tuple[Revisit | None, dict | None]:
        if exchange.status == 304:
            original = self.original_for_url(exchange.url)
            if original is None:
                return Revisit(SERVER_NOT_MODIFIED, None, None, None, None), None
            return Revisit(SERVER_NOT_MODIFIED, original["record_id"], original["url"],
                           _warc_date_of(original["fetched_at"]),
                           original["payload_digest"]), original
        if not exchange.body:
            return None, None
        original = self.original_for_digest(payload_digest(exchange.body))
        if original is None:
            return None, None
        return Revisit(IDENTICAL_PAYLOAD, original["record_id"], original["url"],
                       _warc_date_of(original["fetched_at"]), original["payload_digest"]), original

    def capture(self, exchange: Exchange, kind: str | None = None) -> Captured:
        """Write ``exchange`` (flushed) and commit its ``captures`` row; returns the row."""
        revisit, original = self._revisit(exchange)
        written = self.writer.write_exchange(exchange, revisit)
        content_type = next((v for k, v in exchange.response_headers
                             if k.lower() == "content-type"), None)
        if written.path != self._path:
            self._path, self._stored = written.path, stored_path(self.db_path, written.path)
        row = (exchange.url, exchange.fetched_at.astimezone(UTC).isoformat(timespec="seconds"),
               exchange.status, self._stored, written.offset,
               written.length, written.record_id, written.payload_digest,
               original["id"] if original else None, written.record_type, kind, content_type,
               written.payload_length if revisit is None else None)
        with transactions.write(self.db):
            cursor = self.db.execute(
                "INSERT INTO captures (url, fetched_at, status, warc_file, offset, length, "
                "record_id, payload_digest, revisit_of, record_type, kind, content_type, "
                "payload_length) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        return Captured(int(cursor.lastrowid), written.record_type, written.length,
                        original["id"] if original else None)


def _warc_date_of(iso: str) -> str:
    return warc_date(datetime.fromisoformat(iso))


def open_error(exc: BaseException) -> str:
    """A one-line reason for a capture that could not be written."""
    kind = "database" if isinstance(exc, sqlite3.Error) else "file"
    return f"capture not written ({kind} error: {type(exc).__name__}: {exc})"
