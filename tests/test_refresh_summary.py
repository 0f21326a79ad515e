"""``csto refresh``'s summary names each entry point of a run and the fallback that found the
articles, read back from the run's stats in the archive (issue 15's run summary)."""

from __future__ import annotations

from csto_crawler.discovery.report import EntryReport
from csto_crawler.runner import format_summaries, summarise_runs
from pipelines.archive import Archive


class _Stats:
    def __init__(self):
        self.values = {}

    def set_value(self, key, value):
        self.values[key] = value

    def get_value(self, key, default=None):
        return self.values.get(key, default)


class _Crawler:
    def __init__(self):
        self.stats = _Stats()


def test_the_refresh_summary_lists_each_entry_point_and_the_fallback(tmp_path):
    crawler = _Crawler()
    report = EntryReport("belta", crawler)
    report.answered("https://eng.belta.by/rss", "404")
    report.answered("https://eng.belta.by/", "200", found_by="home page")
    for _ in range(3):
        report.counted("https://eng.belta.by/", new=True)
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        run = archive.start_run("belta")
        archive.finish_run(run, "finished", crawler.stats.values)
    summaries = summarise_runs(db, 0)
    assert summaries[0].entry_points == [
        "belta: 0 entries from https://eng.belta.by/rss (404)",
        "belta: 3 entries (3 new) from https://eng.belta.by/ (200; fallback: home page)",
        "belta: articles found by the fallback: home page",
    ]
    text = format_summaries(summaries)
    assert "entry points:\n  belta: 0 entries from https://eng.belta.by/rss (404)" in text
    assert text.rstrip().endswith("belta: articles found by the fallback: home page")


def test_a_run_without_a_report_prints_no_entry_point_section(tmp_path):
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        run = archive.start_run("akorda")
        archive.finish_run(run, "finished", {})
    summaries = summarise_runs(db, 0)
    assert summaries[0].entry_points == []
    assert "entry points:" not in format_summaries(summaries)
