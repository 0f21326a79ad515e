"""The archive schema, as numbered migrations (sqlite-utils ``Migrations``).

The table and column names are a public contract: Datasette users write SQL against them.
Add columns freely in a new migration; never rename or drop one. A database made by an older
schema opens and upgrades without loss: ``migrate(db)`` applies what is pending, once.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from pipelines import transactions

__all__ = ["MIGRATIONS", "migrate", "pending_migrations", "OUTCOMES_SQL"]

MIGRATIONS = Migrations("csto_archive")

#: The fetch outcomes migration 001 lets ``fetches.outcome`` take, as SQL. Frozen with that
#: migration (an archive that exists keeps the CHECK it was made with); the code's list is
#: ``csto_crawler.items.FETCH_OUTCOMES``, and ``tests/test_layering.py`` ties the two: a new
#: outcome needs both, and a migration that widens the CHECK of existing archives.
OUTCOMES_SQL = (
    "'new', 'changed', 'unchanged', 'not_modified', 'duplicate', "
    "'irrelevant', 'gone', 'blocked', 'error'"
)


@MIGRATIONS(name="001_initial")
def m001_initial(db: Database) -> None:
    """Sites, documents, content-addressed texts, versions, fetches and runs."""
    db.execute(
        """
        CREATE TABLE sites (
            slug TEXT PRIMARY KEY,
            name TEXT,
            home_url TEXT,
            kind TEXT,
            languages TEXT
        )"""
    )
    db.execute(
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            spider TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            finish_reason TEXT,
            stats TEXT
        )"""
    )
    db.execute(
        """
        CREATE TABLE contents (
            hash TEXT PRIMARY KEY,
            short_hash TEXT NOT NULL,
            title TEXT,
            text TEXT,
            chars INTEGER NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL REFERENCES sites(slug),
            url TEXT NOT NULL UNIQUE,
            language TEXT,
            first_seen TEXT NOT NULL,
            last_checked TEXT NOT NULL,
            last_changed TEXT,
            status TEXT NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'gone', 'blocked')),
            current_version_id INTEGER REFERENCES versions(id),
            versions INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute(
        """
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            number INTEGER NOT NULL,
            content_hash TEXT NOT NULL REFERENCES contents(hash),
            fetched_at TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            published_at TEXT,
            modified_at TEXT,
            author TEXT,
            source_credit TEXT,
            duplicate_of INTEGER REFERENCES documents(id),
            UNIQUE (document_id, number)
        )"""
    )
    db.execute(
        f"""
        CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id),
            url TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            http_status INTEGER,
            etag TEXT,
            last_modified TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ({OUTCOMES_SQL})),
            document_id INTEGER REFERENCES documents(id),
            version_id INTEGER REFERENCES versions(id),
            detail TEXT
        )"""
    )
    db.execute("CREATE INDEX idx_documents_site ON documents(site)")
    db.execute("CREATE INDEX idx_versions_document ON versions(document_id)")
    db.execute("CREATE INDEX idx_versions_content ON versions(content_hash)")
    db.execute("CREATE INDEX idx_fetches_url ON fetches(url)")
    db.execute("CREATE INDEX idx_fetches_run ON fetches(run_id)")
    db.execute("CREATE INDEX idx_fetches_document ON fetches(document_id)")
    db["contents"].enable_fts(
        ["title", "text"],
        fts_version="FTS5",
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )
    db.execute(
        """
        CREATE VIEW articles AS
        SELECT
            d.id AS document_id,
            d.site,
            d.url,
            c.title,
            v.published_at,
            d.language,
            c.text,
            c.short_hash,
            d.versions,
            d.first_seen,
            d.last_changed,
            d.status,
            v.modified_at,
            v.author,
            v.source_credit,
            v.duplicate_of,
            v.content_hash,
            c.rowid AS content_rowid
        FROM documents d
        JOIN versions v ON v.id = d.current_version_id
        JOIN contents c ON c.hash = v.content_hash"""
    )


@MIGRATIONS(name="002_fetch_site_and_document_facts")
def m002_fetch_site_and_document_facts(db: Database) -> None:
    """Fetches name their site; documents keep their canonical URL and the last fetch facts
    (ETag, Last-Modified) that conditional re-checks send back."""
    db.execute("ALTER TABLE fetches ADD COLUMN site TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN canonical_url TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN etag TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN last_modified TEXT")
    db.execute("CREATE INDEX idx_fetches_site ON fetches(site)")


@MIGRATIONS(name="003_captures")
def m003_captures(db: Database) -> None:
    """Raw captures: one ``captures`` row per WARC record the crawl wrote (``response`` or
    ``revisit``), ``versions.capture_id`` / ``fetches.capture_id`` linking the archive to those
    bytes (null for everything stored before captures existed), why a version was made
    (``versions.reason``, ``versions.extractor``: ``reextract`` and the extractor's version for
    a re-extraction) and the audit trail of re-extractions (``reextractions``)."""
    db.execute(
        """
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            status INTEGER,
            warc_file TEXT NOT NULL,
            offset INTEGER NOT NULL,
            length INTEGER NOT NULL,
            record_id TEXT NOT NULL UNIQUE,
            payload_digest TEXT,
            revisit_of INTEGER REFERENCES captures(id),
            record_type TEXT NOT NULL DEFAULT 'response'
                CHECK (record_type IN ('response', 'revisit')),
            kind TEXT,
            content_type TEXT,
            payload_length INTEGER
        )"""
    )
    db.execute("CREATE INDEX idx_captures_digest ON captures(payload_digest)")
    db.execute("CREATE INDEX idx_captures_url ON captures(url)")
    db.execute("CREATE INDEX idx_captures_file ON captures(warc_file)")
    db.execute("ALTER TABLE versions ADD COLUMN capture_id INTEGER REFERENCES captures(id)")
    db.execute("ALTER TABLE versions ADD COLUMN reason TEXT")
    db.execute("ALTER TABLE versions ADD COLUMN extractor TEXT")
    db.execute("ALTER TABLE fetches ADD COLUMN capture_id INTEGER REFERENCES captures(id)")
    db.execute("CREATE INDEX idx_versions_capture ON versions(capture_id)")
    db.execute("CREATE INDEX idx_fetches_capture ON fetches(capture_id)")
    db.execute(
        """
        CREATE TABLE reextractions (
            id INTEGER PRIMARY KEY,
            run INTEGER NOT NULL,
            run_at TEXT NOT NULL,
            url TEXT NOT NULL,
            document_id INTEGER REFERENCES documents(id),
            old_version_id INTEGER REFERENCES versions(id),
            new_version_id INTEGER REFERENCES versions(id),
            capture_id INTEGER REFERENCES captures(id),
            extractor TEXT NOT NULL,
            words_added INTEGER NOT NULL,
            words_removed INTEGER NOT NULL
        )"""
    )
    db.execute("CREATE INDEX idx_reextractions_run ON reextractions(run)")


#: The ``articles`` view's columns (m004 adds the story); a migration that changes the view
#: recreates it from the full list.
_ARTICLES_COLUMNS_004 = """
            d.id AS document_id,
            d.site,
            d.url,
            c.title,
            v.published_at,
            d.language,
            c.text,
            c.short_hash,
            d.versions,
            d.first_seen,
            d.last_changed,
            d.status,
            v.modified_at,
            v.author,
            v.source_credit,
            v.duplicate_of,
            v.content_hash,
            c.rowid AS content_rowid,
            d.story_id,
            st.sites AS story_sites,
            d.url AS atom_id,
            COALESCE(c.title, d.url) AS atom_title,
            strftime('%Y-%m-%dT%H:%M:%SZ',
                     COALESCE(datetime(v.published_at), datetime(d.first_seen))) AS atom_updated,
            d.url AS atom_link"""


@MIGRATIONS(name="004_stories")
def m004_stories(db: Database) -> None:
    """Stories across sites (pipelines/stories): a ``stories`` row per group of documents that
    tell the same text, ``documents.story_id``, the MinHash signatures and LSH band keys that
    place a new document without re-reading the others, and the story in ``articles`` (with
    the ``atom_*`` columns that make the table and its full-text search an Atom feed)."""
    db.execute(
        """
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            title TEXT,
            first_published TEXT,
            first_site TEXT REFERENCES sites(slug),
            first_document_id INTEGER REFERENCES documents(id),
            sites INTEGER NOT NULL DEFAULT 0,
            articles INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("ALTER TABLE documents ADD COLUMN story_id INTEGER REFERENCES stories(id)")
    db.execute("CREATE INDEX idx_documents_story ON documents(story_id)")
    db.execute("CREATE INDEX idx_stories_first_site ON stories(first_site)")
    db.execute(
        """
        CREATE TABLE story_signatures (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id),
            version_id INTEGER NOT NULL REFERENCES versions(id),
            shingles BLOB NOT NULL,
            minhash BLOB NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE story_bands (
            band INTEGER NOT NULL,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            PRIMARY KEY (band, document_id)
        ) WITHOUT ROWID"""
    )
    db.execute("DROP VIEW IF EXISTS articles")
    db.execute(
        f"""
        CREATE VIEW articles AS
        SELECT{_ARTICLES_COLUMNS_004}
        FROM documents d
        JOIN versions v ON v.id = d.current_version_id
        JOIN contents c ON c.hash = v.content_hash
        LEFT JOIN stories st ON st.id = d.story_id"""
    )


@MIGRATIONS(name="005_search_in_batches")
def m005_search_in_batches(db: Database) -> None:
    """Texts are indexed for full-text search in batches (``pipelines.search``), not one by one
    in the transaction that stores each: no insert trigger; the delete and update triggers act
    on an indexed row only (an FTS5 'delete' of a row it never indexed lowers the index's
    totals, so every bm25 rank, without an error)."""
    db.execute("DROP TRIGGER IF EXISTS contents_ai")
    db.execute("DROP TRIGGER IF EXISTS contents_ad")
    db.execute("DROP TRIGGER IF EXISTS contents_au")
    indexed = "EXISTS (SELECT 1 FROM contents_fts_docsize WHERE id = old.rowid)"
    db.execute(
        f"""
        CREATE TRIGGER contents_ad AFTER DELETE ON contents WHEN {indexed} BEGIN
          INSERT INTO contents_fts (contents_fts, rowid, "title", "text")
          VALUES ('delete', old.rowid, old."title", old."text");
        END"""
    )
    db.execute(
        f"""
        CREATE TRIGGER contents_au AFTER UPDATE ON contents WHEN {indexed} BEGIN
          INSERT INTO contents_fts (contents_fts, rowid, "title", "text")
          VALUES ('delete', old.rowid, old."title", old."text");
          INSERT INTO contents_fts (rowid, "title", "text") VALUES (new.rowid, new."title", new."text");
        END"""
    )


def pending_migrations(db: Database) -> list[str]:
    """Names of the migrations not yet applied to ``db``."""
    return [m.name for m in MIGRATIONS.pending(db)]


def migrate(db: Database) -> list[str]:
    """Apply every pending migration, holding the write lock so two processes cannot race.

    Returns the names applied (empty when the database was current).
    """
    if not pending_migrations(db):
        return []
    with transactions.write(db):
        names = pending_migrations(db)  # re-read under the lock: another process may have won
        MIGRATIONS.apply(db)
    return names
