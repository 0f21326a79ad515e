"""Discovery without a crawler: the page readers of ``csto_crawler.discovery.pages`` over
responses built from bytes, the report, the refresh state with its own clock, and the
spider's entry-page flow (refusals, harvest, fallbacks) called directly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from scrapy.robotstxt import ProtegoRobotParser

from csto_crawler.discovery import pages
from csto_crawler.discovery.fallbacks import robots_parser_sitemaps
from csto_crawler.discovery.report import EntryReport, entry_point_lines
from csto_crawler.httpdate import format_http_date, parse_http_date
from csto_crawler.items import FetchRecord
from csto_crawler.refresh import ArchiveState, RefreshState
from csto_crawler.spiders.base import NewsSpider

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def xml(url: str, body: str) -> XmlResponse:
    return XmlResponse(url, body=body.encode(), encoding="utf-8")


def html(url: str, body: str, meta: dict | None = None, status: int = 200) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", status=status, request=Request(url, meta=meta or {}))


class Site(NewsSpider):
    name = "site"
    home_url = "https://www.site.kg/"
    allowed_domains = ["site.kg"]
    languages = ("ru",)
    feeds = {"ru": ["https://www.site.kg/rss"]}
    listings = {"ru": ["https://www.site.kg/lenta?page={page}"]}
    article_patterns = (r"^/news/\d+",)
    listing_item_selector = "div.card"
    listing_link_selector = "h3 a::attr(href)"


# --- page readers ----------------------------------------------------------------------------
def test_feed_entries_of_rss_and_atom():
    rss = xml("https://www.site.kg/rss", '<?xml version="1.0"?><rss><channel><item><link> https://www.site.kg/news/1 </link>'
              "<pubDate>Tue, 03 Mar 2026 10:00:00 +0300</pubDate></item><item><guid>https://www.site.kg/news/2</guid></item>"
              '<item><guid isPermaLink="false">tag:1</guid></item></channel></rss>')
    assert pages.feed_entries(rss) == [("https://www.site.kg/news/1", date(2026, 3, 3)), ("https://www.site.kg/news/2", None)]
    atom = xml("https://www.site.kg/atom", '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" '
               'href="https://www.site.kg/news/3"/><updated>2026-03-04T08:00:00Z</updated></entry></feed>')
    assert pages.feed_entries(atom) == [("https://www.site.kg/news/3", date(2026, 3, 4))]
    assert pages.page_type(rss) == "feed" and pages.page_type(atom) == "feed"


def test_sitemaps_indexes_news_sitemaps_and_robots_lines():
    index = xml("https://www.site.kg/sitemap.xml", '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                "<sitemap><loc>https://www.site.kg/s1.xml</loc><lastmod>2026-03-01</lastmod></sitemap></sitemapindex>")
    parsed = pages.sitemap_page(index)
    assert parsed.index and parsed.entries == [("https://www.site.kg/s1.xml", date(2026, 3, 1))]
    news = xml("https://www.site.kg/news.xml", '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
               'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://www.site.kg/news/5</loc>'
               "<news:news><news:publication_date>2026-03-02T10:00:00+06:00</news:publication_date></news:news></url></urlset>")
    assert pages.sitemap_page(news) == pages.SitemapPage(False, [("https://www.site.kg/news/5", None)])
    assert pages.page_type(news) == "sitemap"
    assert pages.sitemap_page(html("https://www.site.kg/x", "<p>no</p>")) in (None, pages.SitemapPage(False, []))
    robots = TextResponse("https://www.site.kg/robots.txt", body=b"User-agent: *\nDisallow: /x\nSitemap: /sitemap.xml\n")
    assert pages.robots_sitemaps(robots) == ["https://www.site.kg/sitemap.xml"]
    parser = ProtegoRobotParser(b"User-agent: *\nSitemap: https://www.site.kg/a.xml\n", None)
    assert robots_parser_sitemaps(parser) == ["https://www.site.kg/a.xml"]


def test_unreadable_xml_says_why():
    assert pages.unreadable_xml(xml("https://www.site.kg/rss", "")) == "empty body"
    assert pages.unreadable_xml(xml("https://www.site.kg/rss", "<rss><channel></channel></rss>")) is None


def test_newest_keeps_the_newest_then_undated_in_page_order():
    entries = [("a", None), ("b", date(2026, 1, 1)), ("c", date(2026, 3, 1)), ("d", None)]
    assert pages.newest(entries, 3) == [("c", date(2026, 3, 1)), ("b", date(2026, 1, 1)), ("a", None)]


def test_listing_entries_by_shape():
    page = html("https://www.site.kg/lenta", '<div class="card"><h3><a href="/news/1">t</a></h3><i>03.03.2026</i></div>'
                '<div class="card"><h3>no link</h3></div>')
    shape = pages.ListingShape("div.card", "h3 a::attr(href)", "i::text")
    assert pages.listing_entries(page, shape, lambda text: date(2026, 3, 3) if text else None) == [("/news/1", date(2026, 3, 3))]


def test_feed_autodiscovery_takes_announced_on_site_feeds():
    page = html("https://www.site.kg/politics/", """<head>
        <link rel="alternate" type="application/rss+xml" href="/rss/politics.xml">
        <link rel="alternate" type="application/atom+xml; charset=utf-8" href="https://www.site.kg/atom">
        <link rel="alternate" type="application/rss+xml" href="https://feeds.elsewhere.org/site">
        <link rel="alternate" hreflang="en" href="/en/"><link rel="stylesheet" href="/a.css"></head>""")
    assert pages.feed_links(page, ["site.kg"]) == ["https://www.site.kg/rss/politics.xml", "https://www.site.kg/atom"]


def test_article_links_harvest_every_matching_link_once():
    page = html("https://www.site.kg/lenta", '<a href="/news/1?utm_source=x">a</a><a href="/news/1">again</a>'
                '<a href="https://elsewhere.org/news/2">off</a><a href="/about">no</a><a href="news/3">rel</a>')
    spider = Site()
    assert pages.article_links(page, spider.is_article_url) == [("https://www.site.kg/news/1", None),
                                                                ("https://www.site.kg/news/3", None)]


def test_section_links_prefer_navigation_and_skip_articles_files_and_queries():
    page = html("https://www.site.kg/", """<body><a href="/sport/">Sport</a>
        <nav><a href="/politics/">P</a> <a href="/">Home</a> <a href="/news/7">article</a></nav>
        <a href="/files/a.pdf">pdf</a> <a href="/search?q=x">s</a> <a href="/a/b/c/d">deep</a>
        <a href="https://elsewhere.org/world/">off</a> <a href="/economy/#top">E</a></body>""")
    found = pages.section_links(page, ["site.kg"], Site().is_article_url, limit=5)
    assert found == ["https://www.site.kg/politics/", "https://www.site.kg/sport/", "https://www.site.kg/economy/"]
    assert pages.section_links(page, ["site.kg"], Site().is_article_url, limit=1) == ["https://www.site.kg/politics/"]


def test_http_dates_both_ways():
    moment = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert format_http_date(moment) == "Sun, 01 Mar 2026 10:00:00 GMT"
    assert parse_http_date(format_http_date(moment).encode()) == moment
    assert parse_http_date("garbage") is None and parse_http_date(None) is None


# --- the report ------------------------------------------------------------------------------
def test_report_lines_and_their_stats_form():
    report = EntryReport("belta")
    report.answered("https://eng.belta.by/rss", "404")
    report.answered("https://eng.belta.by/", "200", "home page")
    report.counted("https://eng.belta.by/", new=True)
    report.counted("https://eng.belta.by/", new=False)
    report.answered("https://eng.belta.by/", "500")  # a later answer does not overwrite the first
    assert report.lines() == [
        "belta: 0 entries from https://eng.belta.by/rss (404)",
        "belta: 2 entries (1 new) from https://eng.belta.by/ (200; fallback: home page)",
        "belta: articles found by the fallback: home page",
    ]

    class Stats(dict):
        def set_value(self, key, value):
            self[key] = value

        def get_value(self, key, default=None):
            return self.get(key, default)

    class Crawler:
        stats = Stats()

    published = EntryReport("belta", Crawler())
    published.answered("https://eng.belta.by/rss", "404")
    assert entry_point_lines(Crawler.stats) == [
        "belta: 0 entries from https://eng.belta.by/rss (404)",
        "belta: no article links found (entry points and fallbacks)",
    ]
    # every later count reaches the stats, and so does an entry point added in between
    published.counted("https://eng.belta.by/rss", new=True)
    published.result("https://eng.belta.by/", "home page")
    published.counted("https://eng.belta.by/rss", new=False)
    assert entry_point_lines(Crawler.stats) == [
        "belta: 2 entries (1 new) from https://eng.belta.by/rss (404)",
        "belta: 0 entries from https://eng.belta.by/ (no answer; fallback: home page)",
    ]
    Crawler.stats.clear()  # a stats collector that lost the list gets it again
    published.counted("https://eng.belta.by/rss", new=False)
    assert entry_point_lines(Crawler.stats)[0] == "belta: 3 entries (1 new) from https://eng.belta.by/rss (404)"


# --- the refresh state: built once, with the run's clock ------------------------------------
class FixedClock:
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


def test_blocked_urls_back_off_doubling_per_consecutive_block(tmp_path):
    from pipelines.archive import Archive

    db = tmp_path / "a.db"
    with Archive(db, clock=FixedClock(NOW - timedelta(hours=3))) as arch:
        for _ in range(3):  # blocked three times in a row: 1h, 2h, then 4h of back-off
            arch.record_fetch(url="https://www.site.kg/rss", site="site", outcome="blocked")
        arch.record_fetch(url="https://www.site.kg/once", site="site", outcome="blocked")
    state = ArchiveState.load(db, "site")
    assert state.get("https://www.site.kg/rss").blocked_streak == 3
    assert state.retry_after("https://www.site.kg/rss") == NOW + timedelta(hours=1)
    refresh = RefreshState(state=state, schedule=None, now=NOW, enabled=True)
    assert not refresh.active  # no schedule: nothing decided (a run that does not consult the archive)
    from csto_crawler.refresh import RecheckSchedule

    refresh = RefreshState(state=state, schedule=RecheckSchedule.parse("*:never"), now=NOW, enabled=True)
    assert refresh.backing_off("https://www.site.kg/rss") == NOW + timedelta(hours=1)
    assert refresh.decide("https://www.site.kg/rss") == "skip"
    assert refresh.backing_off("https://www.site.kg/once") is None  # 1h after one block: try again
    assert refresh.decide("https://www.site.kg/once") == "new"
    later = RefreshState(state=state, schedule=refresh.schedule, now=NOW + timedelta(hours=2), enabled=True)
    assert later.backing_off("https://www.site.kg/rss") is None


def test_the_spider_builds_its_refresh_state_once_with_its_clock(make_spider, tmp_path):
    from pipelines.archive import Archive

    db = tmp_path / "a.db"
    with Archive(db, clock=FixedClock(NOW - timedelta(minutes=10))) as arch:
        arch.record_fetch(url="https://www.site.kg/rss", site="site", outcome="blocked")

    class Clocked(Site):
        clock = staticmethod(FixedClock(NOW))

    spider = make_spider(Clocked, settings={"CSTO_INCREMENTAL": True, "CSTO_ARCHIVE_DB": str(db)})
    assert spider.refresh is spider.refresh and spider.refresh.now == NOW
    # the blocked feed waits out its back-off; the listing is opened
    assert [r.url for r in spider.start_requests_list()] == ["https://www.site.kg/lenta?page=1"]
    assert spider.report.lines()[0].startswith("site: 0 entries from https://www.site.kg/rss (skipped: blocked before")


# --- the entry-page flow ---------------------------------------------------------------------
def test_refusal_statuses_reach_the_callbacks():
    for status in (400, 401, 403, 404, 410, 429, 451, 500, 503):
        assert status in NewsSpider.handle_httpstatus_list


def test_a_refused_entry_page_goes_to_entry_refused_once():
    class Renewing(Site):
        def entry_refused(self, response):
            return [Request("https://www.site.kg/ticket", meta={"renewed": response.status})]

    spider = Renewing()
    meta = {"csto_kind": "feeds", "csto_entry": "https://www.site.kg/rss"}
    out = list(spider.parse_feed(html("https://www.site.kg/rss", "notAllowed", meta, status=400)))
    assert [type(o) for o in out] == [FetchRecord, Request]
    assert out[0].outcome == "error" and out[1].meta["renewed"] == 400
    assert spider.report.lines()[0] == "site: 0 entries from https://www.site.kg/rss (400, error)"
    # past the last listing page a 404 is the normal end: nothing to renew
    past = {"csto_kind": "listings", "csto_entry": "https://www.site.kg/lenta?page={page}", "csto_page": 4}
    assert list(spider.parse_listing(html("https://www.site.kg/lenta?page=4", "", past, status=404))) == []


def test_a_listing_whose_card_selector_misses_is_harvested(caplog):
    spider = Site()
    meta = {"csto_kind": "listings", "csto_entry": "https://www.site.kg/lenta?page={page}", "csto_page": 1}
    page = html("https://www.site.kg/lenta?page=1", '<head><link rel="alternate" type="application/rss+xml" href="/rss2">'
                '</head><div class="item"><a href="/news/11">a</a></div><a href="/about">x</a>', meta)
    with caplog.at_level("WARNING"):
        out = list(spider.parse_listing(page))
    assert [r.url for r in out] == ["https://www.site.kg/rss2", "https://www.site.kg/news/11", "https://www.site.kg/lenta?page=2"]
    assert out[0].meta["csto_found_by"] == "feed autodiscovery" and out[0].callback == spider.parse_feed
    assert "the card selector 'div.card' matched nothing" in caplog.text
    # a later page that shows nothing is the end of the listing, not a wrong selector
    later = html("https://www.site.kg/lenta?page=2", '<a href="/news/12">a</a>', dict(meta, csto_page=2))
    assert list(spider.parse_listing(later)) == []


def test_the_home_page_fallback_reads_feeds_articles_and_sections():
    spider = Site()
    (home,) = spider.fallback_requests()
    assert home.url == "https://www.site.kg/" and home.callback == spider.parse_home
    page = html(home.url, '<head><link rel="alternate" type="application/atom+xml" href="/atom"></head>'
                '<nav><a href="/politics/">P</a></nav><a href="/news/21">a</a>', home.meta)
    out = list(spider.parse_home(page))
    assert [(r.url, r.meta.get("csto_found_by")) for r in out] == [
        ("https://www.site.kg/atom", "feed autodiscovery"),
        ("https://www.site.kg/news/21", None),
        ("https://www.site.kg/politics/", "section page"),
    ]
    section = html("https://www.site.kg/politics/", '<nav><a href="/sport/">S</a></nav><a href="/news/22">b</a>', out[2].meta)
    assert [r.url for r in spider.parse_home(section)] == ["https://www.site.kg/news/22"]  # sections do not recurse
    assert "site: 1 entries (1 new) from https://www.site.kg/ (200; fallback: home page)" in spider.report.lines()


@pytest.mark.parametrize("found_by", [None, "robots.txt"])
def test_a_sitemap_index_from_robots_txt_reads_its_news_and_newest_children(found_by):
    spider = Site()
    children = "".join(f"<sitemap><loc>https://www.site.kg/s-{m}.xml</loc><lastmod>2026-0{m}-01</lastmod></sitemap>" for m in range(1, 7))
    body = (f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{children}'
            "<sitemap><loc>https://www.site.kg/news-sitemap.xml</loc></sitemap></sitemapindex>")
    meta = {"csto_kind": "sitemaps", "csto_entry": "https://www.site.kg/sitemap.xml", "csto_found_by": found_by}
    response = XmlResponse("https://www.site.kg/sitemap.xml", body=body.encode(), request=Request("https://www.site.kg/sitemap.xml", meta=meta))
    followed = [r.url for r in spider.parse_sitemap(response)]
    if found_by is None:  # a configured sitemap is read whole
        assert len(followed) == 7
    else:
        assert followed == ["https://www.site.kg/news-sitemap.xml", "https://www.site.kg/s-6.xml",
                            "https://www.site.kg/s-5.xml", "https://www.site.kg/s-4.xml"]


def test_the_report_sees_entry_pages_whichever_callback_reads_them():
    """A site that reads its entry pages itself (an API listing yielding articles) is still
    reported, and its articles count as entries, so no fallback runs for it."""
    from csto_crawler.items import ArticleItem

    spider = Site()
    meta = {"csto_kind": "listings", "csto_entry": "https://www.site.kg/api?page={page}", "csto_page": 1}
    response = html("https://www.site.kg/api?page=1", "{}", meta)
    spider._entry_answered(response, response.request)
    item = ArticleItem(url="https://www.site.kg/news/9", site="site", title="t", text="x")
    spider._entry_item(item, response)
    spider._entry_item(ArticleItem(url="https://other.kg/news/1", site="other", title="t", text="x"), response)
    spider._entry_item(item, html("https://www.site.kg/news/9", "", {"csto_kind": "article"}))
    from twisted.python.failure import Failure

    spider._entry_item(FetchRecord(url="https://www.site.kg/rss", site="site", outcome="blocked"), Failure(ValueError("x")))
    assert spider.report.lines() == ["site: 1 entries (1 new) from https://www.site.kg/api?page={page} (200)"]
    assert spider.report.entries == 1
