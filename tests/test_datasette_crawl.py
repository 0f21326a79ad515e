"""Every canned query of ``archive/metadata.yml`` on an archive filled by a real crawl of the
offline sample web: each spider runs as ``scrapy crawl <slug> -s CSTO_MIRROR=… -s
CSTO_ARCHIVE_DB=…`` against the loopback mirror, then one article is edited on the mirror and
its site crawled again, so the archive has a version 2 made the way a real edit makes one.

The checks here hold for any crawl (they compare the queries with the archive's own rows);
the exact expectations, and what a crawl of the sample web cannot produce (an Arabic article,
an injected ``<script>``, a page gone after two misses), are in ``test_datasette.py`` on the
``Archive``-filled sample.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import query as _query
from helpers import scrapy_crawl
from test_datasette import QUERIES, fetch, rows_of

from csto_crawler.commands import serve

pytestmark = pytest.mark.e2e

CRAWL_TIMEOUT = 180
#: What the edit appends to a phrase of the article (a word the diff must show as added).
EDIT_MARK = "(2026)"


def crawl(slugs: list[str], mirror, db: Path, *settings: str) -> None:
    """``scrapy crawl SLUG`` for every slug, concurrently, one process each."""
    scrapy_crawl(slugs, mirror.base_url, db, *settings, timeout=CRAWL_TIMEOUT)


def _editable_article(mirror, db: Path):
    """An archived Russian article page of the mirror and a phrase of its text to edit."""
    from csto_crawler.mirror.pages import split_url

    archived = {split_url(r["url"])[1]: r["site"] for r in _query(
        db, "select f.url, d.site from fetches f join documents d on d.id = f.document_id "
            "where d.language = 'ru'")}
    for page in sorted(mirror.tree.pages(), key=lambda p: p.url):
        expected = page.sidecar.get("expected") or {}
        if page.kind != "article" or page.key not in archived or not expected.get("text"):
            continue
        html = page.text()
        for paragraph in expected["text"].split("\n"):
            words = paragraph.split()
            for start in range(max(0, len(words) - 4)):
                phrase = " ".join(words[start:start + 4])
                if len(phrase) > 15 and html.count(phrase) == 1:
                    return page, archived[page.key], phrase
    raise LookupError("no archived Russian article with an editable phrase")


def crawl_sample_web(db: Path) -> dict:
    """Fill ``db`` by a real crawl of the sample web, edit one article, crawl its site again.

    Returns what the checks need: the spiders crawled and the edited document's URL.
    """
    from csto_crawler.mirror import MirrorServer
    from csto_crawler.sites import spider_classes

    slugs = sorted(spider_classes())
    with MirrorServer() as mirror:
        crawl(slugs, mirror, db)
        page, site, phrase = _editable_article(mirror, db)
        mirror.edit_article(page.url, phrase, f"{phrase} {EDIT_MARK}")
        crawl([site], mirror, db, "CSTO_RECHECK_SCHEDULE=*:0s")
    edited = _query(db, "select url from documents where versions > 1")
    assert len(edited) == 1, f"the edit of {page.url} should give exactly one version 2: {edited}"
    return {"spiders": slugs, "edited_url": edited[0]["url"], "site": site}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("crawl")
    db = root / "data" / "archive.db"
    db.parent.mkdir()
    facts = crawl_sample_web(db)
    return serve.config_dir_for(db, root / "config"), db, facts


def test_every_canned_query_page_renders_on_the_crawled_archive(crawled):
    config, _, _ = crawled
    paths = [f"/archive/{name}" for name in QUERIES] + [f"/archive/{name}.json" for name in QUERIES]
    for path, response in zip(paths, fetch(config, *paths), strict=True):
        assert response.status_code == 200, (path, response.text[:500])


def test_search_and_latest_articles_agree_with_the_archive(crawled):
    config, db, _ = crawled
    documents = _query(db, "select count(*) as n from articles")[0]["n"]
    assert len(rows_of(config, "search_articles")) == documents
    latest = rows_of(config, "latest_articles")
    assert len(latest) == min(documents, 100)
    dated = [r["published_at"] for r in latest if r["published_at"]]
    assert dated, "the crawl stored no publication date at all"
    expected_ru = {r["url"] for r in _query(
        db, "select a.url from contents_fts join articles a on a.content_rowid = contents_fts.rowid "
            "where contents_fts match 'ОДКБ' and a.language = 'ru'")}
    hits = rows_of(config, "search_articles", q="ОДКБ", language="ru")
    assert expected_ru and {r["url"] for r in hits} == expected_ru
    assert all("\x02" in (r["snippet"] or "") or "ОДКБ" in r["title"] for r in hits)


def test_edit_on_the_sample_web_shows_in_history_and_diff(crawled):
    config, _, facts = crawled
    edited = rows_of(config, "edited_articles")
    assert [r["url"] for r in edited] == [facts["edited_url"]]
    history = rows_of(config, "version_history", url=facts["edited_url"])
    assert [r["version"] for r in history] == [2, 1]
    (diff,) = rows_of(config, "version_diff")
    assert (diff["old_version"], diff["new_version"]) == (1, 2)
    assert f"<ins>{EDIT_MARK}</ins>" in diff["diff"] and "<del>" not in diff["diff"]
    (page,) = fetch(config, "/archive/version_diff")
    assert f"<ins>{EDIT_MARK}</ins>" in page.text


def test_site_health_sources_and_duplicates_agree_with_the_archive(crawled):
    config, db, facts = crawled
    health = {r["site"]: r for r in rows_of(config, "site_health")}
    sites = {r["slug"] for r in _query(db, "select slug from sites")}
    # every site spider, and the sites the generic news spider fetched from
    assert set(health) == sites and set(facts["spiders"]) - {"news"} <= sites
    for site, row in health.items():
        documents = _query(db, "select count(*) as n from documents where site = ?", (site,))
        blocked = _query(db, "select count(*) as n from fetches where site = ? and outcome = 'blocked'",
                         (site,))
        assert row["documents"] == documents[0]["n"] and row["blocked_fetches"] == blocked[0]["n"]
        assert row["last_run"] and row["last_finish_reason"] == "finished", row
    assert {r["site"] for r in rows_of(config, "sources")} == sites
    shared = _query(db, "select count(*) as n from (select v.content_hash from documents d "
                        "join versions v on v.id = d.current_version_id group by v.content_hash "
                        "having count(*) > 1)")[0]["n"]
    assert len(rows_of(config, "duplicates")) == shared


def test_fetch_outcomes_agree_with_each_runs_own_stats(crawled):
    config, db, facts = crawled
    rows = rows_of(config, "fetch_outcomes")
    stats = {r["id"]: json.loads(r["stats"] or "{}") for r in _query(db, "select id, stats from runs")}
    assert len(rows) == len(stats) == len(facts["spiders"]) + 1
    for row in rows:
        reported = {k.rsplit("/", 1)[1]: v for k, v in stats[row["run"]].items()
                    if k.startswith("csto/store/")}
        assert {k: row[k] for k in reported} == reported, row
