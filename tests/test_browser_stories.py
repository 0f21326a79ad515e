"""Stories in a real browser (headless Chromium through Playwright, over ``csto serve`` on the
sample archive, as tests/test_browser_datasette.py): an article's story link leads to the story
page, which lists the first publisher and the republication with its lag and hides the feed
columns; the Atom feed of a search loads in the browser and holds the expected entries.
Screenshots go to ``test-artifacts/browser/``."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from test_browser_datasette import browser_page, served_archive, shot  # noqa: F401 (fixtures)
from test_datasette_sample import ASIAPLUS_COPY_URL, KHOVAR_RU_TITLE, KHOVAR_RU_URL

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_story_page_in_the_browser(served_archive, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{served_archive}/archive/articles?_search=Афганистане")
    assert not page.locator("td.col-atom_title").first.is_visible()  # feed columns hidden
    page.locator("td.col-story_id a").first.click()  # as a reader would
    page.wait_for_load_state()
    assert "/archive/story?id=" in page.url
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 2
    first, second = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "khovar" in first and "first publisher" in first
    assert "asiaplus" in second and "republished" in second and "+0d 02h 40m" in second
    assert page.locator("td.col-history a").count() == 2  # links to each article's versions
    assert not page.locator("td.col-atom_id").first.is_visible()  # feed columns hidden
    assert page.locator("a[href*='.atom']").count() >= 1  # the page offers its feed
    shot(page, "story", full_page=True)


def test_the_atom_feed_of_a_search_in_the_browser(served_archive, browser_page):  # noqa: F811
    page = browser_page
    response = page.goto(f"{served_archive}/archive/search_articles.atom?q=ОДКБ&site=khovar,asiaplus")
    assert response.status == 200
    feed = ET.fromstring(response.body())
    entries = feed.findall(f"{ATOM}entry")
    assert {e.find(f"{ATOM}link").get("href") for e in entries} == {KHOVAR_RU_URL, ASIAPLUS_COPY_URL}
    assert {e.findtext(f"{ATOM}title") for e in entries} == {KHOVAR_RU_TITLE}
    shown = page.locator("body").inner_text()  # Chromium's XML view shows the entries
    assert KHOVAR_RU_URL in shown and ASIAPLUS_COPY_URL in shown
    shot(page, "search-feed", full_page=True)
