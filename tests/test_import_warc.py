"""``csto import-warc``: WARC files other crawlers wrote, archived through the pipelines.

A WARC written with warcio in wget's layout (WARC/1.0, request before response, chunked and
gzip-coded answers, wget's log records) holding a site's fixture pages and a page of a host no
site module covers; then, where wget is installed, a real ``wget --warc-file`` of mirror pages.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from capture_warcs import Page, browsertrix_warc, fixture_pages, wget_warc
from helpers import query

from csto_crawler import PROJECT_ROOT
from csto_crawler.capture.check import check_archive
from csto_crawler.capture.importer import import_warcs
from pipelines.archive import Archive

GENERIC_URL = "https://www.example.org/news/2024/csto-exercise"
GENERIC_PAGE = (
    "<html lang='ru'><head><title>Учения ОДКБ в Таджикистане</title>"
    "<meta property='article:published_time' content='2024-10-02T09:00:00+05:00'></head><body>"
    "<nav><a href='/'>Главная</a></nav><article><h1>Учения ОДКБ в Таджикистане</h1>"
    "<p>Коллективные силы быстрого развёртывания ОДКБ провели совместные учения на полигоне "
    "Харб-Майдон в Хатлонской области.</p><p>В учениях участвовали подразделения из "
    "Казахстана, Кыргызстана, России и Таджикистана, всего около тысячи военнослужащих.</p>"
    "</article><footer>© Example</footer></body></html>").encode()


def csto(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csto_crawler", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=180)


@pytest.fixture
def wget_layout_warc(tmp_path) -> tuple[Path, list[dict]]:
    fixtures = fixture_pages("akorda")
    pages = [page for page, _ in fixtures]
    pages[0].gzipped = True
    listing = fixture_pages("akorda", "listing")[0][0]
    pages += [listing, Page(GENERIC_URL, GENERIC_PAGE),
              Page("https://www.example.org/missing", b"<html>gone</html>", status=404)]
    return wget_warc(tmp_path / "site.warc.gz", pages), [data for _, data in fixtures]


def test_a_wget_layout_warc_is_archived_through_the_pipelines(wget_layout_warc, tmp_path):
    warc, sidecars = wget_layout_warc
    db = tmp_path / "archive" / "archive.db"
    result = csto("import-warc", "--db", str(db), str(warc))
    assert result.returncode == 0, result.stderr
    relevant = [d for d in sidecars if d["relevant"]]
    rows = {r["url"]: r for r in query(db, "SELECT url, title, text, site FROM articles")}
    for data in relevant:
        key = data["expected"]["canonical_url"] or data["url"]
        assert key in rows, f"{key} not archived"
        # the site's rules applied: exactly what the spider extracts from the page
        assert rows[key]["text"] == data["expected"]["text"]
        assert rows[key]["title"] == data["expected"]["title"] and rows[key]["site"] == "akorda"
    generic = rows[GENERIC_URL]
    assert generic["site"] == "example.org" and generic["title"] == "Учения ОДКБ в Таджикистане"
    assert "Харб-Майдон" in generic["text"] and "Главная" not in generic["text"]
    irrelevant = {d["url"] for d in sidecars if not d["relevant"]}
    fetched = query(db, "SELECT url, outcome, capture_id FROM fetches")
    assert irrelevant and {f["url"] for f in fetched if f["outcome"] == "irrelevant"} == irrelevant
    assert all(f["capture_id"] for f in fetched)
    assert len(rows) == len(relevant) + 1  # the listing and the 404 are not articles
    assert "skipped_not_article_url=1" in result.stdout and "skipped_status=1" in result.stdout
    with Archive(db) as archive:
        report = check_archive(db, archive.db)
    assert report.ok and not report.orphans and report.versions_without_capture == 0

    again = csto("import-warc", "--db", str(db), str(warc))
    assert again.returncode == 0 and "0 article version(s) stored" in again.stdout
    assert f"duplicate_capture={len(sidecars) + 1}" in again.stdout
    assert len(query(db, "SELECT id FROM versions")) == len(relevant) + 1


def test_a_browsertrix_heritrix_layout_warc_is_archived(tmp_path):
    fixtures = [(page, data) for page, data in fixture_pages("kg24") if data["relevant"]]
    for page, _ in fixtures:
        page.gzipped = True
    warc = browsertrix_warc(tmp_path / "crawl.warc.gz", [page for page, _ in fixtures])
    db = tmp_path / "archive.db"
    summary = import_warcs([warc], db)
    assert not summary.errors and summary.outcomes["new"] == len(fixtures)
    assert summary.outcomes["skipped_resource"] == len(fixtures) + 1  # screenshots, dns:
    assert summary.outcomes["skipped_revisit"] == 1
    rows = {r["url"]: r["text"] for r in query(db, "SELECT url, text FROM articles")}
    for _, data in fixtures:
        assert rows[data["expected"]["canonical_url"] or data["url"]] == data["expected"]["text"]


def test_a_plain_warc_and_a_bad_file(tmp_path):
    plain = wget_warc(tmp_path / "plain.warc", [Page(GENERIC_URL, GENERIC_PAGE, chunked=False)],
                      compress=False)
    db = tmp_path / "archive.db"
    summary = import_warcs([plain], db)
    assert summary.outcomes["new"] == 1 and not summary.errors
    bad = tmp_path / "notes.warc.gz"
    bad.write_bytes(b"this is not a WARC file\n" * 10)
    result = csto("import-warc", "--db", str(db), str(bad))
    assert result.returncode == 1 and "notes.warc.gz" in result.stderr
    assert len(query(db, "SELECT id FROM versions")) == 1  # nothing lost
    missing = csto("import-warc", "--db", str(db), str(tmp_path / "nowhere.warc"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed here")
def test_a_real_wget_warc_of_the_mirror_is_archived(tmp_path):
    from csto_crawler.mirror import MirrorServer

    pages = [data for _, data in fixture_pages("akorda") if data["relevant"]][:3]
    with MirrorServer() as mirror:
        urls = [mirror.base_url + "/" + p["url"].split("://", 1)[1] for p in pages]
        subprocess.run(["wget", "-q", "--warc-file=" + str(tmp_path / "wget"),
                        "--no-warc-keep-log", "-P", str(tmp_path / "files"), *urls],
                       check=True, timeout=120)
    warc = tmp_path / "wget.warc.gz"
    db = tmp_path / "archive.db"
    result = csto("import-warc", "--db", str(db), str(warc))
    assert result.returncode == 0, result.stderr
    texts = [r["text"] for r in query(db, "SELECT text FROM articles")]
    # fetched from the mirror's own URLs, so read with the generic extraction
    assert len(texts) == len(pages)
    for page in pages:
        first_line = page["expected"]["text"].split("\n")[0][:60]
        assert any(first_line in text for text in texts), first_line
