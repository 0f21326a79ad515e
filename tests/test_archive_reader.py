"""``ArchiveReader``: the read-only queries of the run summaries, the demo's counts and a site's
refresh state, on an absent, a new and a filled archive."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from csto_crawler.refresh import ArchiveState
from csto_crawler.runner import summarise_runs
from pipelines.archive import Archive, ArchiveReader


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def filled(tmp_path):
    """Two runs: ``a`` stores two articles (one a duplicate of the other's text under a second
    URL) and an error; ``b`` records an irrelevant page."""
    path = tmp_path / "archive.db"
    with Archive(path, clock=Clock()) as archive:
        run_a = archive.start_run("a")
        archive.store_article({"url": "https://a.example/1", "site": "a", "title": "ОДКБ",
                               "text": "Один.", "published_at": "2025-05-01T10:00:00+05:00"}, run_a)
        archive.store_article({"url": "https://a.example/1?copy", "site": "a", "title": "ОДКБ",
                               "text": "Один."}, run_a)
        archive.record_fetch(url="https://a.example/bad", site="a", outcome="error", run_id=run_a,
                             detail="HTTP 500")
        archive.finish_run(run_a, "finished", {"downloader/response_status_count/200": 3})
        run_b = archive.start_run("b")
        archive.record_fetch(url="https://b.example/x", site="b", outcome="irrelevant", run_id=run_b)
        archive.finish_run(run_b, "finished", {})
    return path


def test_an_absent_archive_reads_as_empty_and_is_not_created(tmp_path):
    path = tmp_path / "none.db"
    reader = ArchiveReader(path)
    assert reader.last_run_id() == 0
    assert reader.runs_after(0) == [] and reader.site_outcomes(0) == {}
    assert reader.counts() == {"sites": 0, "documents": 0, "versions": 0, "added": 0}
    assert reader.site_documents("a") == [] and reader.site_fetched_urls("a") == []
    assert not path.exists()


def test_a_file_without_tables_reads_as_empty(tmp_path):
    path = tmp_path / "blank.db"
    sqlite3.connect(path).close()
    assert ArchiveReader(path).last_run_id() == 0
    assert ArchiveReader(path).counts()["documents"] == 0


def test_runs_outcomes_and_counts(filled):
    reader = ArchiveReader(filled)
    assert reader.last_run_id() == 2
    assert [run["spider"] for run in reader.runs_after(0)] == ["a", "b"]
    assert [run["spider"] for run in reader.runs_after(1)] == ["b"]
    assert reader.run_outcomes(1) == {"new": 1, "duplicate": 1, "error": 1}
    assert reader.run_errors(1) == ["HTTP 500"]
    assert reader.site_outcomes(0) == {"a": {"duplicate": 1, "error": 1, "new": 1},
                                       "b": {"irrelevant": 1}}
    assert reader.site_outcomes(1) == {"b": {"irrelevant": 1}}
    assert reader.counts() == {"sites": 1, "documents": 2, "versions": 2, "added": 2}  # b stored none
    assert reader.counts(1)["added"] == 0


def test_the_run_summaries_come_from_the_reader(filled):
    summaries = summarise_runs(filled, 0)
    assert [(s.site, s.fetched, s.responses, s.failed) for s in summaries] == [
        ("a", 3, 3, False), ("b", 1, 0, True)]
    assert summaries[0].errors == ["HTTP 500"]
    assert [s.site for s in summarise_runs(filled, 0, ["b"])] == ["b"]


def test_site_state_rows_are_what_the_refresh_state_reads(filled):
    """The reader's two queries give the rows ``ArchiveState.load`` is built from."""
    reader = ArchiveReader(filled)
    documents = reader.site_documents("a")
    assert [(d["url"], d["status"], d["published_at"]) for d in documents] == [
        ("https://a.example/1", "live", "2025-05-01T10:00:00+05:00"),
        ("https://a.example/1?copy", "live", None)]
    fetched = {row["url"]: row["outcome"] for row in reader.site_fetched_urls("a")}
    assert fetched == {"https://a.example/1": "new", "https://a.example/1?copy": "duplicate",
                       "https://a.example/bad": "error"}
    state = ArchiveState.load(filled, "a")
    assert {url for url in fetched if state.knows(url)} == set(fetched)
    assert len(state) == len(fetched)


def test_a_reader_reads_while_a_writer_holds_its_transaction(filled):
    writer = sqlite3.connect(filled, isolation_level=None, timeout=1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO runs (spider, started_at) VALUES ('c', '2026-01-02T00:00:00+00:00')")
        assert ArchiveReader(filled).last_run_id() == 2  # WAL: the committed state, no waiting
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert ArchiveReader(filled).last_run_id() == 3


def test_blocked_streaks_count_only_the_latest_blocked_fetches_in_a_row(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as arch:
        for outcome in ("blocked", "error", "blocked", "blocked"):
            arch.record_fetch(url="https://www.site.kg/rss", site="site", outcome=outcome)
        for outcome in ("blocked", "irrelevant"):
            arch.record_fetch(url="https://www.site.kg/a", site="site", outcome=outcome)
        arch.record_fetch(url="https://www.site.kg/b", site="other", outcome="blocked")
    streaks = ArchiveReader(path).blocked_streaks("site")
    assert streaks == {"https://www.site.kg/rss": 2}
    assert ArchiveReader(path).blocked_streaks("site", limit=1) == {"https://www.site.kg/rss": 1}
