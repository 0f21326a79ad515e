"""Stories in Datasette: the story page, links to stories, the "republished by N sites"
facet, the coverage chart, and Atom feeds of every canned query parsed with ``xml.etree``.
(The checks of the story queries' answers are in tests/helpers_stories.py, run by
tests/test_datasette.py with the others.)

The sample archive (tests/test_datasette_sample.py) has one story of two sites: Khovar's text
republished word for word by Asia-Plus 2 h 40 min later, crediting Khovar.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from test_datasette import QUERIES, fetch, rows_of
from test_datasette_sample import ASIAPLUS_COPY_URL, KHOVAR_RU_URL, build_sample_archive

from csto_crawler.commands import serve

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def cfg(tmp_path_factory):
    """A configuration directory like archive/ holding the filled sample archive."""
    root = tmp_path_factory.mktemp("stories")
    return serve.config_dir_for(build_sample_archive(root / "data" / "archive.db"),
                                root / "config")


def atom_entries(config_dir, path: str) -> tuple[ET.Element, list[ET.Element]]:
    (response,) = fetch(config_dir, path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("application/xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return feed, feed.findall(f"{ATOM}entry")


# -- pages -------------------------------------------------------------------------------------
def test_story_ids_link_to_the_story_page_and_atom_columns_stay_out_of_html(cfg):
    story = rows_of(cfg, "story")[0]["story"]
    page, articles, stories = fetch(cfg, "/archive/story",
                                    "/archive/articles?_search=Афганистане",
                                    "/archive/stories?sites__gt=1")
    assert "first publisher" in page.text and "+0d 02h 40m" in page.text
    assert "history</a>" in page.text  # each article links to its versions
    link = f'href="/archive/story?id={story}"'
    assert link in articles.text and link in stories.text
    assert "td.col-atom_id" in fetch(cfg, "/-/csto-stories.css")[0].text


def test_the_articles_view_has_a_republished_by_n_sites_facet(cfg):
    (response,) = fetch(cfg, "/archive/articles.json?_facet=story_sites")
    facet = response.json()["facet_results"]["story_sites"]["results"]
    assert {r["value"]: r["count"] for r in facet} == {1: 7, 2: 2}


def test_the_coverage_chart_counts_articles_per_site_per_month(cfg):
    (response,) = fetch(cfg, "/-/coverage.svg")
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = ET.fromstring(response.content)
    labels = [r.get("aria-label") for r in svg.iter("{http://www.w3.org/2000/svg}rect")]
    assert "khovar 2021-08: 2 articles" in labels and "asiaplus 2021-08: 1 article" in labels
    assert "akorda 2022-06: 0 articles" in labels  # a month with nothing is drawn, blank
    assert "9 articles, 6 sites, 2021-08 to 2026-03"  # undated: the month first seen in response.text


# -- feeds -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_canned_query_is_an_atom_feed(cfg, name):
    feed, entries = atom_entries(cfg, f"/archive/{name}.atom")
    rows = rows_of(cfg, name)
    assert feed.findtext(f"{ATOM}title") == QUERIES[name]["title"]
    assert sorted(e.findtext(f"{ATOM}id") for e in entries) == sorted(r["atom_id"] for r in rows)
    assert all(e.findtext(f"{ATOM}updated") for e in entries)


def test_a_search_feed_of_the_foreign_ministries(cfg):
    """The documented subscription: new ОДКБ/CSTO articles from the foreign ministries."""
    _, entries = atom_entries(cfg,
                              "/archive/latest_articles.atom?q=CSTO&site=mid_ru,mfa_by,mfa_kz")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Foreign Minister Sergey Lavrov's remarks at the CSTO Foreign Ministers Council"]
    assert entries[0].find(f"{ATOM}link").get("href") == "https://www.mid.ru/en/foreign_policy/news/1889699/"
    assert entries[0].findtext(f"{ATOM}updated") == "2023-06-20T15:05:00+00:00"
    _, search = atom_entries(cfg, "/archive/search_articles.atom?q=ОДКБ&site=khovar,asiaplus")
    assert {e.find(f"{ATOM}link").get("href") for e in search} == {KHOVAR_RU_URL, ASIAPLUS_COPY_URL}


def test_a_feed_that_matches_nothing_yet_is_an_empty_feed(cfg):
    feed, entries = atom_entries(cfg, "/archive/latest_articles.atom?q=zzzqqq")
    assert entries == [] and feed.findtext(f"{ATOM}title") == "Latest articles"


def test_the_articles_table_and_its_full_text_search_are_feeds(cfg):
    _, entries = atom_entries(cfg, "/archive/articles.atom?_search=ОДКБ&site__in=khovar,asiaplus")
    assert {e.findtext(f"{ATOM}id") for e in entries} == {KHOVAR_RU_URL, ASIAPLUS_COPY_URL}
    (page,) = fetch(cfg, "/archive/articles?_search=ОДКБ")
    assert "articles.atom?_search=" in page.text  # the page offers its feed
