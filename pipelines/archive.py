"""The versioned archive: documents, content-addressed texts, versions, fetches and runs.

``Archive`` is the only writer of ``archive.db``; ``ArchiveReader`` is the one read-only view of
it for the code that only reports or plans (run summaries, the demo's counts, a site's refresh
state). The writer's semantics:

* a new ``versions`` row only when the cleaned content differs from the document's current
  version; an unchanged re-fetch writes only a ``fetches`` row and updates ``last_checked``;
* each distinct text is stored once in ``contents`` (keyed by its sha256), with one FTS row,
  indexed in batches (``pipelines.search``: every 100 texts or 60 s, and when the archive
  opens and closes);
* the same text under a second URL gives a document whose version has ``duplicate_of`` set;
* a document, its new version and its fetch row are written in one transaction;
* a text that suddenly shrinks to under half its length is held (fetch outcome ``unchanged``
  with a ``held …`` detail) until a later run sees it again;
* a version and its fetch name the raw capture they came from (``capture_id``, the WARC
  record ``csto_crawler.capture`` wrote and flushed before the item reached the store);
* WAL mode with a busy timeout, so Datasette reads while a crawl writes; ``synchronous=NORMAL``
  (no fsync per commit: a power cut may lose the last commits, never the file's integrity);
* ``Archive(path, shared=True)``: the writers of one crawl process (the store pipeline, the
  capture log) use one connection per archive file and thread. With a connection each, every
  commit of one made SQLite drop the other's whole page cache at its next transaction, and
  each article's statements read their pages again (123 read calls an article instead of 13).

Times come from an injectable clock (``clock=``), never from the extraction.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pipelines import transactions
from pipelines.hashing import content_hash, short_hash
from pipelines.reader import ArchiveReader
from pipelines.schema import migrate
from pipelines.search import SearchBatch, index_pending

__all__ = ["Archive", "ArchiveReader", "StoreResult", "utc_now", "ArchiveError"]

logger = logging.getLogger(__name__)

#: How long a writer waits for another writer's lock before failing (milliseconds).
BUSY_TIMEOUT_MS = 30_000


class ArchiveError(RuntimeError):
    """The archive cannot be opened or written (the message says why and what to do)."""


def utc_now() -> datetime:
    """The default clock: the current time in UTC."""
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("the archive clock must return timezone-aware datetimes")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoreResult:
    """What storing one fetch did."""

    outcome: str
    document_id: int | None = None
    version_id: int | None = None
    fetch_id: int | None = None
    #: True when a suspicious change was held back (see ``Archive._hold_reason``).
    held: bool = False


def _connect(path: Path) -> Database:
    """A new connection to the archive at ``path``, created and migrated."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL is safe (never corrupts) and spares one fsync per commit, i.e.
        # per stored item (a power cut may lose the last commits; the next run re-fetches).
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        applied = migrate(db)
        indexed = index_pending(db)  # texts a crawl stopped mid-batch left unindexed
    except (sqlite3.Error, OSError) as exc:
        raise ArchiveError(f"cannot open the archive {path}: {exc}") from exc
    if indexed:
        logger.info("archive %s: indexed %d texts left unindexed for full-text search", path, indexed)
    if applied:
        logger.info("archive %s: applied migrations %s", path, ", ".join(applied))
    return db


#: The shared connections (``Archive(path, shared=True)``): (resolved path, thread id) ->
#: [connection, users]. Each transaction is one synchronous call on its thread, so the writers
#: sharing a connection never interleave inside one.
_SHARED: dict[tuple[str, int], list] = {}
_shared_lock = threading.Lock()


class Archive:
    """The SQLite archive at ``path`` (created and migrated on open). ``shared=True``: the
    connection the other ``shared`` archives of this file and thread use (one is opened for
    the first), closed when the last of them closes."""

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime] = utc_now,
                 gone_after: int = 2, shrink_ratio: float = 0.5, shared: bool = False,
                 search_batch: SearchBatch | None = None) -> None:
        self.path = Path(path)
        self.clock = clock
        #: A changed text shorter than this share of the current one is held (seen twice first).
        self.shrink_ratio = shrink_ratio
        #: A document becomes ``gone`` after this many consecutive 404/410 answers.
        self.gone_after = max(1, int(gone_after))
        self._shared_key: tuple[str, int] | None = None
        self._closed = False
        #: when the texts this archive stores are indexed for full-text search (``pipelines.search``)
        self._search = search_batch or SearchBatch()
        if not shared:
            self.db = _connect(self.path)
            return
        key = (str(self.path.resolve()), threading.get_ident())
        with _shared_lock:
            entry = _SHARED.get(key)
            if entry is None:
                entry = _SHARED[key] = [_connect(self.path), 0]
            entry[1] += 1
        self.db = entry[0]
        self._shared_key = key

    # -- plumbing ------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (a shared one: when no other archive uses it). Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            index_pending(self.db)  # every text stored is searchable once its writer closes
        except sqlite3.Error as exc:  # then when the archive next opens
            logger.warning("archive %s: full-text indexing left for the next open: %s", self.path, exc)
        key = self._shared_key
        if key is not None:
            with _shared_lock:
                entry = _SHARED[key]
                entry[1] -= 1
                if entry[1] > 0:
                    return
                del _SHARED[key]
        self.db.close()

    def index_search(self) -> int:
        """Index for full-text search every text not indexed yet (``pipelines.search``: a
        writer does it every batch and when it closes); how many."""
        return index_pending(self.db)

    def _index_if_due(self) -> None:
        """Index the waiting texts when their batch is due (inside the caller's transaction)."""
        if self._search.due():
            index_pending(self.db)
            self._search.done()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> str:
        return _iso(self.clock())

    def _write(self):
        return transactions.write(self.db)

    def _one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        return transactions.first_row(self.db, sql, params)

    # -- sites and runs ------------------------------------------------------------------------
    def upsert_site(self, slug: str, *, name: str | None = None, home_url: str | None = None,
                    kind: str | None = None, languages: list[str] | tuple[str, ...] = ()) -> None:
        """Create or update a ``sites`` row."""
        with self._write():
            self.db.execute(
                """INSERT INTO sites (slug, name, home_url, kind, languages) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(slug) DO UPDATE SET name = excluded.name,
                     home_url = excluded.home_url, kind = excluded.kind,
                     languages = excluded.languages""",
                (slug, name or slug, home_url, kind, ",".join(languages)),
            )

    def _ensure_site(self, slug: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO sites (slug, name) VALUES (?, ?)", (slug, slug))

    def start_run(self, spider: str) -> int:
        """Open a ``runs`` row; returns its id."""
        with self._write():
            cursor = self.db.execute(
                "INSERT INTO runs (spider, started_at) VALUES (?, ?)", (spider, self.now())
            )
        return int(cursor.lastrowid)

    def finish_run(self, run_id: int, reason: str, stats: dict[str, Any] | None = None) -> None:
        """Close a ``runs`` row with its finish reason and stats (stored as JSON)."""
        with self._write():
            self.db.execute(
                "UPDATE runs SET finished_at = ?, finish_reason = ?, stats = ? WHERE id = ?",
                (self.now(), reason, json.dumps(stats or {}, default=str, sort_keys=True,
                                                ensure_ascii=False), run_id),
            )

    # -- storing -------------------------------------------------------------------------------
    def store_article(self, item: dict[str, Any], run_id: int | None = None) -> StoreResult:
        """Store one fetched article: ``new``, ``changed``, ``unchanged`` or ``duplicate``.

        ``item`` has the fields of ``csto_crawler.items.ArticleItem`` (a dict or the item
        through ``ItemAdapter``). The document key is the canonical URL when there is one.
        """
        url = item["url"]
        key = item.get("canonical_url") or url
        title, text = item.get("title"), item.get("text") or ""
        if not text.strip():
            raise ValueError(f"refusing to store an article with empty text: {url}")
        full_hash = item.get("content_hash") or content_hash(title, text)
        now = self.now()
        with self._write():
            self._ensure_site(item["site"])
            doc = self._one("SELECT d.*, v.content_hash AS current_hash FROM documents d "
                            "LEFT JOIN versions v ON v.id = d.current_version_id WHERE d.url = ?",
                            (key,))
            kept = self._keep_current(doc, item, full_hash, len(text), now, run_id) if doc else None
            if kept is not None:
                return kept
            outcome, document_id, version_id, number = self._add_version(
                doc, item, key, full_hash, title, text, now, run_id)
            fetch_id = self._insert_fetch(item, run_id, now, outcome, document_id, version_id)
        logger.debug("stored %s %s (document %s, version %s)", outcome, key, document_id, number)
        return StoreResult(outcome, document_id, version_id, fetch_id)

    def _keep_current(self, doc: dict, item: dict[str, Any], full_hash: str, chars: int,
                      now: str, run_id: int | None) -> StoreResult | None:
        """The ``unchanged`` result when a known document keeps its current version (the same
        text, or a suspicious change held back), else None (inside the write transaction)."""
        if doc["current_hash"] == full_hash:
            self.db.execute(
                "UPDATE documents SET last_checked = ?, status = 'live', etag = ?, "
                "last_modified = ? WHERE id = ?",
                (now, item.get("etag"), item.get("last_modified"), doc["id"]),
            )
            fetch_id = self._insert_fetch(item, run_id, now, "unchanged", doc["id"], None)
            return StoreResult("unchanged", doc["id"], None, fetch_id)
        held = self._hold_reason(doc, full_hash, chars, run_id)
        if held is None:
            return None
        self.db.execute("UPDATE documents SET last_checked = ? WHERE id = ?", (now, doc["id"]))
        fetch_id = self._insert_fetch(item, run_id, now, "unchanged", doc["id"], None, detail=held)
        logger.info("held a suspicious change of %s: %s", doc["url"], held)
        return StoreResult("unchanged", doc["id"], None, fetch_id, held=True)

    def _add_version(self, doc: dict | None, item: dict[str, Any], key: str, full_hash: str,
                     title: str | None, text: str, now: str,
                     run_id: int | None) -> tuple[str, int, int, int]:
        """Write the text (once), the document when new, and its next version; returns
        (outcome, document id, version id, version number) (inside the write transaction)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO contents (hash, short_hash, title, text, chars) "
            "VALUES (?, ?, ?, ?, ?)",
            (full_hash, short_hash(full_hash), title, text, len(text)),
        )
        if cursor.rowcount == 1:
            self._search.added()
            self._index_if_due()  # in this transaction: the batch commits with the article
        if doc is None:
            cursor = self.db.execute(
                "INSERT INTO documents (site, url, canonical_url, language, first_seen, "
                "last_checked, last_changed, status, versions, etag, last_modified) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'live', 0, ?, ?)",
                (item["site"], key, item.get("canonical_url"), item.get("language"), now,
                 now, now, item.get("etag"), item.get("last_modified")),
            )
            document_id, number = int(cursor.lastrowid), 1
        else:
            document_id, number = doc["id"], doc["versions"] + 1
        original = self._one(
            "SELECT document_id FROM versions WHERE content_hash = ? AND document_id != ? "
            "ORDER BY id LIMIT 1", (full_hash, document_id))
        duplicate_of = original["document_id"] if original else None
        cursor = self.db.execute(
            "INSERT INTO versions (document_id, number, content_hash, fetched_at, run_id, "
            "published_at, modified_at, author, source_credit, duplicate_of, capture_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (document_id, number, full_hash, now, run_id, item.get("published_at"),
             item.get("modified_at"), item.get("author"), item.get("source_credit"),
             duplicate_of, item.get("capture_id")),
        )
        version_id = int(cursor.lastrowid)
        self.db.execute(
            "UPDATE documents SET current_version_id = ?, versions = ?, last_changed = ?, "
            "last_checked = ?, status = 'live', language = COALESCE(?, language), "
            "etag = ?, last_modified = ? WHERE id = ?",
            (version_id, number, now, now, item.get("language"), item.get("etag"),
             item.get("last_modified"), document_id),
        )
        if doc is not None:
            return "changed", document_id, version_id, number
        return ("duplicate" if duplicate_of else "new"), document_id, version_id, number

    def _hold_reason(self, doc: dict, new_hash: str, new_chars: int,
                     run_id: int | None) -> str | None:
        """Why a changed text should not (yet) become a version, or None to accept it.

        A text that shrank to under ``shrink_ratio`` of the current version's length is more
        likely a broken page than an edit: it is held, and accepted only when a later run
        sees the same text again.
        """
        current = self._one("SELECT c.chars FROM versions v JOIN contents c "
                            "ON c.hash = v.content_hash WHERE v.id = ?",
                            (doc["current_version_id"],))
        if current is None or new_chars >= self.shrink_ratio * current["chars"]:
            return None
        marker = f"held {new_hash[:16]}"
        earlier = self._one(
            "SELECT id FROM fetches WHERE document_id = ? AND detail LIKE ? "
            "AND (run_id IS NOT ? OR run_id IS NULL) LIMIT 1",
            (doc["id"], marker + "%", run_id))
        if earlier is not None:
            return None  # seen again on a later run (or, without runs, a later call): accept it
        return (f"{marker}: text shrank from {current['chars']} to {new_chars} characters; "
                "kept the current version, the new text is accepted if a later run sees it again")

    def record_fetch(self, *, url: str, site: str | None, outcome: str, run_id: int | None = None,
                     http_status: int | None = None, etag: str | None = None,
                     last_modified: str | None = None, detail: str | None = None,
                     capture_id: int | None = None) -> StoreResult:
        """Record a fetch that stored no new content (``not_modified``, ``gone``, ``blocked``,
        ``irrelevant``, ``error``) and update the document it concerns, if any."""
        now = self.now()
        facts = {"url": url, "site": site, "http_status": http_status, "etag": etag,
                 "last_modified": last_modified, "capture_id": capture_id}
        with self._write():
            doc = self._document_for_url(url)
            document_id = doc["id"] if doc else None
            if doc is not None:
                if outcome == "not_modified":
                    self.db.execute("UPDATE documents SET last_checked = ?, status = 'live' "
                                    "WHERE id = ?", (now, document_id))
                elif outcome == "gone":
                    misses = 1 + self._consecutive_misses(document_id)
                    status = "gone" if misses >= self.gone_after else doc["status"]
                    self.db.execute("UPDATE documents SET last_checked = ?, status = ? "
                                    "WHERE id = ?", (now, status, document_id))
                    detail = detail or f"{misses} consecutive miss(es); gone after {self.gone_after}"
                elif outcome == "blocked":
                    # A block never touches versions; the document keeps what it had.
                    self.db.execute("UPDATE documents SET last_checked = ?, status = 'blocked' "
                                    "WHERE id = ?", (now, document_id))
                else:
                    self.db.execute("UPDATE documents SET last_checked = ? WHERE id = ?",
                                    (now, document_id))
            fetch_id = self._insert_fetch(facts, run_id, now, outcome, document_id, None,
                                          detail=detail)
            self._index_if_due()  # a crawl that fetches but stores nothing new for a while
        return StoreResult(outcome, document_id, None, fetch_id)

    def _document_for_url(self, url: str) -> dict | None:
        doc = self._one("SELECT * FROM documents WHERE url = ?", (url,))
        if doc is None:
            # A URL first seen under another (canonical) key: follow its earlier fetches.
            doc = self._one(
                "SELECT d.* FROM fetches f JOIN documents d ON d.id = f.document_id "
                "WHERE f.url = ? ORDER BY f.id DESC LIMIT 1", (url,))
        return doc

    def _consecutive_misses(self, document_id: int) -> int:
        misses = 0
        for row in self.db.query("SELECT outcome FROM fetches WHERE document_id = ? "
                                 "ORDER BY id DESC LIMIT 20", (document_id,)):
            if row["outcome"] != "gone":
                break
            misses += 1
        return misses

    def _insert_fetch(self, item: dict[str, Any], run_id: int | None, now: str, outcome: str,
                      document_id: int | None, version_id: int | None,
                      detail: str | None = None) -> int:
        cursor = self.db.execute(
            "INSERT INTO fetches (run_id, url, site, fetched_at, http_status, etag, last_modified, "
            "outcome, document_id, version_id, detail, capture_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, item.get("url"), item.get("site"), now, item.get("http_status"),
             item.get("etag"), item.get("last_modified"), outcome, document_id, version_id,
             detail, item.get("capture_id")),
        )
        return int(cursor.lastrowid)

    # -- reading -------------------------------------------------------------------------------
    def document(self, url: str) -> dict | None:
        """The ``documents`` row of a URL (its canonical key or a URL fetched for it)."""
        return self._document_for_url(url)

    def versions(self, document_id: int) -> list[dict]:
        """The versions of a document with their title and text, oldest first."""
        return list(self.db.query(
            "SELECT v.*, c.title, c.text FROM versions v JOIN contents c ON c.hash = v.content_hash "
            "WHERE v.document_id = ? ORDER BY v.number", (document_id,)))

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check`` (``ok`` when the file is sound)."""
        return next(iter(self.db.query("PRAGMA integrity_check")))["integrity_check"]

