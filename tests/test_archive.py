"""The archive core on real SQLite files: versions, contents, duplicates, FTS, migrations."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlite_utils import Database

from pipelines.archive import Archive, ArchiveError
from pipelines.fingerprint import content_hash
from pipelines.schema import MIGRATIONS, migrate, pending_migrations

RU = {
    "url": "https://www.akorda.kz/ru/glava-gosudarstva-odkb-123456",
    "site": "akorda",
    "language": "ru",
    "title": "Глава государства принял участие в сессии ОДКБ",
    "text": "В заседании приняли участие президенты.\n\nКазахстан готов противостоять вызовам.",
    "published_at": "2023-11-23T12:00:00+05:00",
}
AR = {
    "url": "https://khovar.tj/ara/2021/08/37240",
    "site": "khovar",
    "language": "ar",
    "title": "عقدت جلسة عادية لمجلس الأمن الجماعي",
    "text": "تبادل أعضاء مجلس الأمن الجماعي وجهات النظر حول الوضع في أفغانستان.",
}


class Clock:
    """A deterministic clock: each call is one minute after the previous one."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.moment += timedelta(minutes=1)
        return self.moment


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive.db", clock=Clock()) as arch:
        yield arch


def count(archive: Archive, table: str) -> int:
    return archive.db[table].count


def test_first_store_is_new(archive):
    run = archive.start_run("akorda")
    result = archive.store_article(RU, run)
    assert result.outcome == "new"
    doc = archive.document(RU["url"])
    assert doc["versions"] == 1 and doc["status"] == "live" and doc["site"] == "akorda"
    assert doc["first_seen"] == "2026-01-01T00:02:00+00:00"
    version = archive.versions(doc["id"])[0]
    assert version["number"] == 1 and version["content_hash"] == content_hash(RU["title"], RU["text"])
    assert version["duplicate_of"] is None and version["run_id"] == run
    fetch = next(archive.db.query("SELECT * FROM fetches"))
    assert fetch["outcome"] == "new" and fetch["version_id"] == result.version_id


def test_same_content_again_is_unchanged_and_writes_no_version(archive):
    archive.store_article(RU)
    before = archive.document(RU["url"])
    result = archive.store_article(dict(RU))
    assert result.outcome == "unchanged" and result.version_id is None
    assert count(archive, "versions") == 1 and count(archive, "contents") == 1
    after = archive.document(RU["url"])
    assert after["last_checked"] > before["last_checked"]
    assert after["last_changed"] == before["last_changed"]
    assert [f["outcome"] for f in archive.db.query("SELECT outcome FROM fetches ORDER BY id")] == [
        "new", "unchanged"]


def test_edited_text_is_changed_version_two_and_both_texts_kept(archive):
    archive.store_article(RU)
    edited = dict(RU, text=RU["text"].replace("готов", "полностью готов"))
    result = archive.store_article(edited)
    assert result.outcome == "changed"
    doc = archive.document(RU["url"])
    versions = archive.versions(doc["id"])
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["text"] == RU["text"] and versions[1]["text"] == edited["text"]
    assert doc["current_version_id"] == versions[1]["id"] and doc["versions"] == 2
    assert count(archive, "contents") == 2


def test_same_text_under_second_url_is_a_duplicate_sharing_one_content(archive):
    first = archive.store_article(RU)
    second = archive.store_article(dict(RU, url="https://other.example/copy-of-akorda"))
    assert second.outcome == "duplicate" and second.document_id != first.document_id
    version = archive.versions(second.document_id)[0]
    assert version["duplicate_of"] == first.document_id
    assert count(archive, "contents") == 1 and count(archive, "documents") == 2


def test_canonical_url_is_the_document_key(archive):
    archive.store_article(dict(RU, url="https://mirror.akorda.kz/ru/x-1", canonical_url=RU["url"]))
    result = archive.store_article(dict(RU, canonical_url=RU["url"]))
    assert result.outcome == "unchanged" and count(archive, "documents") == 1
    # a later fetch record under the alias finds the same document
    assert archive.record_fetch(url="https://mirror.akorda.kz/ru/x-1", site="akorda",
                                outcome="not_modified").document_id == result.document_id


@pytest.mark.parametrize("query,expected", [("Казахстан", RU["url"]), ("أفغانستان", AR["url"]),
                                            ("сессии", RU["url"])])
def test_fts_finds_russian_and_arabic_words(archive, query, expected):
    archive.store_article(RU)
    archive.store_article(AR)
    archive.index_search()  # a writer indexes every batch and when it closes (test_search.py)
    rows = list(archive.db.query(
        "SELECT a.url FROM contents_fts JOIN articles a ON a.content_rowid = contents_fts.rowid "
        "WHERE contents_fts MATCH ?", (query,)))
    assert [r["url"] for r in rows] == [expected]


def test_fts_has_exactly_one_row_per_content(archive):
    archive.store_article(RU)
    archive.store_article(RU)
    archive.store_article(dict(RU, url="https://x.example/dup"))
    archive.store_article(AR)
    archive.index_search()
    assert count(archive, "contents") == 2
    # contents_fts_docsize: the rows the index holds (a count of contents_fts reads contents)
    assert next(archive.db.query("SELECT count(*) AS n FROM contents_fts_docsize"))["n"] == 2


def test_gone_after_two_misses_keeps_versions(archive):
    archive.store_article(RU)
    archive.record_fetch(url=RU["url"], site="akorda", outcome="gone", http_status=410)
    assert archive.document(RU["url"])["status"] == "live"
    archive.record_fetch(url=RU["url"], site="akorda", outcome="gone", http_status=410)
    doc = archive.document(RU["url"])
    assert doc["status"] == "gone" and len(archive.versions(doc["id"])) == 1
    # it comes back: live again, no new version for the same text
    assert archive.store_article(RU).outcome == "unchanged"
    assert archive.document(RU["url"])["status"] == "live"


def test_blocked_fetch_never_touches_versions(archive):
    archive.store_article(RU)
    archive.record_fetch(url=RU["url"], site="akorda", outcome="blocked", http_status=200,
                         detail="bot challenge")
    doc = archive.document(RU["url"])
    assert doc["status"] == "blocked" and doc["versions"] == 1
    assert archive.versions(doc["id"])[0]["text"] == RU["text"]


def test_irrelevant_fetch_is_recorded_without_a_document(archive):
    archive.record_fetch(url="https://www.akorda.kz/ru/sport-1", site="akorda", outcome="irrelevant")
    assert count(archive, "documents") == 0
    assert next(archive.db.query("SELECT outcome, site FROM fetches")) == {
        "outcome": "irrelevant", "site": "akorda"}


def test_unknown_outcome_is_rejected_by_the_schema(archive):
    with pytest.raises(sqlite3.IntegrityError):
        archive.record_fetch(url="https://x.example/", site="x", outcome="maybe")
    assert count(archive, "fetches") == 0


def test_empty_text_is_refused_and_nothing_written(archive):
    with pytest.raises(ValueError):
        archive.store_article(dict(RU, text="  \n "))
    assert count(archive, "documents") == 0 and count(archive, "contents") == 0


def test_failed_write_rolls_back_document_and_version_together(archive, monkeypatch):
    def boom(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error (simulated)")

    monkeypatch.setattr(archive, "_insert_fetch", boom)
    with pytest.raises(sqlite3.OperationalError):
        archive.store_article(RU)
    monkeypatch.undo()
    assert count(archive, "documents") == 0 and count(archive, "versions") == 0
    assert count(archive, "contents") == 0
    assert archive.store_article(RU).outcome == "new"


def test_runs_record_reason_and_stats(archive):
    run = archive.start_run("akorda")
    archive.finish_run(run, "finished", {"csto/store/new": 3, "start_time": datetime(2026, 1, 1)})
    row = archive.db["runs"].get(run)
    assert row["finish_reason"] == "finished" and '"csto/store/new": 3' in row["stats"]


def test_wal_mode_and_integrity(archive):
    assert next(archive.db.query("PRAGMA journal_mode"))["journal_mode"] == "wal"
    assert archive.integrity_check() == "ok"


def test_migration_run_twice_is_harmless(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as arch:
        arch.store_article(RU)
    db = Database(path)
    assert pending_migrations(db) == []
    assert migrate(db) == []
    MIGRATIONS.apply(db)  # applying directly again is a no-op as well
    assert db["documents"].count == 1
    assert [r["name"] for r in db.query("SELECT name FROM _sqlite_migrations")] == [
        m.name for m in MIGRATIONS.pending(Database(memory=True))]  # each once, in order


def test_older_schema_upgrades_without_loss(tmp_path):
    path = tmp_path / "old.db"
    db = Database(path)
    MIGRATIONS.apply(db, stop_before="002_fetch_site_and_document_facts")
    db.execute("INSERT INTO sites (slug, name) VALUES ('akorda', 'Akorda')")
    db.execute("INSERT INTO contents (hash, short_hash, title, text, chars) "
               "VALUES ('ab' || hex(randomblob(31)), 'x', 'Старый', 'Текст ОДКБ', 10)")
    db.execute("INSERT INTO documents (site, url, first_seen, last_checked) "
               "VALUES ('akorda', 'https://www.akorda.kz/ru/old-1', '2020-01-01', '2020-01-01')")
    db.close()
    with Archive(path) as arch:
        assert arch.db["documents"].count == 1 and arch.db["contents"].count == 1
        assert "canonical_url" in arch.db["documents"].columns_dict
        assert "site" in arch.db["fetches"].columns_dict
        assert list(arch.db.query("SELECT title FROM contents_fts WHERE contents_fts MATCH 'ОДКБ'"))


def test_unopenable_archive_gives_a_clear_error(tmp_path):
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ArchiveError, match="cannot open the archive"):
        Archive(bad)
    assert bad.read_bytes().startswith(b"this is not sqlite")  # nothing overwritten


def test_articles_view_has_the_public_columns(archive):
    archive.store_article(RU)
    row = next(archive.db.query("SELECT * FROM articles"))
    for column in ("site", "url", "title", "published_at", "language", "text", "short_hash",
                   "versions", "first_seen", "last_changed"):
        assert column in row
    assert row["title"] == RU["title"] and row["published_at"] == RU["published_at"]


def test_sudden_shrink_is_held_until_seen_again_on_a_later_run(archive):
    long_text = "\n\n".join(f"Абзац номер {i} о заседании ОДКБ в Минске." for i in range(20))
    first_run = archive.start_run("akorda")
    archive.store_article(dict(RU, text=long_text), first_run)
    broken = dict(RU, text="Абзац номер 0 о заседании ОДКБ в Минске.")
    second_run = archive.start_run("akorda")
    held = archive.store_article(broken, second_run)
    assert held.outcome == "unchanged" and held.held and held.version_id is None
    detail = archive.db["fetches"].get(held.fetch_id)["detail"]
    assert detail.startswith("held ") and "shrank" in detail
    # the same run seeing it again does not count as a later run
    assert archive.store_article(broken, second_run).held
    third_run = archive.start_run("akorda")
    accepted = archive.store_article(broken, third_run)
    assert accepted.outcome == "changed" and not accepted.held
    assert archive.document(RU["url"])["versions"] == 2


def test_a_normal_edit_is_not_held(archive):
    archive.store_article(RU, archive.start_run("akorda"))
    shorter = dict(RU, text=RU["text"][: int(len(RU["text"]) * 0.6)])
    assert archive.store_article(shorter, archive.start_run("akorda")).outcome == "changed"


def test_shared_archives_of_one_file_and_thread_use_one_connection_until_the_last_closes(tmp_path):
    import threading

    path = tmp_path / "archive.db"
    first = Archive(path, shared=True)
    second = Archive(tmp_path / "." / "archive.db", shared=True)  # the same file, spelled otherwise
    private = Archive(path)
    assert second.db is first.db
    assert private.db is not first.db
    others: list[Archive] = []
    thread = threading.Thread(target=lambda: others.append(Archive(path, shared=True)))
    thread.start()
    thread.join()
    assert others[0].db is not first.db  # a connection belongs to its thread

    first.close()
    first.close()  # closing twice gives nothing back twice
    assert second.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0
    third = Archive(path, shared=True)
    assert third.db is second.db  # still open: shared again
    third.close()
    second.close()
    private.close()
    with pytest.raises(sqlite3.ProgrammingError):
        second.db.execute("SELECT 1")  # the last shared user closed it
    fresh = Archive(path, shared=True)
    assert fresh.db is not second.db
    fresh.close()


def test_writers_sharing_a_connection_commit_each_transaction_visibly(tmp_path):
    path = tmp_path / "archive.db"
    with Archive(path, shared=True) as store, Archive(path, shared=True) as other:
        store.upsert_site("s")
        result = store.store_article({"url": "https://e.org/1", "site": "s", "title": "T",
                                      "text": "Лидеры стран ОДКБ.", "http_status": 200})
        other.record_fetch(url="https://e.org/2", site="s", outcome="gone")
        assert not store.db.conn.in_transaction
    with Archive(path) as reader:  # a connection of its own sees both writers' commits
        assert count(reader, "versions") == 1 and count(reader, "fetches") == 2
        assert result.outcome == "new"
