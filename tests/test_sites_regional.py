"""What the regional news site modules do beyond their fixtures (``test_spiders.py`` covers
those): editions told apart by URL, URL shapes that are or are not articles, canonical hosts,
the search/tag entry points of back-fills, and Kazakhstan's time-zone change."""

from __future__ import annotations

import pytest
from helpers import file_response, load_sidecar, sidecars

from csto_crawler.sites import site_classes
from csto_crawler.urls import canonical_url

SITES = site_classes()


@pytest.mark.parametrize(
    ("slug", "url", "language"),
    [
        ("asiaplus", "https://asiaplustj.info/tj/news/tajikistan/politics/20220218/slug", "tg"),
        ("asiaplus", "https://asiaplustj.info/en/news/tajikistan/security/20220121/slug", "en"),
        ("asiaplus", "https://asiaplustj.info/ru/news/centralasia/20190119/slug", "ru"),
        ("kg24", "https://24.kg/english/313240_Sadyr_Japarov/", "en"),
        ("kg24", "https://24.kg/vlast/313217_sadyir_japarov/", "ru"),
        ("inform_kz", "https://en.inform.kz/news/tokayev-chairs-5e82d0", "en"),
        ("inform_kz", "https://www.inform.kz/kz/astanada-7c41e2", "kk"),
        ("inform_kz", "https://www.inform.kz/ru/tokaev-3f9a1c", "ru"),
        ("belta", "https://eng.belta.by/politics/view/x-145678-2023/", "en"),
        ("belta", "https://blr.belta.by/politics/view/x-131207-2023/", "be"),
        ("belta", "https://belta.by/politics/view/x-572481-2023/", "ru"),
        ("kaktus", "https://kaktus.media/doc/490711_x.html", "ru"),
        ("khovar", "https://khovar.tj/eng/2024/05/slug/", "en"),
        ("khovar", "https://eng.khovar.tj/2016/09/slug", "en"),
        ("inform_kz", "https://www.inform.kz/rss/eng.xml", "en"),
        ("inform_kz", "https://www.inform.kz/rss/kaz.xml", "kk"),
    ],
)
def test_edition_of_a_url(slug, url, language):
    assert SITES[slug]().language_for(url) == language


@pytest.mark.parametrize(
    ("slug", "url", "is_article"),
    [
        ("asiaplus", "https://asiaplustj.info/ru/news/tajikistan/politics/20230622/csto-statement", True),
        ("asiaplus", "https://asiaplustj.info/ru/news/all?page=2", False),
        ("asiaplus", "https://asiaplustj.info/ru/tags/odkb", False),
        ("kaktus", "https://kaktus.media/doc/497523_pashinian.html", True),
        ("kaktus", "https://kaktus.media/?lable=8", False),
        ("kg24", "https://24.kg/vlast/313217_sadyir_japarov/", True),
        ("kg24", "https://24.kg/page_2", False),
        ("kg24", "https://24.kg/tags/%D0%9E%D0%94%D0%9A%D0%91/", False),
        ("inform_kz", "https://www.inform.kz/ru/tokaev-prinyal-uchastie-3f9a1c", True),
        ("inform_kz", "https://www.inform.kz/ru/amp/tokaev-prinyal-uchastie_a4137890/", True),
        ("inform_kz", "https://www.inform.kz/ru/lenta", False),
        ("belta", "https://belta.by/president/view/lukashenko-provel-601812-2023/", True),
        ("belta", "https://belta.by/president/", False),
        # evidence-2026-12.md: shapes the spiders used to reject
        ("inform_kz", "https://en.inform.kz/news/oil-spill-detected-in-caspian-sea-6544df/", True),
        ("inform_kz", "https://www.inform.kz/en/some-story_a3823445/amp", True),
        ("inform_kz", "https://www.inform.kz/kz/some-story_a2471636", True),
        ("belta", "https://belta.by/special/politics/view/x-442024-2021", True),
        ("belta", "https://belta.by/amp/president/view/x-601369-2023", True),
        ("khovar", "https://khovar.tj/eng/2024/05/tajik-delegation/", True),
        ("odkb", "https://en.odkb-csto.org/25years/news/prezident_kazakhstana_vystupil/", True),
        ("odkb", "https://odkb-csto.org/documents/statements/zayavlenie/", True),
        ("vov_vn", "https://vov.vn/the-gioi/cuoc-song-do-day/some-slug-1078194.vov", True),
        ("vov_vn", "https://vov.vn/the-gioi/some-slug-882872.vov", True),
        ("vov_vn", "https://vov.vn/the-gioi/some-slug-post1028412.vov", True),
        ("vov_vn", "https://vov.vn/the-gioi/trang2", False),
    ],
)
def test_article_url_shapes(slug, url, is_article):
    assert SITES[slug]().is_article_url(url) is is_article


def test_canonical_hosts():
    inform = SITES["inform_kz"]
    assert canonical_url("http://inform.kz/ru/tokaev-3f9a1c", None, domains=inform.allowed_domains,
                         host_aliases=inform.host_aliases, scheme=inform.canonical_scheme) == "https://www.inform.kz/ru/tokaev-3f9a1c"
    belta = SITES["belta"]
    assert canonical_url("https://www.belta.by/politics/view/x-1-2023/", None, domains=belta.allowed_domains,
                         host_aliases=belta.host_aliases, scheme=belta.canonical_scheme) == "https://belta.by/politics/view/x-1-2023/"


@pytest.mark.parametrize(
    ("slug", "search_url"),
    [
        ("asiaplus", "https://asiaplustj.info/ru/tags/odkb"),
        ("kg24", "https://24.kg/tags/%D0%9E%D0%94%D0%9A%D0%91/"),
        ("paruskg", "https://paruskg.info/index.php?do=search&subaction=search&story=%D0%9E%D0%94%D0%9A%D0%91"),
        ("tjinform", "https://tjinform.com/ru/search/?key=%D0%9E%D0%94%D0%9A%D0%91&stype=all&page=1"),
    ],
)
def test_backfills_start_from_the_csto_search_or_tag_page(make_spider, slug, search_url):
    spider = make_spider(SITES[slug], since="2022-01-01")
    requests = {r.url: r for r in spider.start_requests_list()}
    assert search_url in requests
    assert requests[search_url].callback == spider.parse_listing


def test_drupal_listings_count_pages_from_zero(make_spider):
    urls = [r.url for r in make_spider(SITES["asiaplus"], lang="tg").start_requests_list()]
    assert urls == ["https://asiaplustj.info/tj/news/all?page=0"]


def test_almaty_dates_follow_the_2024_time_zone_change():
    """Kazakhstan moved from UTC+6 to UTC+5 on 2024-03-01: the IANA zone knows, the fixtures show it."""
    spider = SITES["inform_kz"]()
    offsets = {}
    for path in sidecars("inform_kz", "article"):
        (item,) = list(spider.parse_article(file_response(path)))
        offsets[item.published_at[:10]] = item.published_at[-6:]
        assert item.published_at == load_sidecar(path)["expected"]["published_at"]
    assert offsets["2023-11-23"] == "+06:00"
    assert offsets["2024-03-01"] == "+05:00" and offsets["2024-11-28"] == "+05:00"


def test_read_also_box_inside_a_24kg_body_is_dropped():
    """The irrelevant 24.kg article's body holds a 'read also' link to a CSTO story."""
    path = next(p for p in sidecars("kg24", "article") if load_sidecar(p)["relevant"] is False)
    assert "ОДКБ" in path.with_suffix(".html").read_text(encoding="utf-8")
    (item,) = list(SITES["kg24"]().parse_article(file_response(path)))
    assert "ОДКБ" not in item.text and "Читайте по теме" not in item.text


def test_kaktus_walks_back_month_by_month_with_since(make_spider):
    """evidence-2026-12.md §2.10: one sitemap per month; -a since= walks back to its month."""
    from datetime import date

    spider = make_spider(SITES["kaktus"], since="2026-09-15")
    spider.today = lambda: date(2026, 12, 2)
    urls = [r.url for r in spider.start_requests_list()]
    months = [u.split("&year=")[1] for u in urls if "sitemap.php" in u]
    assert months == ["2026&mount=12", "2026&mount=11", "2026&mount=10", "2026&mount=09"]
    assert not [u for u in urls if "lable=8" in u]  # back-fills use the sitemaps
    recent = make_spider(SITES["kaktus"])
    recent.today = lambda: date(2026, 1, 3)
    urls = [r.url for r in recent.start_requests_list()]
    assert [u.split("&year=")[1] for u in urls if "sitemap.php" in u] == ["2026&mount=01", "2025&mount=12"]
    assert "https://kaktus.media/?lable=8&date=2026-01-02&order=time" in urls


@pytest.mark.parametrize(("slug", "page", "links"), [
    # khovar: the evidenced a.more link is the card, whatever wraps it
    ("khovar", '<div><a class="more" href="/2024/05/a-b/">Матни пурра</a></div>', ["/2024/05/a-b/"]),
    # asiaplus: <div><a href><h3> items, no views-row wrapper
    ("asiaplus", '<div><a href="/tj/news/x/20240101/y"><h3>t</h3></a></div><a href="/tj/news/all?page=1">2</a>',
     ["/tj/news/x/20240101/y"]),
    # kg24: div.one cards without the weakly evidenced div.lineNews ancestor
    ("kg24", '<div id="newslist"><div class="one"><div class="title"><a href="/vlast/1_x/">t</a></div></div></div>',
     ["/vlast/1_x/"]),
])
def test_listing_cards_follow_the_evidence(slug, page, links):
    from scrapy.http import HtmlResponse

    response = HtmlResponse("https://example.org/", body=f"<html><body>{page}</body></html>".encode(), encoding="utf-8")
    assert [link for link, _ in SITES[slug]().listing_entries(response)] == links

