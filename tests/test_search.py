"""Full-text search indexed in batches (pipelines/search.py, migration 005)."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from pipelines.archive import Archive
from pipelines.schema import MIGRATIONS
from pipelines.search import SearchBatch, pending_count

WORDS = ("учения", "границы", "саммит", "ассамблея", "бюджет", "миротворцы")


def article(n: int, word: str | None = None) -> dict:
    word = word or WORDS[n % len(WORDS)]
    return {"url": f"https://r.example/{n}", "site": "r", "title": f"ОДКБ {n}",
            "text": f"Статья {n}: {word} ОДКБ и безопасность в регионе, номер {n}."}


def indexed(arch: Archive) -> int:
    """Rows the index holds (counting ``contents_fts`` itself would read ``contents``)."""
    return next(arch.db.query("SELECT COUNT(*) AS n FROM contents_fts_docsize"))["n"]


def found(arch: Archive, word: str) -> list[str]:
    return [r["url"] for r in arch.db.query(
        "SELECT a.url FROM contents_fts JOIN articles a ON a.content_rowid = contents_fts.rowid "
        "WHERE contents_fts MATCH ? ORDER BY a.url", (word,))]


def test_texts_are_indexed_a_batch_at_a_time_not_one_by_one(tmp_path):
    with Archive(tmp_path / "a.db", search_batch=SearchBatch(texts=3, seconds=1e9)) as arch:
        arch.store_article(article(1))
        arch.store_article(article(2))
        assert indexed(arch) == 0 and pending_count(arch.db) == 2
        arch.store_article(article(1))  # unchanged: no new text, nothing added to the batch
        assert pending_count(arch.db) == 2
        arch.store_article(article(3))  # the third new text: the batch is indexed with it
        assert indexed(arch) == 3 and pending_count(arch.db) == 0
        assert found(arch, "саммит") == ["https://r.example/2"]


def test_a_batch_is_also_due_when_its_first_text_has_waited(tmp_path):
    now = [100.0]
    batch = SearchBatch(texts=1000, seconds=60, clock=lambda: now[0])
    with Archive(tmp_path / "a.db", search_batch=batch) as arch:
        arch.store_article(article(1))
        now[0] += 59
        arch.store_article(article(2))
        assert indexed(arch) == 0
        now[0] += 2  # the first text has waited 61 s: the next store indexes both
        arch.store_article(article(3))
        assert indexed(arch) == 3
        arch.store_article(article(4))
        now[0] += 61  # nothing new is stored, but a fetch is recorded: the text is indexed
        arch.record_fetch(url="https://r.example/9", site="r", outcome="irrelevant")
        assert indexed(arch) == 4


def test_every_text_is_searchable_once_its_writer_closes(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as arch:
        for n in range(5):
            arch.store_article(article(n))
        assert indexed(arch) == 0  # fewer than a batch, within a minute
    with Archive(path) as arch:
        assert indexed(arch) == 5
        assert found(arch, "саммит") == ["https://r.example/2"]


def test_texts_a_killed_writer_left_unindexed_are_indexed_when_the_archive_opens(tmp_path, caplog):
    path = tmp_path / "a.db"
    arch = Archive(path)
    for n in range(4):
        arch.store_article(article(n))
    arch.db.conn.close()  # the process dies: no close(), nothing indexed
    db = Database(sqlite3.connect(path))
    assert db.execute("SELECT COUNT(*) FROM contents_fts_docsize").fetchone()[0] == 0
    db.conn.close()
    with caplog.at_level("INFO", logger="pipelines.archive"), Archive(path) as arch:
        assert indexed(arch) == 4
    assert "indexed 4 texts left unindexed" in caplog.text


def _snapshot(arch: Archive) -> list:
    """Every word's matches with their bm25 rank (which reads the index's row and token totals)."""
    return [(word, r["rowid"], round(r["rank"], 9)) for word in (*WORDS, "новый", "ОДКБ")
            for r in arch.db.query("SELECT rowid, bm25(contents_fts) AS rank FROM contents_fts "
                                   "WHERE contents_fts MATCH ? ORDER BY rowid", (word,))]


def test_updating_or_deleting_indexed_and_pending_texts_keeps_the_index_exact(tmp_path):
    # Texts are never updated or deleted in normal operation; a hand edit must still leave the
    # index equal to a rebuilt one. An FTS5 'delete' of a row it never indexed would lower its
    # totals (and so every bm25 rank) without an error.
    orphan = ("INSERT INTO contents (hash, short_hash, title, text, chars) "
              "VALUES (?, 'x', 'Без статьи', 'Сирота про ' || ?, 10)")
    with Archive(tmp_path / "a.db", search_batch=SearchBatch(texts=1000, seconds=1e9)) as arch:
        for n in range(4):
            arch.store_article(article(n))
        arch.db.execute(orphan, ("x1", "бюджет"))
        arch.index_search()
        arch.store_article(article(4))
        arch.store_article(article(5))
        arch.db.execute(orphan, ("x2", "бюджет"))  # three texts pending
        rowid = {r["text"].split(":")[0]: r["rowid"] for r in arch.db.query("SELECT rowid, text FROM contents")}
        arch.db.execute("UPDATE contents SET text = 'новый текст про ОДКБ' WHERE rowid IN (?, ?)",
                        (rowid["Статья 1"], rowid["Статья 4"]))  # one indexed, one pending
        arch.db.execute("DELETE FROM contents WHERE hash IN ('x1', 'x2')")  # the same
        arch.index_search()
        assert found(arch, "границы") == []  # the indexed row's old words are gone
        assert {r["rowid"] for r in arch.db.query(
            "SELECT rowid FROM contents_fts WHERE contents_fts MATCH 'новый'")} == {
            rowid["Статья 1"], rowid["Статья 4"]}
        assert list(arch.db.query("SELECT rowid FROM contents_fts WHERE contents_fts MATCH 'Сирота'")) == []
        before = _snapshot(arch)
        arch.db.execute("INSERT INTO contents_fts (contents_fts) VALUES ('rebuild')")
        assert _snapshot(arch) == before
        assert indexed(arch) == arch.db["contents"].count == 6


def test_an_archive_of_schema_004_keeps_its_index_and_indexes_in_batches(tmp_path):
    path = tmp_path / "a.db"
    db = Database(sqlite3.connect(path))
    MIGRATIONS.apply(db, stop_before="005_search_in_batches")
    db.execute("INSERT INTO sites (slug, name) VALUES ('r', 'r')")
    db.execute("INSERT INTO contents (hash, short_hash, title, text, chars) "
               "VALUES ('ab', 'ab', 'Старый', 'Старый текст про учения ОДКБ', 28)")  # trigger-indexed
    db.conn.commit()
    db.conn.close()
    with Archive(path) as arch:
        assert {t["name"] for t in arch.db.query(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'contents'")} == {
            "contents_ad", "contents_au"}
        assert indexed(arch) == 1
        arch.store_article(article(7, "учения"))
        assert indexed(arch) == 1
    with Archive(path) as arch:
        assert indexed(arch) == 2
        assert [r["rowid"] for r in arch.db.query(
            "SELECT rowid FROM contents_fts WHERE contents_fts MATCH 'учения'")] == [1, 2]


def test_nothing_pending_takes_no_write_lock(tmp_path):
    # opening or closing an archive (``csto serve``, ``csto export`` beside a running crawl)
    # must not wait for the crawl's write lock, nor write, when there is nothing to index
    path = tmp_path / "a.db"
    with Archive(path) as arch:
        arch.store_article(article(1))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        with Archive(path) as arch:  # would wait BUSY_TIMEOUT_MS and fail if it took the lock
            assert indexed(arch) == 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    with Archive(path) as arch:
        statements: list[str] = []
        arch.db.conn.set_trace_callback(statements.append)
        assert arch.index_search() == 0
        arch.close()
        assert not [s for s in statements if s.lstrip().upper().startswith(("BEGIN", "INSERT"))]
