"""Raw captures end to end: the real ``csto demo`` and ``scrapy crawl`` on the sample web.

After a demo every WARC file reads cleanly with warcio, every version has a capture whose
digest matches its bytes, and a rerun adds no response record and no version; a full re-fetch
writes revisits only; a 304 is a server-not-modified revisit; a redirect chain is captured hop
by hop; ``CSTO_CAPTURE=all`` adds the entry pages and ``off`` writes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import query, scrapy_crawl
from warcio.archiveiterator import ArchiveIterator

from csto_crawler import PROJECT_ROOT
from csto_crawler.capture.check import check_archive
from csto_crawler.mirror import MirrorServer
from pipelines.archive import Archive

pytestmark = pytest.mark.e2e


def demo(db: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
    result = subprocess.run([sys.executable, "-m", "csto_crawler", "demo", "--offline", "--db",
                             str(db)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result


def counts(db: Path) -> dict:
    row = query(db, "SELECT (SELECT COUNT(*) FROM versions) AS versions, "
                    "(SELECT COUNT(*) FROM captures WHERE record_type = 'response') AS responses, "
                    "(SELECT COUNT(*) FROM captures WHERE record_type = 'revisit') AS revisits, "
                    "(SELECT MAX(id) FROM captures) AS last")[0]
    return row


def check(db: Path):
    with Archive(db) as archive:
        return check_archive(db, archive.db)


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("capture-demo") / "archive.db"
    demo(db)
    return db


def test_after_the_demo_every_version_has_a_sound_capture(demo_archive):
    files = sorted((demo_archive.parent / "warc").glob("csto-*.warc.gz"))
    assert files, "the demo wrote no WARC file"
    for path in files:
        with path.open("rb") as handle:
            types = [record.rec_type for record in ArchiveIterator(handle)
                     if record.content_stream().read() is not None]
        assert types[0] == "warcinfo" and "response" in types and "request" in types
    missing = query(demo_archive, "SELECT d.site, d.url FROM versions v JOIN documents d "
                                  "ON d.id = v.document_id WHERE v.capture_id IS NULL")
    assert missing == []
    report = check(demo_archive)
    assert report.ok, report
    assert report.captures >= counts(demo_archive)["versions"] and not report.orphans
    # each fetch of an article answer names its capture too
    assert query(demo_archive, "SELECT COUNT(*) AS n FROM fetches WHERE capture_id IS NULL "
                               "AND outcome IN ('new', 'duplicate', 'changed')")[0]["n"] == 0


def test_rerunning_the_demo_adds_no_response_record_and_no_version(demo_archive):
    before = counts(demo_archive)
    demo(demo_archive)
    after = counts(demo_archive)
    assert after["versions"] == before["versions"]
    assert after["responses"] == before["responses"]
    assert check(demo_archive).ok


def test_reextract_of_the_demo_reproduces_every_text(demo_archive):
    from csto_crawler.capture.reextract import reextract

    before = counts(demo_archive)
    with Archive(demo_archive) as archive:
        summary = reextract(demo_archive, archive.db, dry_run=True)
    assert summary.changes == [], summary.changes
    checked = sum(c["checked"] for c in summary.sites.values())
    unchanged = sum(c["unchanged"] for c in summary.sites.values())
    assert checked == before["versions"] and unchanged >= checked - 4  # mfa_kz: API answers
    assert summary.sites["mfa_kz"]["not_article"] == summary.sites["mfa_kz"]["checked"]
    assert counts(demo_archive) == before


@pytest.fixture(scope="module")
def mirror():
    with MirrorServer() as server:
        yield server


def test_full_refetch_is_revisits_only_and_a_304_is_a_revisit(mirror, tmp_path):
    db = tmp_path / "archive.db"
    scrapy_crawl(["akorda"], mirror.base_url, db)
    first = counts(db)
    scrapy_crawl(["akorda"], mirror.base_url, db, "CSTO_INCREMENTAL=false")
    second = counts(db)
    assert second["responses"] == first["responses"] and second["versions"] == first["versions"]
    assert second["revisits"] - first["revisits"] >= first["versions"]
    revisits = query(db, "SELECT c.revisit_of, o.payload_digest AS original, c.payload_digest "
                         "FROM captures c JOIN captures o ON o.id = c.revisit_of WHERE c.id > ?",
                     (first["last"],))
    assert revisits and all(r["original"] == r["payload_digest"] for r in revisits)
    scrapy_crawl(["akorda"], mirror.base_url, db, "CSTO_RECHECK_SCHEDULE=*:0s")
    not_modified = query(db, "SELECT f.capture_id, c.record_type, c.status, c.revisit_of "
                             "FROM fetches f JOIN captures c ON c.id = f.capture_id "
                             "WHERE f.outcome = 'not_modified'")
    assert not_modified, "the re-check got no 304"
    assert all(r["record_type"] == "revisit" and r["status"] == 304 and r["revisit_of"]
               for r in not_modified)
    assert counts(db)["responses"] == first["responses"]
    assert check(db).ok


def test_a_redirect_chain_is_captured_hop_by_hop(mirror, tmp_path):
    db = tmp_path / "archive.db"
    old = "https://www.akorda.kz/ru/old-address-2311933"
    target = ("https://www.akorda.kz/ru/glava-gosudarstva-prinyal-uchastie-v-sessii-soveta-"
              "kollektivnoy-bezopasnosti-odkb-v-uzkom-sostave-2311933")
    mirror.fault(old, "redirect", location=target, status=301)
    try:
        env_args = ["-a", f"urls={old}"]
        subprocess.run([sys.executable, "-m", "scrapy", "crawl", "akorda", *env_args, "-s",
                        f"CSTO_MIRROR={mirror.base_url}", "-s", f"CSTO_ARCHIVE_DB={db}", "-s",
                        "LOG_LEVEL=WARNING"], cwd=PROJECT_ROOT, check=True, timeout=120,
                       env={k: v for k, v in os.environ.items() if not k.startswith("CSTO_")})
    finally:
        mirror.clear_faults()
    hops = query(db, "SELECT id, url, status FROM captures ORDER BY id")
    assert [(h["url"], h["status"]) for h in hops] == [(old, 301), (target, 200)]
    version = query(db, "SELECT v.capture_id FROM versions v")
    assert [v["capture_id"] for v in version] == [hops[1]["id"]]
    fetch = query(db, "SELECT url, capture_id FROM fetches WHERE version_id IS NOT NULL")
    assert fetch == [{"url": old, "capture_id": hops[1]["id"]}]


def test_capture_all_adds_entry_pages_and_off_writes_nothing(mirror, tmp_path):
    everything = tmp_path / "all" / "archive.db"
    scrapy_crawl(["kg24"], mirror.base_url, everything, "CSTO_CAPTURE=all")
    kinds = {r["kind"] for r in query(everything, "SELECT DISTINCT kind FROM captures")}
    assert {"article", "feeds"} <= kinds or {"article", "listings"} <= kinds, kinds
    assert check(everything).ok
    nothing = tmp_path / "off" / "archive.db"
    scrapy_crawl(["kg24"], mirror.base_url, nothing, "CSTO_CAPTURE=off")
    assert query(nothing, "SELECT COUNT(*) AS n FROM captures")[0]["n"] == 0
    assert query(nothing, "SELECT COUNT(*) AS n FROM versions")[0]["n"] > 0
    assert not (nothing.parent / "warc").exists()
