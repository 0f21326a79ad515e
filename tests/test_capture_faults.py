"""Raw captures under faults: the crawler killed between capture and commit, a truncated WARC
file, a deleted WARC file. ``csto check`` says what was lost and which versions it concerns;
nothing else is lost, and the next run reuses what a crash left."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import query, scrapy_crawl

from csto_crawler import PROJECT_ROOT
from csto_crawler.capture.check import check_archive
from csto_crawler.mirror import MirrorServer
from pipelines import ITEM_PIPELINES
from pipelines.archive import Archive

pytestmark = pytest.mark.e2e

SITE = "akorda"


def check(db: Path):
    with Archive(db) as archive:
        return check_archive(db, archive.db)


def csto_check(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csto_crawler", "check", "--db", str(db)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def mirror():
    with MirrorServer() as server:
        yield server


@pytest.fixture(scope="module")
def crawled(mirror, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("crawled") / "archive.db"
    scrapy_crawl([SITE], mirror.base_url, db)
    assert check(db).ok
    return db


def copy_archive(db: Path, target: Path) -> Path:
    shutil.copytree(db.parent, target)
    return target / db.name


def texts(db: Path) -> list[tuple]:
    return [tuple(r.values()) for r in query(
        db, "SELECT d.url, v.number, c.hash, length(c.text) FROM versions v JOIN documents d "
            "ON d.id = v.document_id JOIN contents c ON c.hash = v.content_hash ORDER BY v.id")]


def test_killed_between_capture_and_commit_leaves_an_orphan_the_next_run_reuses(
        mirror, tmp_path, monkeypatch):
    db = tmp_path / "archive.db"
    pipelines = dict(ITEM_PIPELINES, **{"capture_kill.KillBeforeStore": 850})
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT / "tests"))
    with pytest.raises(AssertionError, match="exit -9"):
        scrapy_crawl([SITE], mirror.base_url, db, f"ITEM_PIPELINES={json.dumps(pipelines)}")
    assert query(db, "SELECT COUNT(*) AS n FROM versions")[0]["n"] == 0
    report = check(db)
    assert report.ok and report.orphans, report  # the bytes are there; nothing names them
    result = csto_check(db)
    assert result.returncode == 0 and "orphan captures" in result.stdout, result.stdout
    orphan = query(db, "SELECT * FROM captures WHERE id = ?", (report.orphans[0],))[0]

    monkeypatch.delenv("PYTHONPATH")
    scrapy_crawl([SITE], mirror.base_url, db)
    reused = query(db, "SELECT c.revisit_of, v.id FROM captures c JOIN versions v "
                       "ON v.capture_id = c.id WHERE c.url = ?", (orphan["url"],))
    assert reused and reused[0]["revisit_of"] == orphan["id"]
    after = check(db)
    assert after.ok and not after.orphans and not after.lost


def test_a_truncated_warc_file_names_the_versions_that_lost_their_capture(crawled, tmp_path):
    db = copy_archive(crawled, tmp_path / "copy")
    before = texts(db)
    (path,) = (db.parent / "warc").glob("*.warc.gz")
    rows = query(db, "SELECT id, offset, length FROM captures ORDER BY offset")
    cut = rows[len(rows) // 2]
    with path.open("r+b") as handle:
        handle.truncate(cut["offset"] + cut["length"] // 2)
    report = check(db)
    assert not report.ok and str(path) in report.bad_files
    expected_lost = {r["id"] for r in rows if r["offset"] >= cut["offset"]}
    assert set(report.lost) == expected_lost
    lost_urls = {url for url, _, _ in report.lost_versions}
    expected_urls = {r["url"] for r in query(
        db, "SELECT d.url FROM versions v JOIN documents d ON d.id = v.document_id "
            f"WHERE v.capture_id IN ({','.join(map(str, expected_lost))})")}
    assert lost_urls == expected_urls and lost_urls
    result = csto_check(db)
    assert result.returncode == 1
    assert all(url in result.stdout for url in lost_urls) and "cut short" in result.stdout
    assert texts(db) == before  # the archived texts are all there


def test_a_deleted_warc_file_loses_only_its_captures_and_the_next_run_heals(
        crawled, mirror, tmp_path):
    db = copy_archive(crawled, tmp_path / "copy")
    before = texts(db)
    (path,) = (db.parent / "warc").glob("*.warc.gz")
    path.unlink()
    report = check(db)
    versions = query(db, "SELECT COUNT(*) AS n FROM versions")[0]["n"]
    assert len(report.lost_versions) == versions and report.bad_files == {str(path): "missing"}
    result = csto_check(db)
    assert result.returncode == 1 and "versions that lost their capture" in result.stdout
    assert texts(db) == before
    # a full re-fetch stores fresh response records, never revisits pointing into the lost file
    scrapy_crawl([SITE], mirror.base_url, db, "CSTO_INCREMENTAL=false")
    fresh = query(db, "SELECT record_type, revisit_of FROM captures WHERE id > ?",
                  (max(report.lost),))
    assert fresh and all(r["revisit_of"] not in report.lost for r in fresh)
    assert texts(db) == before
    after = check(db)
    assert set(after.lost) == set(report.lost)  # the old records stay lost, nothing more


def test_a_capture_that_cannot_be_written_stops_the_crawl_and_stores_nothing(mirror, tmp_path):
    db = tmp_path / "archive.db"
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the WARC folder should be")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", SITE, "-s", f"CSTO_MIRROR={mirror.base_url}",
         "-s", f"CSTO_ARCHIVE_DB={db}", "-s", f"CSTO_WARC_DIR={blocked}", "-s", "LOG_LEVEL=INFO"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180)
    errors = [line for line in proc.stderr.splitlines() if "] ERROR:" in line]
    assert len(errors) == 1 and "capture not written" in errors[0], errors
    assert "stopping the crawl" in errors[0] and "Closing spider (archive_error)" in proc.stderr
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert query(db, "SELECT COUNT(*) AS n FROM versions")[0]["n"] == 0
    assert query(db, "SELECT COUNT(*) AS n FROM captures")[0]["n"] == 0
    assert blocked.read_text() == "a file where the WARC folder should be"
