"""The full-text index of the archive's texts (``contents_fts``), filled in batches.

``contents_fts`` is an FTS5 index over ``contents`` (external content). Indexing each text in
the transaction that stores it made every commit write a new small FTS5 segment and merge
segments now and then: 0.4–0.5 ms of CPU an article, a sixth of what storing one costs. Since
migration 005 a new text is indexed with the others stored since the last batch:

* ``index_pending(db)`` indexes every ``contents`` row above the index's high-water mark (the
  greatest rowid in ``contents_fts_docsize``; rowids only grow) in the caller's transaction
  (or its own), and returns how many;
* ``SearchBatch`` tells a writer when a batch is due: ``BATCH_TEXTS`` new texts, or the oldest
  of them waiting ``BATCH_SECONDS``, checked at every stored article and every recorded fetch
  (so during a crawl search lags about a minute, as long as the crawl fetches something);
* ``Archive`` indexes what is pending when it opens (a crawl killed mid-batch), when a batch
  is due while storing, and when it closes; ``csto reextract`` at its end. A crawl's articles
  are all searchable when the crawl ends.

Updates and deletes of ``contents`` (none in normal operation: a text is stored once, keyed by
its hash) keep the index exact: the triggers of migration 005 remove a row from the index only
if it was indexed, and re-index an updated row only then (a pending one is indexed with its new
values by the next batch).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlite_utils import Database

from pipelines import transactions

__all__ = ["BATCH_SECONDS", "BATCH_TEXTS", "SearchBatch", "index_pending", "pending_count"]

logger = logging.getLogger(__name__)

#: A batch is indexed once this many new texts wait …
BATCH_TEXTS = 100
#: … or the oldest of them has waited this long (seconds).
BATCH_SECONDS = 60.0

_HIGH_WATER = "(SELECT COALESCE(MAX(id), 0) FROM contents_fts_docsize)"


def pending_count(db: Database) -> int:
    """Texts stored but not indexed yet."""
    return int(db.execute(f"SELECT COUNT(*) FROM contents WHERE rowid > {_HIGH_WATER}").fetchone()[0])


def index_pending(db: Database) -> int:
    """Index every text stored since the last batch (in the open transaction, or one of its
    own); how many were indexed. Writes nothing, and takes no lock, when nothing is pending."""
    if not db.conn.in_transaction and db.execute(
            f"SELECT 1 FROM contents WHERE rowid > {_HIGH_WATER} LIMIT 1").fetchone() is None:
        return 0
    with transactions.write(db):
        cursor = db.execute(
            'INSERT INTO contents_fts (rowid, "title", "text") '
            f'SELECT rowid, "title", "text" FROM contents WHERE rowid > {_HIGH_WATER} ORDER BY rowid')
        indexed = max(0, cursor.rowcount)
    if indexed:
        logger.debug("search: indexed %d new texts", indexed)
    return indexed


class SearchBatch:
    """When a writer's next batch is due: after ``texts`` new texts or ``seconds`` since the
    first of them (``clock``: monotonic seconds)."""

    def __init__(self, texts: int = BATCH_TEXTS, seconds: float = BATCH_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.texts, self.seconds, self.clock = max(1, texts), seconds, clock
        self.waiting = 0
        self.since: float | None = None

    def added(self) -> None:
        """Count one new text."""
        self.waiting += 1
        if self.since is None:
            self.since = self.clock()

    def due(self) -> bool:
        """Whether texts wait and the batch is full or its first text has waited long enough."""
        return bool(self.waiting) and (self.waiting >= self.texts
                                       or self.clock() - self.since >= self.seconds)

    def done(self) -> None:
        self.waiting, self.since = 0, None
