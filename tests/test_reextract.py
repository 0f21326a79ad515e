"""``csto reextract``: a changed extraction rule, re-run over the stored captures.

The archive is built by importing the fixture pages of two sites (their captures are the
archive's own WARC records). Unchanged rules change nothing; a rule that drops the second
paragraph of each akorda article adds exactly one version to each akorda document whose text
that changes (what the extraction with the new rule makes of the fixture page, computed here
independently), each with its audit row; kg24 is untouched, a dry run writes nothing, and a
second run adds nothing.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
from capture_warcs import fixture_pages, wget_warc
from helpers import query

from csto_crawler import PROJECT_ROOT
from csto_crawler.capture.check import check_archive
from csto_crawler.capture.importer import import_warcs
from csto_crawler.capture.parse import extractor_version
from csto_crawler.capture.reextract import reextract
from csto_crawler.extract import extract
from csto_crawler.spiders.akorda import AkordaSpider
from pipelines.archive import Archive
from pipelines.fingerprint import content_hash

DROP_SECOND_PARAGRAPH = "div.content-text > p:nth-of-type(2)"


@pytest.fixture
def archive_db(tmp_path):
    pages = [page for slug in ("akorda", "kg24") for page, _ in fixture_pages(slug)]
    warc = wget_warc(tmp_path / "sites.warc.gz", pages)
    db = tmp_path / "archive" / "archive.db"
    summary = import_warcs([warc], db)
    assert summary.outcomes["new"] >= 6 and not summary.errors
    return db


def run(db, **kwargs):
    with Archive(db) as archive:
        return reextract(db, archive.db, **kwargs)


def snapshot(db):
    return query(db, "SELECT v.id, v.document_id, v.number, v.content_hash FROM versions v "
                     "ORDER BY v.id")


def test_unchanged_rules_change_nothing(archive_db):
    before = snapshot(archive_db)
    summary = run(archive_db)
    assert summary.changes == [] and snapshot(archive_db) == before
    assert summary.sites["akorda"]["unchanged"] == summary.sites["akorda"]["checked"] > 0


def test_a_changed_rule_gives_exactly_the_expected_versions_each_audited(archive_db,
                                                                         monkeypatch):
    rules = dataclasses.replace(AkordaSpider.rules, drop_selectors=(
        *AkordaSpider.rules.drop_selectors, DROP_SECOND_PARAGRAPH))
    monkeypatch.setattr(AkordaSpider, "rules", rules)
    current = {r["url"]: r for r in query(archive_db, "SELECT url, site, content_hash, text "
                                                      "FROM articles")}
    expected = {}
    for page, data in fixture_pages("akorda"):
        key = data["expected"]["canonical_url"] or data["url"]
        if key not in current:
            continue  # not about the CSTO: never archived
        spider = AkordaSpider()
        got = extract(page.body, page.url, spider.rules_for(page.url))
        if content_hash(got.title, got.text) != current[key]["content_hash"]:
            expected[key] = got.text
    assert expected, "the rule changes no fixture's text: pick another rule"
    before = snapshot(archive_db)

    dry = run(archive_db, dry_run=True)
    assert {c.url for c in dry.changes} == set(expected) and snapshot(archive_db) == before

    summary = run(archive_db)
    assert {c.url for c in summary.changes} == set(expected)
    assert summary.sites["kg24"]["changed"] == 0 and summary.sites["kg24"]["unchanged"] > 0
    after = snapshot(archive_db)
    assert after[:len(before)] == before  # nothing deleted or rewritten
    added = query(archive_db, "SELECT d.url, v.number, v.reason, v.extractor, v.capture_id, "
                              "c.text FROM versions v JOIN documents d ON d.id = v.document_id "
                              "JOIN contents c ON c.hash = v.content_hash WHERE v.id > ?",
                  (before[-1]["id"],))
    assert {a["url"]: a["text"] for a in added} == expected
    assert all(a["reason"] == "reextract" and a["extractor"] == extractor_version()
               and a["number"] == 2 and a["capture_id"] for a in added)
    audit = query(archive_db, "SELECT * FROM reextractions ORDER BY id")
    assert {a["url"] for a in audit} == set(expected) and {a["run"] for a in audit} == {1}
    for row in audit:
        old = query(archive_db, "SELECT c.text FROM versions v JOIN contents c "
                                "ON c.hash = v.content_hash WHERE v.id = ?",
                    (row["old_version_id"],))[0]["text"]
        assert old == current[row["url"]]["text"]
        removed = len(old.split()) - len(expected[row["url"]].split())
        assert row["words_removed"] - row["words_added"] == removed and row["words_removed"] > 0
    with Archive(archive_db) as archive:
        assert check_archive(archive_db, archive.db).ok

    second = run(archive_db)
    assert second.changes == [] and snapshot(archive_db) == after
    assert len(query(archive_db, "SELECT id FROM reextractions")) == len(audit)


def test_the_command_filters_by_site_and_date_and_reports(archive_db):
    def csto(*args):
        return subprocess.run([sys.executable, "-m", "csto_crawler", "reextract", "--db",
                               str(archive_db), *args], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, timeout=120)

    result = csto("--site", "kg24", "--dry-run")
    assert result.returncode == 0 and "kg24" in result.stdout and "akorda" not in result.stdout
    assert "would add 0 version(s)" in result.stdout
    later = csto("--since", "2999-01-01")
    assert later.returncode == 0 and "no stored captures match" in later.stdout
    bad = csto("--since", "yesterday")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
