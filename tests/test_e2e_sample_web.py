"""End to end: the real ``scrapy crawl`` commands against the offline mirror, into a real archive.

The mirror (``csto_crawler.mirror``) serves every fixture page on a free loopback port; each
spider runs as its own ``scrapy crawl`` subprocess with ``-s CSTO_MIRROR=… -s
CSTO_ARCHIVE_DB=…``, exactly as a user would run it. The second test changes the sample web
between two crawls and checks what the archive made of each change.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from helpers import query, scrapy_crawl

from csto_crawler.mirror import MirrorServer, Page
from csto_crawler.mirror.pages import split_url

pytestmark = pytest.mark.e2e

#: Every crawl must finish well inside this (seconds); the mirror answers at once.
CRAWL_TIMEOUT = 120
#: Settings of the second crawl: re-check every known article now, a 410 is final at once.
RECHECK_ALL = ("CSTO_RECHECK_SCHEDULE=*:0s", "CSTO_GONE_AFTER=1")


def spiders() -> list[str]:
    from csto_crawler.sites import spider_classes

    return sorted(spider_classes())


def crawl(slugs: list[str], mirror: MirrorServer, db: Path, *settings: str) -> None:
    """Run ``scrapy crawl SLUG`` for every slug (concurrently, one process each)."""
    scrapy_crawl(slugs, mirror.base_url, db, *settings, timeout=CRAWL_TIMEOUT, log_level="INFO")


def document_of(db: Path, url: str) -> dict | None:
    """The document a fixture URL was archived as (through any of its fetches)."""
    key = split_url(url)[1]
    for row in query(db, "SELECT DISTINCT f.url, f.document_id FROM fetches f "
                         "WHERE f.document_id IS NOT NULL"):
        if split_url(row["url"])[1] == key:
            return query(db, "SELECT * FROM documents WHERE id = ?", (row["document_id"],))[0]
    return None


def versions_of(db: Path, document_id: int) -> list[dict]:
    return query(db, "SELECT v.number, c.title, c.text FROM versions v JOIN contents c "
                     "ON c.hash = v.content_hash WHERE v.document_id = ? ORDER BY v.number",
                 (document_id,))


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory):
    """Every spider crawls the sample web twice (the second time re-checking every known
    article); returns the archive, the mirror's request log and what each crawl left."""
    db = tmp_path_factory.mktemp("e2e") / "archive.db"
    slugs = spiders()
    with MirrorServer() as mirror:
        crawl(slugs, mirror, db)
        first = mirror.requests()
        versions = query(db, "SELECT COUNT(*) AS n FROM versions")[0]["n"]
        crawl(slugs, mirror, db, *RECHECK_ALL)
        second = mirror.requests()[len(first):]
        pages = mirror.tree.pages()
    return {"db": db, "slugs": slugs, "first": first, "second": second, "pages": pages,
            "versions_after_first": versions}


def test_every_spider_finishes_and_archives_its_site(two_crawls):
    db, slugs = two_crawls["db"], two_crawls["slugs"]
    runs = query(db, "SELECT spider, finish_reason FROM runs")
    assert sorted(r["spider"] for r in runs) == sorted(slugs * 2)
    assert {r["finish_reason"] for r in runs} == {"finished"}
    with_documents = {r["spider"] for r in query(
        db, "SELECT DISTINCT r.spider FROM runs r JOIN fetches f ON f.run_id = r.id "
            "WHERE f.document_id IS NOT NULL")}
    assert set(slugs) - with_documents == set()
    # every site has documents (the generic news spider's are under its configured slugs)
    from csto_crawler.sites import site_classes

    per_site = {r["site"]: r["n"] for r in query(
        db, "SELECT site, COUNT(*) AS n FROM documents GROUP BY site")}
    assert {s for s in site_classes() if not per_site.get(s)} == set(), per_site


def test_relevant_fixtures_are_archived_with_their_expected_title(two_crawls):
    db = two_crawls["db"]
    fetched = {split_url(r.url)[1] for r in two_crawls["first"] if r.url and r.status == 200}
    checked = 0
    for page in two_crawls["pages"]:
        expected = page.sidecar.get("expected") or {}
        if page.kind != "article" or page.key not in fetched or not expected.get("title"):
            continue
        document = document_of(db, page.url)
        if page.sidecar.get("relevant") is True:
            assert document is not None, f"{page.source} was fetched but not archived"
            assert versions_of(db, document["id"])[0]["title"] == expected["title"], page.source
            checked += 1
        elif page.sidecar.get("relevant") is False:
            assert document is None, f"{page.source} is not about the CSTO but was archived"
    assert checked >= len(two_crawls["slugs"])


def test_a_second_crawl_of_the_same_sample_web_adds_no_version(two_crawls):
    db = two_crawls["db"]
    assert two_crawls["versions_after_first"] > 0
    assert query(db, "SELECT COUNT(*) AS n FROM versions")[0]["n"] == two_crawls["versions_after_first"]
    assert query(db, "SELECT COUNT(*) AS n FROM versions WHERE number > 1")[0]["n"] == 0


def test_the_second_crawl_rechecks_known_articles_with_conditional_requests(two_crawls):
    archived = {split_url(r["url"])[1] for r in query(
        two_crawls["db"], "SELECT url FROM fetches WHERE document_id IS NOT NULL")}
    rechecks = [r for r in two_crawls["second"] if r.url and split_url(r.url)[1] in archived]
    assert rechecks
    unconditional = [(r.path, r.status) for r in rechecks if not (r.conditional and r.status == 304)]
    assert not unconditional, f"{len(unconditional)} of {len(rechecks)} re-checks were not 304: {unconditional[:5]}"


# -- the mutation scenario -------------------------------------------------------------------
def _site_of(page: Page) -> str | None:
    from csto_crawler.sites import spider_for_url

    cls = spider_for_url(page.url)
    return cls.name if cls else None


def _paragraphs(page: Page) -> list[str]:
    return [p for p in ((page.sidecar.get("expected") or {}).get("text") or "").split("\n") if p.strip()]


def _new_url(template: Page, taken: set[str]) -> str:
    """An article URL of the template's shape that the mirror does not serve yet: the digits of
    its last path segment changed (an id keeps its length and alphabet), else ``-2`` appended."""
    parts = urlsplit(template.url)
    head, _, last = parts.path.rstrip("/").rpartition("/")
    trailing = "/" if parts.path.endswith("/") else ""
    for bump in range(1, 10):
        if re.search(r"\d", last):
            segment = "".join(str((int(c) + bump) % 10) if c.isdigit() else c for c in last)
        else:
            stem, dot, ext = last.partition(".")
            segment = f"{stem}-{bump + 1}{dot}{ext}"
        url = urlunsplit(parts._replace(path=f"{head}/{segment}{trailing}"))
        if split_url(url)[1] not in taken:
            return url
    raise AssertionError(f"no free URL next to {template.url}")


def _edit_for(page: Page) -> tuple[str, str]:
    """A phrase of the article's text that occurs in its HTML, and its replacement."""
    html = page.text()
    for paragraph in _paragraphs(page)[1:] + _paragraphs(page)[:1]:
        words = paragraph.split()
        for start in range(0, max(1, len(words) - 4)):
            phrase = " ".join(words[start:start + 4])
            if len(phrase) > 15 and html.count(phrase) == 1:
                return phrase, phrase + " (2026)"
    raise LookupError(f"no editable phrase in {page.source}")


def _candidates(mirror: MirrorServer) -> dict[str, list[Page]]:
    """Sites with at least three relevant articles and a feed, listing or sitemap page."""
    by_site: dict[str, list[Page]] = {}
    linked: set[str] = set()
    for page in mirror.tree.pages():
        site = _site_of(page)
        if site and page.kind in ("feed", "listing", "sitemap") and page.status == 200:
            linked.add(site)
        if (site and page.kind == "article" and page.status == 200
                and page.sidecar.get("relevant") is True and len(_paragraphs(page)) >= 2):
            by_site.setdefault(site, []).append(page)
    crawlable = set(spiders())  # a site of the dispatching news spider is no `scrapy crawl` name
    return {site: pages for site, pages in sorted(by_site.items())
            if site in linked and len(pages) >= 3 and site in crawlable}


def _mutable_sites() -> list[str]:
    return list(_candidates(MirrorServer()))


@pytest.mark.parametrize("site", _mutable_sites() or ["(none)"])
def test_changes_between_two_crawls_are_archived_as_they_should(tmp_path, site):
    db = tmp_path / "archive.db"
    with MirrorServer() as mirror:
        articles = _candidates(mirror).get(site)
        if not articles:
            pytest.fail("no site has three relevant article fixtures and a feed, listing or sitemap")
        crawl([site], mirror, db)
        archived = [p for p in articles if document_of(db, p.url) is not None]
        assert len(archived) >= 3, f"{site}: only {[p.source for p in archived]} were archived"

        # 1. a new article, in the feed and on the first listing page
        template = archived[0]
        new_url = _new_url(template, {p.key for p in mirror.tree.pages()})
        new_title = (template.sidecar["expected"]["title"] + " 2026").strip()
        body = "".join(f"<p>{p}</p>" for p in reversed(_paragraphs(template)))
        written = mirror.add_article(split_url(new_url)[1].split("/")[0], new_url, new_title, body,
                                     "2026-11-20T10:00:00+00:00",
                                     template.sidecar["expected"].get("language"))
        assert set(written) & {"feed", "listing", "sitemap"}
        # 2. an edit of the text, 3. a furniture-only change (when the site's pages have
        # furniture), 4. a removal: each on its own article
        edited, phrase, replacement, furnished = None, "", "", None
        for page in archived:
            try:
                phrase, replacement = _edit_for(page)
            except LookupError:
                continue
            edited = page
            break
        rest = [p for p in archived if p is not edited]
        for page in rest[:-1]:
            try:
                mirror.change_furniture(page.url)
            except ValueError:
                continue
            furnished = page
            break
        removed = next(p for p in reversed(rest) if p is not furnished)
        assert edited is not None, f"{site}: no article text phrase to edit"
        mirror.edit_article(edited.url, phrase, replacement)
        mirror.remove(removed.url, status=410)

        first_crawl = len(mirror.requests())
        crawl([site], mirror, db, *RECHECK_ALL)
        second = mirror.requests()[first_crawl:]

    # the new article is archived, once
    document = document_of(db, new_url)
    assert document is not None, f"{new_url} (listed in {written}) was not archived"
    assert [v["title"] for v in versions_of(db, document["id"])] == [new_title]

    # the edited article has a second version; the first is kept
    document = document_of(db, edited.url)
    versions = versions_of(db, document["id"])
    assert [v["number"] for v in versions] == [1, 2] and document["versions"] == 2
    assert replacement in versions[1]["text"] and replacement not in versions[0]["text"]

    # the furniture-only change was fetched (200, not 304) and stored no version
    if furnished is not None:
        assert any(r.status == 200 and split_url(r.url)[1] == furnished.key for r in second)
        document = document_of(db, furnished.url)
        assert document["versions"] == 1 and len(versions_of(db, document["id"])) == 1
        last = query(db, "SELECT outcome FROM fetches WHERE document_id = ? ORDER BY id DESC "
                         "LIMIT 1", (document["id"],))[0]
        assert last["outcome"] == "unchanged"

    # the removed article is gone, its version kept
    assert any(r.status == 410 and split_url(r.url)[1] == removed.key for r in second)
    document = document_of(db, removed.url)
    assert document["status"] == "gone"
    assert len(versions_of(db, document["id"])) == 1


def test_the_sample_web_has_furniture_to_change():
    """At least one site of the mutation test has an article whose furniture can change, so the
    furniture-only scenario above really runs."""
    sites = _mutable_sites()
    mirror = MirrorServer()
    furnished = []
    for site, pages in _candidates(mirror).items():
        for page in pages:
            try:
                mirror.change_furniture(page.url)
            except ValueError:
                continue
            furnished.append(site)
            break
    assert set(furnished) & set(sites), "no article fixture marks furniture with <!--volatile-->"


def test_faults_are_retried_or_recorded(tmp_path):
    """A 500, a truncated body and a reset connection are retried and the article archived; a
    bot challenge served with 200 is recorded as ``blocked`` and archives nothing."""
    db = tmp_path / "archive.db"
    with MirrorServer() as mirror:
        candidates = {site: pages for site, pages in _candidates(mirror).items() if len(pages) >= 4}
        assert candidates, "no site has four relevant article fixtures"
        site, pages = next(iter(candidates.items()))
        flaky, cut, reset, challenged = pages[:4]
        mirror.fault(flaky.url, "500_then_ok", times=2)
        mirror.fault(cut.url, "truncate", times=1)
        mirror.fault(reset.url, "reset", times=1)
        mirror.fault(challenged.url, "challenge")
        crawl([site], mirror, db)
        log = mirror.requests()

    def hits(page: Page) -> list[tuple[int, str | None]]:
        return [(r.status, r.fault) for r in log if r.url and split_url(r.url)[1] == page.key]

    assert hits(flaky)[:3] == [(500, "500_then_ok"), (500, "500_then_ok"), (200, None)]
    assert hits(cut)[:2] == [(200, "truncate"), (200, None)]
    assert hits(reset)[:2] == [(0, "reset"), (200, None)]
    for page in (flaky, cut, reset):
        document = document_of(db, page.url)
        assert document is not None, f"{site}: {page.source} was not archived after a retry"
        assert document["versions"] == 1
    assert document_of(db, challenged.url) is None
    outcomes = {r["outcome"] for r in query(db, "SELECT url, outcome FROM fetches")
                if split_url(r["url"])[1] == challenged.key}
    assert outcomes == {"blocked"}, outcomes
