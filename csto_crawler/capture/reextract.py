"""Re-extraction without re-crawling: today's extraction over the stored captures.

For every document with a capture (optionally one site's, optionally captured since a date)
the latest capture its article came from is parsed again by the site's spider
(``capture.parse``). Where the cleaned text's hash differs from the current version's, a new
version is added (``reason`` ``reextract``, ``extractor`` the extractor's version, linked to
that capture) together with an audit row in ``reextractions`` (run, URL, old and new version,
words added and removed); nothing is ever deleted or overwritten. Run again with the same
extractor, it finds every text equal and adds nothing. ``dry_run`` reports without writing.
Captures that are not one article page each (a site's JSON news API answer, ``mfa_kz``) are
counted ``not_article`` and left to the next crawl.
"""

from __future__ import annotations

import difflib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from csto_crawler.capture.parse import extractor_version, parse_stored
from csto_crawler.capture.read import CaptureError, CaptureReader
from csto_crawler.items import ArticleItem
from pipelines import transactions
from pipelines.fingerprint import content_hash, short_hash
from pipelines.search import index_pending

__all__ = ["Change", "ReextractSummary", "reextract", "word_changes"]

logger = logging.getLogger(__name__)

#: Capture kinds that are one article page each (what ``parse_article`` reads).
PAGE_KINDS = frozenset({"article", "recheck", "import"})

#: The latest article capture of each document: the fetch that stored (or confirmed) its text.
_TARGETS = """
SELECT d.id AS document_id, d.url, d.site, d.versions, d.current_version_id,
       v.content_hash AS current_hash, c.text AS current_text, cap.id AS capture_id,
       cap.kind
FROM documents d
JOIN versions v ON v.id = d.current_version_id
JOIN contents c ON c.hash = v.content_hash
JOIN captures cap ON cap.id = COALESCE(
    (SELECT f.capture_id FROM fetches f WHERE f.document_id = d.id AND f.capture_id IS NOT NULL
       AND f.outcome IN ('new', 'changed', 'unchanged', 'duplicate')
       AND (f.detail IS NULL OR f.detail NOT LIKE 'held %') ORDER BY f.id DESC LIMIT 1),
    v.capture_id)
WHERE (:site IS NULL OR d.site = :site) AND (:since IS NULL OR cap.fetched_at >= :since)
ORDER BY d.site, d.id
"""


@dataclass(frozen=True)
class Change:
    """One document whose text the re-extraction changed."""

    site: str
    url: str
    old_version_id: int
    new_version_id: int | None  #: None in a dry run
    words_added: int
    words_removed: int


@dataclass
class ReextractSummary:
    """What one ``reextract`` run did, per site."""

    run: int | None
    extractor: str
    sites: dict[str, Counter] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)

    def count(self, site: str, what: str) -> None:
        self.sites.setdefault(site, Counter())[what] += 1


def word_changes(old: str, new: str) -> tuple[int, int]:
    """(words added, words removed) from ``old`` to ``new``."""
    a, b = old.split(), new.split()
    added = removed = 0
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            removed += a2 - a1
        if op in ("replace", "insert"):
            added += b2 - b1
    return added, removed


def _store(db, target: dict, item: ArticleItem, new_hash: str, capture: dict, run: int,
           extractor: str, counts: tuple[int, int], now: str) -> int:
    """One transaction: the content, the version, the document's pointer, the audit row."""
    with transactions.write(db):
        db.execute("INSERT OR IGNORE INTO contents (hash, short_hash, title, text, chars) "
                   "VALUES (?, ?, ?, ?, ?)",
                   (new_hash, short_hash(new_hash), item.title, item.text, len(item.text)))
        number = target["versions"] + 1
        original = next(iter(db.query(
            "SELECT document_id FROM versions WHERE content_hash = ? AND document_id != ? "
            "ORDER BY id LIMIT 1", (new_hash, target["document_id"]))), None)
        cursor = db.execute(
            "INSERT INTO versions (document_id, number, content_hash, fetched_at, run_id, "
            "published_at, modified_at, author, source_credit, duplicate_of, capture_id, "
            "reason, extractor) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, 'reextract', ?)",
            (target["document_id"], number, new_hash, capture["fetched_at"], item.published_at,
             item.modified_at, item.author, item.source_credit,
             original["document_id"] if original else None, capture["id"], extractor))
        version_id = int(cursor.lastrowid)
        db.execute("UPDATE documents SET current_version_id = ?, versions = ?, last_changed = ? "
                   "WHERE id = ?", (version_id, number, now, target["document_id"]))
        db.execute(
            "INSERT INTO reextractions (run, run_at, url, document_id, old_version_id, "
            "new_version_id, capture_id, extractor, words_added, words_removed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run, now, target["url"], target["document_id"], target["current_version_id"],
             version_id, capture["id"], extractor, counts[0], counts[1]))
    return version_id


def reextract(db_path, db, *, site: str | None = None, since: date | None = None,
              dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
              clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ReextractSummary:
    """Re-extract the stored captures of the archive at ``db_path`` (``db``: its database)."""
    extractor = extractor_version()
    previous = next(iter(db.query("SELECT MAX(run) AS run FROM reextractions")))["run"] or 0
    summary = ReextractSummary(None if dry_run else previous + 1, extractor)
    reader = CaptureReader(db_path, db)
    targets = list(db.query(_TARGETS, {"site": site,
                                       "since": since.isoformat() if since else None}))
    for done, target in enumerate(targets, 1):
        _one(db, reader, target, summary, dry_run, clock)
        if progress:
            progress(done, len(targets))
    if not dry_run:
        index_pending(db)  # the new texts, searchable now (pipelines.search)
    return summary


def _one(db, reader: CaptureReader, target: dict, summary: ReextractSummary, dry_run: bool,
         clock) -> None:
    site = target["site"]
    summary.count(site, "checked")
    if target["kind"] not in PAGE_KINDS:
        # e.g. a JSON news API answer holding many articles: a crawl re-derives those
        summary.count(site, "not_article")
        return
    try:
        stored = reader.load(target["capture_id"])
    except CaptureError as exc:
        logger.warning("%s: capture %s unreadable: %s", target["url"], target["capture_id"], exc)
        summary.count(site, "unreadable")
        return
    item = parse_stored(stored)
    if not isinstance(item, ArticleItem) or not (item.text or "").strip():
        summary.count(site, "not_article")
        return
    new_hash = content_hash(item.title, item.text)
    if new_hash == target["current_hash"]:
        summary.count(site, "unchanged")
        return
    counts = word_changes(target["current_text"] or "", item.text)
    version_id = None
    if not dry_run:
        capture = reader.row(target["capture_id"])
        now = clock().astimezone(UTC).isoformat(timespec="seconds")
        version_id = _store(db, target, item, new_hash, capture, summary.run,
                            summary.extractor, counts, now)
    summary.count(site, "changed")
    summary.changes.append(Change(site, target["url"], target["current_version_id"],
                                  version_id, *counts))
