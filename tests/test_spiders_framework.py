"""The ``NewsSpider`` flow on a made-up site: arguments, entry points, feeds, sitemaps,
listings with pagination and ``since``, search, seeds, and non-article pages."""

from __future__ import annotations

from datetime import date

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse

from csto_crawler.extract.rules import SiteRules
from csto_crawler.items import FetchRecord
from csto_crawler.spiders.base import NewsSpider


class ExampleSpider(NewsSpider):
    name = "example"
    allowed_domains = ["example.kz"]
    languages = ("ru", "en")
    rules = SiteRules(date_formats=("%d.%m.%Y",))
    feeds = {"ru": ["https://www.example.kz/ru/rss"]}
    listings = {"ru": ["https://www.example.kz/ru/news?page={page}"], "en": ["https://www.example.kz/en/news"]}
    sitemaps = {"en": ["https://www.example.kz/sitemap.xml"]}
    search = {"ru": ["https://www.example.kz/ru/search?q={query}&page={page}"]}
    search_terms = {"ru": ["ОДКБ"]}
    article_patterns = (r"^/(ru|en)/[a-z0-9-]+-\d{3,}$",)
    listing_item_selector = "div.card"
    listing_link_selector = "h3 a::attr(href)"
    listing_date_selector = "span.date::text"
    next_page_selector = "a.next::attr(href)"

    def language_for(self, url):
        return "en" if "/en/" in url else "ru" if "/ru/" in url else None


def urls(requests):
    return [r.url for r in requests if isinstance(r, Request)]


def html(url, body, meta=None):
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=Request(url, meta=meta or {}))


def listing(url, cards, next_href=None, meta=None):
    body = "".join(f'<div class="card"><h3><a href="{href}">t</a></h3><span class="date">{day}</span></div>' for href, day in cards)
    if next_href:
        body += f'<a class="next" href="{next_href}">»</a>'
    return html(url, f"<html><body>{body}</body></html>", meta)


# --- arguments ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"lang": "ru,de"}, "unknown language edition"),
        ({"since": "21.03.2026"}, "expected a date as YYYY-MM-DD"),
        ({"urls": "https://elsewhere.org/ru/a-123"}, r"not an http\(s\) URL on this site"),
        ({"urls": "www.example.kz/ru/a-123"}, r"not an http\(s\) URL on this site"),
    ],
)
def test_bad_arguments_say_what_is_wrong(make_spider, args, message):
    with pytest.raises(ValueError, match=message):
        make_spider(ExampleSpider, **args)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["akorda", "-a", "since=notadate"], "Bad spider argument: akorda: -a since='notadate': expected a date as YYYY-MM-DD"),
        (["news", "-a", "sites=nowhere"], "Bad spider argument: news: -a sites: unknown site(s) ['nowhere']"),
    ],
)
def test_a_bad_argument_prints_one_line_and_exits_2(argv, message):
    """``scrapy crawl`` checks the arguments before the crawl: one line, no traceback, status 2."""
    import os
    import subprocess
    import sys

    from csto_crawler import PROJECT_ROOT

    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", *argv, "-s", "LOG_LEVEL=WARNING"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if "Bad spider argument" in line]
    assert len(lines) == 1 and lines[0].startswith(message), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "Task exception" not in proc.stderr


def test_a_sites_category_and_its_older_name_kind_agree():
    class Official(NewsSpider):
        name = "official_site"
        kind = "official"

    class Csto(NewsSpider):
        name = "csto_site"
        category = "csto"

    assert (Official.category, Official.kind) == ("official", "official")
    assert (Csto.category, Csto.kind) == ("csto", "csto")
    assert (ExampleSpider.category, ExampleSpider.kind) == ("news", "news")


def test_urls_argument_fetches_exactly_those(make_spider):
    spider = make_spider(ExampleSpider, urls="https://www.example.kz/ru/a-123, https://example.kz/en/b-456")
    requests = spider.start_requests_list()
    assert urls(requests) == ["https://www.example.kz/ru/a-123", "https://example.kz/en/b-456"]
    assert all(r.callback == spider.parse_article and r.dont_filter for r in requests)


def test_entry_points_by_language(make_spider):
    every = make_spider(ExampleSpider).start_requests_list()
    assert urls(every) == [
        "https://www.example.kz/ru/rss",
        "https://www.example.kz/sitemap.xml",
        "https://www.example.kz/ru/news?page=1",
        "https://www.example.kz/en/news",
        "https://www.example.kz/ru/search?q=%D0%9E%D0%94%D0%9A%D0%91&page=1",
    ]
    english = make_spider(ExampleSpider, lang="en").start_requests_list()
    assert urls(english) == ["https://www.example.kz/sitemap.xml", "https://www.example.kz/en/news"]


def test_seed_entry_points_are_added(make_spider, tmp_path):
    seeds = tmp_path / "entry_points.yml"
    seeds.write_text(
        "example:\n  feeds:\n    en: [https://www.example.kz/en/rss]\n  urls: [https://www.example.kz/ru/extra-999]\n"
        "other:\n  feeds:\n    xx: [https://other/]\n",
        encoding="utf-8",
    )
    spider = make_spider(ExampleSpider, settings={"CSTO_ENTRY_POINTS": str(seeds)}, lang="en")
    got = urls(spider.start_requests_list())
    assert "https://www.example.kz/en/rss" in got and "https://www.example.kz/ru/rss" not in got
    assert "https://www.example.kz/ru/extra-999" not in got  # -a lang=en leaves the ru article out
    assert "https://www.example.kz/ru/extra-999" in urls(make_spider(ExampleSpider, settings={"CSTO_ENTRY_POINTS": str(seeds)}).start_requests_list())


def test_seed_file_errors_name_the_problem(make_spider, tmp_path):
    seeds = tmp_path / "entry_points.yml"
    seeds.write_text("example:\n  feeds:\n    de: [https://www.example.kz/de/rss]\n", encoding="utf-8")
    spider = make_spider(ExampleSpider, settings={"CSTO_ENTRY_POINTS": str(seeds)})
    with pytest.raises(ValueError, match=r"example.feeds: unknown language\(s\) \['de'\]"):
        spider.start_requests_list()


# --- feeds and sitemaps -------------------------------------------------------------------
RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
<item><link>https://www.example.kz/ru/new-article-101?utm_source=rss</link><pubDate>Sat, 21 Mar 2026 10:00:00 +0500</pubDate></item>
<item><link>https://www.example.kz/ru/old-article-102</link><pubDate>Mon, 02 Feb 2026 10:00:00 +0500</pubDate></item>
<item><link>https://www.example.kz/ru/photo/gallery</link></item>
<item><link>https://elsewhere.org/ru/a-103</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<entry><link rel="alternate" href="https://www.example.kz/en/atom-article-201"/><updated>2026-03-01T00:00:00Z</updated></entry>
</feed>"""


def test_feed_links_are_filtered_and_cleaned(make_spider):
    spider = make_spider(ExampleSpider)
    response = XmlResponse("https://www.example.kz/ru/rss", body=RSS.encode())
    assert urls(spider.parse_feed(response)) == [
        "https://www.example.kz/ru/new-article-101",
        "https://www.example.kz/ru/old-article-102",
    ]
    since = make_spider(ExampleSpider, since="2026-03-01")
    assert urls(since.parse_feed(response)) == ["https://www.example.kz/ru/new-article-101"]
    assert urls(spider.parse_feed(XmlResponse("https://www.example.kz/en/atom", body=ATOM.encode()))) == [
        "https://www.example.kz/en/atom-article-201"
    ]
    assert urls(make_spider(ExampleSpider, lang="en").parse_feed(response)) == []


def test_sitemap_index_and_urlset(make_spider):
    spider = make_spider(ExampleSpider, since="2026-01-01")
    index = XmlResponse("https://www.example.kz/sitemap.xml", body=b"""<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.example.kz/sitemap-2026.xml</loc><lastmod>2026-03-01</lastmod></sitemap>
<sitemap><loc>https://www.example.kz/sitemap-2019.xml</loc><lastmod>2019-12-31</lastmod></sitemap>
</sitemapindex>""")
    assert urls(spider.parse_sitemap(index)) == ["https://www.example.kz/sitemap-2026.xml"]
    urlset = XmlResponse("https://www.example.kz/sitemap-2026.xml", body=b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://www.example.kz/en/fresh-301</loc><lastmod>2026-02-01</lastmod></url>
<url><loc>https://www.example.kz/en/stale-302</loc><lastmod>2025-02-01</lastmod></url>
<url><loc>https://www.example.kz/en/about</loc></url>
</urlset>""")
    assert urls(spider.parse_sitemap(urlset)) == ["https://www.example.kz/en/fresh-301"]


# --- listings -----------------------------------------------------------------------------
def test_listing_template_pages_up_to_the_guard(make_spider):
    spider = make_spider(ExampleSpider, settings={"CSTO_MAX_PAGES": 2})
    first = spider.start_requests_list()[2]
    page1 = listing(first.url, [("/ru/a-111", "21.03.2026"), ("/ru/contacts", "")], meta=first.meta)
    out = list(spider.parse_listing(page1))
    assert urls(out) == ["https://www.example.kz/ru/a-111", "https://www.example.kz/ru/news?page=2"]
    page2 = listing(out[-1].url, [("/ru/b-112", "20.03.2026")], meta=out[-1].meta)
    assert urls(spider.parse_listing(page2)) == ["https://www.example.kz/ru/b-112"]  # guard: 2 pages


def test_listing_stops_when_empty(make_spider):
    spider = make_spider(ExampleSpider)
    first = spider.start_requests_list()[2]
    assert urls(spider.parse_listing(listing(first.url, [], meta=first.meta))) == []


def test_since_pages_back_until_a_page_is_older(make_spider):
    spider = make_spider(ExampleSpider, since="2026-03-10", settings={"CSTO_MAX_PAGES": 1})
    first = spider.start_requests_list()[2]
    page1 = listing(first.url, [("/ru/a-111", "21.03.2026"), ("/ru/b-112", "12.03.2026")], meta=first.meta)
    out = list(spider.parse_listing(page1))
    assert urls(out)[-1] == "https://www.example.kz/ru/news?page=2"  # backfill ignores CSTO_MAX_PAGES
    page2 = listing(out[-1].url, [("/ru/c-113", "11.03.2026"), ("/ru/d-114", "01.03.2026")], meta=out[-1].meta)
    out2 = list(spider.parse_listing(page2))
    assert urls(out2) == ["https://www.example.kz/ru/c-113", "https://www.example.kz/ru/news?page=3"]
    page3 = listing(out2[-1].url, [("/ru/e-115", "09.03.2026"), ("/ru/f-116", "02.03.2026")], meta=out2[-1].meta)
    assert urls(spider.parse_listing(page3)) == []  # all older: stop


def test_listing_next_page_selector(make_spider):
    spider = make_spider(ExampleSpider)
    first = spider.start_requests_list()[3]
    page = listing(first.url, [("/en/a-211", "21.03.2026")], next_href="/en/news?p=2", meta=first.meta)
    out = list(spider.parse_listing(page))
    assert urls(out) == ["https://www.example.kz/en/a-211", "https://www.example.kz/en/news?p=2"]
    assert out[-1].meta["csto_page"] == 2


def test_search_pages_are_listings(make_spider):
    spider = make_spider(ExampleSpider)
    first = spider.start_requests_list()[4]
    out = list(spider.parse_listing(listing(first.url, [("/ru/s-311", "21.03.2026")], meta=first.meta)))
    assert urls(out) == ["https://www.example.kz/ru/s-311", "https://www.example.kz/ru/search?q=%D0%9E%D0%94%D0%9A%D0%91&page=2"]


def test_listing_date_uses_site_formats(make_spider):
    assert make_spider(ExampleSpider).listing_date("21.03.2026") == date(2026, 3, 21)
    assert make_spider(ExampleSpider).listing_date("") is None


# --- pages that are not articles ------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (404, "", "gone"),
        (200, "<title>Страница не найдена</title>", "error"),
        (200, "<p>Data processing... Please, wait.</p>", "blocked"),
        (503, "", "error"),
    ],
)
def test_non_article_pages_become_fetch_records(make_spider, status, body, outcome):
    spider = make_spider(ExampleSpider)
    url = "https://www.example.kz/ru/a-123"
    response = HtmlResponse(url, status=status, body=body.encode(), encoding="utf-8", request=Request(url))
    (record,) = list(spider.parse_article(response))
    assert isinstance(record, FetchRecord) and record.outcome == outcome and record.url == url
    assert spider.crawler.stats.get_value(f"csto/pages/{outcome}") == 1


def test_a_blocked_feed_is_recorded_too(make_spider):
    spider = make_spider(ExampleSpider)
    response = HtmlResponse("https://www.example.kz/ru/rss", status=403, body=b"", request=Request("https://www.example.kz/ru/rss"))
    (record,) = list(spider.parse_feed(response))
    assert record.outcome == "blocked"


def test_parse_routes_by_page_kind(make_spider):
    spider = make_spider(ExampleSpider)
    feed = XmlResponse("https://www.example.kz/ru/rss", body=RSS.encode())
    assert urls(spider.parse(feed))[0] == "https://www.example.kz/ru/new-article-101"


def test_listing_page_fetched_without_meta_still_pages_on(make_spider):
    spider = make_spider(ExampleSpider)
    page = listing("https://www.example.kz/ru/news?page=2", [("/ru/a-111", "21.03.2026")])
    assert urls(spider.parse_listing(page))[-1] == "https://www.example.kz/ru/news?page=3"


def test_article_item_is_complete(make_spider):
    spider = make_spider(ExampleSpider)
    url = "https://example.kz/ru/odkb-sovet-123?utm_source=tg"
    body = (
        "<html lang='ru'><head><title>Совет ОДКБ</title>"
        "<link rel='canonical' href='https://www.example.kz/ru/odkb-sovet-123'></head><body>"
        "<h1>Совет ОДКБ провёл заседание</h1><p class='date'>21.03.2026</p>"
        + "<p>Совет коллективной безопасности ОДКБ провёл заседание в Минске и обсудил итоги года.</p>" * 4
        + "</body></html>"
    )
    request = Request(url, meta={"redirect_urls": ["https://example.kz/ru/old-123"]})
    response = HtmlResponse(
        url, body=body.encode(), encoding="utf-8", request=request,
        headers={"ETag": '"abc"', "Last-Modified": "Sat, 21 Mar 2026 10:00:00 GMT", "Date": "Sun, 22 Mar 2026 10:00:00 GMT"},
    )
    (item,) = list(spider.parse_article(response))
    assert item.url == "https://example.kz/ru/old-123"  # as first requested
    assert item.canonical_url == "https://www.example.kz/ru/odkb-sovet-123"
    assert item.site == "example" and item.language == "ru"
    assert item.title == "Совет ОДКБ провёл заседание"
    assert "Минске" in item.text
    assert item.http_status == 200 and item.etag == '"abc"' and item.last_modified == "Sat, 21 Mar 2026 10:00:00 GMT"
    assert item.extraction.get("title") and item.extraction.get("text")


def test_a_missing_entry_page_is_no_fetch_record(make_spider, caplog):
    spider = make_spider(ExampleSpider)
    gone = HtmlResponse("https://www.example.kz/ru/rss", status=404, body=b"", request=Request("https://www.example.kz/ru/rss"))
    with caplog.at_level("WARNING"):
        assert list(spider.parse_feed(gone)) == []
    assert "update the site module or seeds/entry_points.yml" in caplog.text
    past_end = HtmlResponse("https://www.example.kz/ru/news?page=4", status=404, body=b"",
                            request=Request("https://www.example.kz/ru/news?page=4", meta={"csto_page": 4}))
    assert list(spider.parse_listing(past_end)) == []


def test_a_304_is_not_modified(make_spider):
    spider = make_spider(ExampleSpider)
    url = "https://www.example.kz/ru/a-123"
    request = Request(url, headers={"If-None-Match": '"abc"'})
    (record,) = list(spider.parse_article(HtmlResponse(url, status=304, body=b"", request=request)))
    assert isinstance(record, FetchRecord) and record.outcome == "not_modified" and record.http_status == 304
    feed = HtmlResponse("https://www.example.kz/ru/rss", status=304, body=b"", request=Request("https://www.example.kz/ru/rss"))
    assert list(spider.parse_feed(feed)) == []
