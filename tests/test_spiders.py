"""Every site spider against its fixtures: the fixture folder exists, every article fixture
parses to exactly its ``expected`` item, furniture is gone, and entry pages (feeds, listings,
sitemaps) yield exactly the expected article requests.

Parametrized over the registry of sites (``site_classes``: what ``scrapy list`` lists, with the
sites configured for the generic ``news`` spider in its place), so a new site is covered by
adding its module (or configuration entry) and fixtures; a site without fixtures fails here.
"""

from __future__ import annotations

import pytest
from helpers import FIXTURES, file_response, load_sidecar, sidecars
from scrapy import Request

from csto_crawler.fixtures import expected_of
from csto_crawler.items import ArticleItem
from csto_crawler.sites import site_classes

SPIDERS = site_classes()
ENTRY_KINDS = ("feed", "listing", "sitemap")
#: An ``api`` fixture (a JSON API page) is both an entry page and its articles: the spider
#: makes items from it directly (mfa_kz); its own tests check what it yields.
API_KIND = "api"


def _id(path):
    return f"{path.parent.name}/{path.stem}"


def _spider_sidecars(kinds):
    return [p for slug in SPIDERS for kind in kinds if (FIXTURES / slug).is_dir() for p in sidecars(slug, kind)]


def test_the_registry_lists_spiders():
    assert SPIDERS, "no spiders found by the registry (scrapy list)"


@pytest.mark.parametrize("slug", sorted(SPIDERS))
def test_every_spider_has_fixtures(slug):
    folder = FIXTURES / slug
    assert folder.is_dir(), f"spider {slug} has no fixture folder {folder}"
    assert sidecars(slug, "article") or sidecars(slug, API_KIND), f"spider {slug} has no article fixture in {folder}"


@pytest.mark.parametrize("slug", sorted(SPIDERS))
def test_every_language_edition_has_an_article_and_an_entry_page(slug):
    spider = SPIDERS[slug]()
    articles = {spider.language_for(load_sidecar(p)["url"]) for kind in ("article", API_KIND) for p in sidecars(slug, kind)}
    entries = set()
    for kind in (*ENTRY_KINDS, API_KIND):
        entries |= {spider.language_for(load_sidecar(p)["url"]) for p in sidecars(slug, kind)}
    for language in spider.languages:
        assert language in articles, f"{slug}: no article fixture of the {language} edition"
        assert language in entries, f"{slug}: no feed/listing/sitemap fixture of the {language} edition"


@pytest.mark.parametrize("sidecar", _spider_sidecars(("article",)), ids=_id)
def test_article_fixture_parses_to_expected(sidecar):
    data = load_sidecar(sidecar)
    spider = SPIDERS[sidecar.parent.name]()
    assert "reconstructed" in data["origin"] or "recorded" in data["origin"], "origin must say where the page came from"
    assert isinstance(data.get("relevant"), bool), "an article fixture says whether it is about the CSTO"
    results = list(spider.parse_article(file_response(sidecar)))
    assert len(results) == 1 and isinstance(results[0], ArticleItem), results
    got = expected_of(results[0])
    expected = data["expected"]
    assert set(expected) == set(got), "expected must name every field of the item (csto fixtures regen)"
    for name in sorted(got):
        assert got[name] == expected[name], f"{name}: parsed {got[name]!r}, expected {expected[name]!r}"
    assert got["url"] == data["url"] and got["site"] == spider.name
    assert got["language"] in spider.languages
    assert got["title"] and got["text"], "an article fixture must parse to a title and a text"


@pytest.mark.parametrize("sidecar", _spider_sidecars(("article",)), ids=_id)
def test_furniture_is_gone(sidecar):
    """Strings of the page's furniture (menus, related blocks, counters, footers) that the
    sidecar lists under ``furniture`` are on the page but not in the item."""
    data = load_sidecar(sidecar)
    furniture = data.get("furniture") or []
    if not furniture:
        pytest.skip("sidecar lists no furniture strings")
    page = file_response(sidecar).text  # in the page's own charset (mfa_by is windows-1251)
    spider = SPIDERS[sidecar.parent.name]()
    (item,) = list(spider.parse_article(file_response(sidecar)))
    for text in furniture:
        assert text in page, f"furniture string {text!r} is not on the page: the check could not fail"
        assert text not in (item.text or ""), f"furniture {text!r} left in the text"
        assert text not in (item.title or ""), f"furniture {text!r} left in the title"


@pytest.mark.parametrize("sidecar", _spider_sidecars(ENTRY_KINDS), ids=_id)
def test_entry_page_yields_expected_requests(sidecar):
    """A feed/listing/sitemap fixture's ``expected``: ``articles`` (the article URLs requested,
    in order) and ``next`` (the next listing page, or null)."""
    data = load_sidecar(sidecar)
    expected = data.get("expected")
    assert expected and "articles" in expected, "an entry-page fixture lists the articles it yields"
    spider = SPIDERS[sidecar.parent.name]()
    callback = {"feed": spider.parse_feed, "listing": spider.parse_listing, "sitemap": spider.parse_sitemap}[data["kind"]]
    out = [r for r in callback(file_response(sidecar)) if isinstance(r, Request)]
    articles = [r.url for r in out if r.callback == spider.parse_article]
    pages = [r.url for r in out if r.callback != spider.parse_article]
    assert articles == expected["articles"]
    assert pages == ([expected["next"]] if expected.get("next") else [])
