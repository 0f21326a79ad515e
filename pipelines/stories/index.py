"""The story index: MinHash signatures and LSH bands persisted in the archive, and the rule
that puts each document into a story.

Each document's current text has one ``story_signatures`` row (its sorted shingle hashes and
its MinHash, ``minhash``: datasketch's values, computed without importing it) and ``BANDS``
rows in ``story_bands`` (the LSH index: one key per band of ``ROWS`` MinHash values). Adding
a document reads only its own text; the candidates are the documents sharing a band key (an
indexed lookup; the ``MAX_CANDIDATES`` sharing the most bands), and only their stored shingles
are read for the exact check (``pipelines.stories.text.similar``). So a crawl adds articles one
at a time, in any process, without loading or re-reading the archive.

``StoryIndex.assign(document_id)``:

* a document whose current version is already indexed: nothing (a re-run changes nothing);
* a new version of an indexed document keeps its story when the new text still passes the
  exact check against its previous text; otherwise it leaves that story (deleted when it
  becomes empty) and is placed as a new article;
* a new article joins the story of its most similar candidate that passes the exact check
  (ties: the older story), or starts a story of its own.

Each story's summary (title and site of its first publication, earliest publication date,
else first-seen time; number of sites and articles) is recomputed when a member changes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache

import numpy as np
from sqlite_utils import Database

from pipelines import transactions
from pipelines.stories.text import shingles, similar

__all__ = ["BANDS", "MAX_CANDIDATES", "NUM_PERM", "ROWS", "StoryIndex", "band_keys", "minhash"]

logger = logging.getLogger(__name__)

#: MinHash permutations; the LSH index splits them into ``BANDS`` bands of ``ROWS`` values.
BANDS, ROWS = 40, 3
NUM_PERM = BANDS * ROWS
#: At most this many candidates, those sharing the most bands, get the exact check. A copy
#: (Jaccard ≥ 0.4) shares a band with probability ≥ 0.064 each, about 2.6 of 40, while texts
#: built on one template (daily exchange rates, weather) share a band now and then with
#: hundreds of others: without a bound each new one would be checked against all of them.
MAX_CANDIDATES = 20
#: A candidate whose signature agrees with the new one in fewer values than this gets no exact
#: check: the agreeing share estimates the Jaccard similarity (standard error about 0.045 at
#: 0.35 with 120 values), and any pair the exact check accepts has a Jaccard of at least 0.35
#: (0.40, or a containment of 0.70 at a size ratio of 0.60), far above 0.2.
_MIN_AGREEING = int(0.2 * NUM_PERM)
_SEED = 1


#: MurmurHash3's 32-bit finalizer (shift, multiplier, shift, multiplier, shift): each shingle
#: hash is mixed once before the permutations, so hashes that differ in a few bits do not give
#: nearby permuted values.
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
#: Shingles permuted at a time (bounds the temporary array of a very long text to ~2 MB).
_CHUNK = 4096


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The ``NUM_PERM`` permutations ``h -> a * h + b (mod 2**32)``, ``a`` odd (a bijection),
    drawn from ``numpy.random.RandomState(_SEED)``: first every ``a``, then every ``b``.

    They are the ones ``datasketch.MinHash(num_perm=NUM_PERM, seed=_SEED)`` (2.0.0, its
    default "affine32" scheme) draws, and ``minhash`` computes what its ``update_batch`` does,
    so the signatures and band keys of archives written when the index called datasketch stay
    valid (a test compares both). The library is not imported at run time: it imports SciPy,
    0.9 s of CPU and 41 MB in every crawl process, a refresh that stores nothing included,
    for what is these two arrays and the four lines of ``minhash``."""
    generator = np.random.RandomState(_SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _mixed(values: np.ndarray) -> np.ndarray:
    shift1, multiplier1, shift2, multiplier2, shift3 = _FMIX32
    values = (values ^ (values >> shift1)) * multiplier1
    values = (values ^ (values >> shift2)) * multiplier2
    return values ^ (values >> shift3)


def minhash(hashes: frozenset[int] | np.ndarray) -> np.ndarray:
    """The MinHash signature (``NUM_PERM`` uint32 values) of a set of 32-bit shingle hashes:
    for each permutation, the least permuted value (all ``2**32 - 1`` for an empty set)."""
    values = (hashes.astype(np.uint32) if isinstance(hashes, np.ndarray)
              else np.fromiter(hashes, dtype=np.uint32, count=len(hashes)))
    a, b = _permutations()
    signature = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, len(values), _CHUNK):
        mixed = _mixed(values[start:start + _CHUNK])
        # uint32 arithmetic wraps around: that is the modulo 2**32 of the permutations
        np.minimum(signature, (mixed[:, None] * a + b).min(axis=0), out=signature)
    return signature.astype("<u4", copy=False)


def band_keys(signature: np.ndarray) -> list[int]:
    """One signed 64-bit key per LSH band of a signature."""
    data = signature.tobytes()
    width = ROWS * signature.itemsize
    return [int.from_bytes(hashlib.blake2b(_BAND_PREFIX[band] + data[band * width:(band + 1) * width],
                                           digest_size=8).digest(), "little", signed=True)
            for band in range(BANDS)]


_BAND_PREFIX = [bytes([band]) for band in range(BANDS)]


def _sorted(hashes: frozenset[int]) -> np.ndarray:
    """The shingle hashes as a sorted ``<u4`` array (what ``story_signatures.shingles`` holds)."""
    return np.sort(np.fromiter(hashes, dtype="<u4", count=len(hashes)))


def _unpacked(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_MEMBERS_SQL = """
    WITH m AS (
      SELECT d.id, d.site, c.title,
             COALESCE(datetime(v.published_at), datetime(d.first_seen)) AS t
      FROM documents d
      JOIN versions v ON v.id = d.current_version_id
      JOIN contents c ON c.hash = v.content_hash
      WHERE d.story_id = :story
    ), f AS (SELECT * FROM m ORDER BY t IS NULL, t, id LIMIT 1)
    UPDATE stories SET
      title = (SELECT title FROM f),
      first_published = (SELECT strftime('%Y-%m-%dT%H:%M:%SZ', t) FROM f),
      first_site = (SELECT site FROM f),
      first_document_id = (SELECT id FROM f),
      sites = (SELECT COUNT(DISTINCT site) FROM m),
      articles = (SELECT COUNT(*) FROM m),
      updated_at = :now
    WHERE id = :story"""


class StoryIndex:
    """Stories of the archive ``db`` (an open, migrated ``sqlite_utils.Database`` in autocommit
    mode, as ``pipelines.archive.Archive.db``); ``now`` gives the UTC time to record."""

    def __init__(self, db: Database, now: Callable[[], str] = _utc_now) -> None:
        self.db = db
        self.now = now

    def _write(self):
        return transactions.write(self.db)

    def _one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        return transactions.first_row(self.db, sql, params)

    # -- the public operations -----------------------------------------------------------------
    def assign(self, document_id: int) -> int | None:
        """Place one document's current version in a story (one transaction); its story id."""
        with self._write():
            return self._assign(document_id)

    def pending(self) -> list[int]:
        """Documents whose current version is not indexed yet, oldest first."""
        return [r["id"] for r in self.db.query(
            "SELECT d.id FROM documents d LEFT JOIN story_signatures s ON s.document_id = d.id "
            "WHERE d.current_version_id IS NOT NULL "
            "AND (s.version_id IS NULL OR s.version_id != d.current_version_id) "
            "ORDER BY d.first_seen, d.id")]

    def assign_pending(self, batch: int = 500) -> int:
        """Index every pending document (after an upgrade, or a crawl stopped between storing
        and indexing), ``batch`` per transaction; how many were placed."""
        todo = self.pending()
        for start in range(0, len(todo), batch):
            with self._write():
                for document_id in todo[start:start + batch]:
                    self._assign(document_id)
        if todo:
            logger.info("stories: indexed %d pending documents", len(todo))
        return len(todo)

    # -- the steps -----------------------------------------------------------------------------
    def _assign(self, document_id: int) -> int | None:
        doc = self._one(
            "SELECT d.id, d.story_id, d.current_version_id AS version_id, c.text, "
            "s.version_id AS indexed_version, s.shingles, s.minhash "
            "FROM documents d JOIN versions v ON v.id = d.current_version_id "
            "JOIN contents c ON c.hash = v.content_hash "
            "LEFT JOIN story_signatures s ON s.document_id = d.id WHERE d.id = ?", (document_id,))
        if doc is None:
            return None
        if doc["indexed_version"] == doc["version_id"] and doc["story_id"] is not None:
            return doc["story_id"]
        hashes = shingles(doc["text"])
        mine = _sorted(hashes)
        signature = minhash(mine)
        old_story = doc["story_id"]
        story = None
        if old_story is not None and doc["shingles"] is not None:
            previous = _unpacked(doc["shingles"])
            if np.array_equal(previous, mine) or similar(previous, mine):
                story = old_story  # an edit of the same text: it stays where it was
        keys = band_keys(signature)
        if story is None:
            story = self._best_story(document_id, mine, signature, keys) or self._new_story()
        self._index(doc, mine, signature, keys)
        if story != old_story:
            self.db.execute("UPDATE documents SET story_id = ? WHERE id = ?", (story, document_id))
            if old_story is not None:
                self._refresh(old_story)
                logger.info("stories: document %s moved from story %s to %s (its text changed)",
                            document_id, old_story, story)
        self._refresh(story)
        return story

    def _best_story(self, document_id: int, mine: np.ndarray, signature: np.ndarray,
                    keys: list[int]) -> int | None:
        """The story of the most similar candidate (by the signature's band ``keys``) passing
        the exact check, if any."""
        marks = ",".join("?" * len(keys))
        # plain tuples (shingles, minhash, story_id): no dict built for each of up to 20 rows
        rows = self.db.conn.execute(
            "SELECT s.shingles, s.minhash, d.story_id FROM ("
            f"  SELECT document_id, COUNT(*) AS shared FROM story_bands WHERE band IN ({marks}) "
            "  AND document_id != ? GROUP BY document_id ORDER BY shared DESC, document_id LIMIT ?) c "
            "JOIN story_signatures s ON s.document_id = c.document_id "
            "JOIN documents d ON d.id = c.document_id WHERE d.story_id IS NOT NULL",
            (*keys, document_id, MAX_CANDIDATES))
        best: tuple[float, int] | None = None
        for shingles_blob, minhash_blob, story_id in rows:
            if np.count_nonzero(_unpacked(minhash_blob) == signature) < _MIN_AGREEING:
                continue  # the signatures say the texts are far apart: no exact check
            score = similar(mine, _unpacked(shingles_blob))
            if score and (best is None or (score, -story_id) > (best[0], -best[1])):
                best = (score, story_id)
        return best[1] if best else None

    def _new_story(self) -> int:
        now = self.now()
        cursor = self.db.execute(
            "INSERT INTO stories (sites, articles, created_at, updated_at) VALUES (0, 0, ?, ?)",
            (now, now))
        return int(cursor.lastrowid)

    def _index(self, doc: dict, hashes: np.ndarray, signature: np.ndarray, keys: list[int]) -> None:
        """Write the document's signature and bands (replacing those of its earlier text)."""
        if doc["minhash"] is not None:
            old_keys = band_keys(_unpacked(doc["minhash"]))
            self.db.conn.executemany(
                "DELETE FROM story_bands WHERE band = ? AND document_id = ?",
                [(key, doc["id"]) for key in old_keys])
        self.db.execute(
            "INSERT INTO story_signatures (document_id, version_id, shingles, minhash) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET "
            "version_id = excluded.version_id, shingles = excluded.shingles, "
            "minhash = excluded.minhash",
            (doc["id"], doc["version_id"], hashes.tobytes(), signature.tobytes()))
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO story_bands (band, document_id) VALUES (?, ?)",
            [(key, doc["id"]) for key in keys])

    def _refresh(self, story: int) -> None:
        """Recompute a story's summary from its members; delete it when it has none."""
        self.db.execute(_MEMBERS_SQL, {"story": story, "now": self.now()})
        self.db.execute("DELETE FROM stories WHERE id = ? AND articles = 0", (story,))
