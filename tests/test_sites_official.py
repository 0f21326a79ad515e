"""What is special about the ministries' and the CSTO's spiders (the registry tests in
``test_spiders.py`` cover their ordinary fixtures):

* mid_ru: the JavaScript bot challenge is a ``blocked`` fetch record with a log line saying
  what to do; Bitrix parameters and the ``www.`` host do not make a new document; no entry
  point robots.txt forbids; the article sections of the evidence; the Atom fallback feed;
* mfa_kz: in ``test_sites_mfa_kz.py``;
* mfa_by: the POST date-range form walked one day at a time, the token;
* odkb: one slug on the Russian and the English host is two documents;
* mfa_by, odkb: the generic layers still drop the furniture when the guessed class names miss;
* mfa_tj: list dates are siblings of the links; certificate verification stays off for it only.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from helpers import FIXTURES, body_path, file_response, load_sidecar, sidecars
from scrapy import Request
from scrapy.http import HtmlResponse

from csto_crawler.items import FetchRecord
from csto_crawler.spiders.mfa_by import MfaBySpider
from csto_crawler.spiders.mfa_tj import MfaTjSpider
from csto_crawler.spiders.mid_ru import MidRuSpider, strip_bitrix_params
from csto_crawler.spiders.odkb import OdkbSpider

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_spider(make_spider):
    """``make_spider`` that never consults an archive (the user's ``archive/`` may hold these
    sites' URLs, which would make the refresh policy skip them)."""

    def make(cls, settings: dict | None = None, **kwargs):
        return make_spider(cls, settings={"CSTO_INCREMENTAL": False, **(settings or {})}, **kwargs)

    return make


def fixture(slug: str, name: str) -> Path:
    return FIXTURES / slug / f"{name}.json"


def html_response(url: str, body: str, status: int = 200) -> HtmlResponse:
    return HtmlResponse(url, status=status, body=body.encode("utf-8"), encoding="utf-8", request=Request(url))


def page_text(slug: str, name: str) -> str:
    """The page's text, decoded with its own charset (mfa_by pages are windows-1251)."""
    return file_response(fixture(slug, name)).text


# --- mid_ru ---------------------------------------------------------------------------------
def test_mid_ru_challenge_is_recorded_blocked_with_advice(fresh_spider, caplog):
    spider = fresh_spider(MidRuSpider)
    path = sidecars("mid_ru", "challenge")[0]
    with caplog.at_level(logging.WARNING, logger="mid_ru"):
        (record,) = list(spider.parse_article(file_response(path)))
    assert isinstance(record, FetchRecord)
    assert record.outcome == "blocked" and record.url == load_sidecar(path)["url"]
    assert spider.crawler.stats.get_value("csto/pages/blocked") == 1
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "bot challenge" in line and "Crawl again later" in line and "another network" in line


def test_mid_ru_canonical_drops_bitrix_parameters_and_www():
    spider = MidRuSpider()
    body = re.sub(r'<link rel="canonical"[^>]*>', "", page_text("mid_ru", "ru_article_2023-06-20"))
    url = "https://www.mid.ru/ru/foreign_policy/news/1889699/?clear_cache=Y&lang=en"
    (item,) = list(spider.parse_article(html_response(url, body)))
    assert item.url == url  # as requested
    assert item.canonical_url == "https://mid.ru/ru/foreign_policy/news/1889699/"
    assert item.language == "ru"
    assert strip_bitrix_params("https://mid.ru/ru/search/?q=x&lang=en&print=Y") == "https://mid.ru/ru/search/?q=x"


def test_mid_ru_listing_dates_and_editions():
    spider = MidRuSpider()
    entries = spider.listing_entries(file_response(fixture("mid_ru", "ru_listing_news")))
    assert entries[1] == ("/ru/foreign_policy/news/1912030/", date(2023, 11, 23))
    assert spider.listing_date("20 June 2023") == date(2023, 6, 20)
    assert [spider.language_for(f"https://mid.ru/{x}/foreign_policy/news/1/") for x in spider.languages] == list(spider.languages)
    assert not spider.is_article_url("https://mid.ru/ru/foreign_policy/news/")
    assert spider.is_article_url("https://mid.ru/ru/foreign_policy/news/1889699/?lang=en")


@pytest.mark.parametrize(("path", "is_article"), [
    ("/ru/press_service/spokesman/briefings/1912101/", True),
    ("/ru/press_service/minister_speeches/1987654/", True),
    ("/en/foreign_policy/news/2045123/", True),
    ("/ru/foreign_policy/news/", False),
    ("/ru/press_service/spokesman/briefings/", False),
    ("/ru/foreign_policy/news/12/", False),
])
def test_mid_ru_article_sections_of_the_evidence(path, is_article):
    """evidence-2026-12.md §2.4: briefings and speeches live outside foreign_policy/news."""
    assert MidRuSpider().is_article_url("https://mid.ru" + path) is is_article


def test_mid_ru_has_no_entry_point_robots_forbids(fresh_spider):
    """robots.txt forbids ?PAGEN_ paging and search (evidence §2.4): no such request is made."""
    spider = fresh_spider(MidRuSpider)
    urls = [r.url for r in spider.start_requests_list()]
    assert "https://mid.ru/ru/foreign_policy/news/" in urls
    assert not [u for u in urls if "PAGEN" in u or "/search/" in u]
    listing = file_response(fixture("mid_ru", "ru_listing_news"))
    assert [r for r in spider.parse_listing(listing) if isinstance(r, Request) and r.callback != spider.parse_article] == []


def test_mid_ru_stub_instead_of_the_feed_tries_the_atom_fallback(fresh_spider):
    spider = fresh_spider(MidRuSpider)
    feed = next(r for r in spider.start_requests_list() if r.url == "https://mid.ru/ru/rss.php")
    stub = HtmlResponse(feed.url, body=body_path(fixture("mid_ru", "ru_challenge_bobcmn")).read_bytes(), request=feed)
    record, fallback = list(spider.parse_feed(stub))
    assert isinstance(record, FetchRecord) and record.outcome == "blocked"
    assert fallback.url == "https://www.mid.ru/ru/rss" and fallback.meta["csto_fallback"]
    stub_again = HtmlResponse(fallback.url, body=stub.body, request=fallback)
    assert [type(o) for o in spider.parse_feed(stub_again)] == [FetchRecord]  # once only


# --- odkb ---------------------------------------------------------------------------------------
def test_odkb_same_slug_on_two_hosts_is_two_documents():
    spider = OdkbSpider()
    slug = "/news/news_odkb/generalnyy-sekretar-odkb-provel-vstrechu-s-rukovoditelyami-vedushchikh-rossiyskikh-smi/"
    (ru,) = list(spider.parse_article(file_response(fixture("odkb", "ru_article_2024-10-24"))))
    (en,) = list(spider.parse_article(file_response(fixture("odkb", "en_article_2024-10-24"))))
    assert ru.canonical_url == "https://odkb-csto.org" + slug and en.canonical_url == "https://en.odkb-csto.org" + slug
    assert (ru.language, en.language) == ("ru", "en")
    assert ru.text != en.text and ru.published_at == en.published_at == "2024-10-24T00:00:00+03:00"
    assert spider.language_for("https://www.en.odkb-csto.org" + slug) == "en"
    assert spider.language_for("https://www.odkb-csto.org" + slug) == "ru"


def test_odkb_same_slug_two_documents_in_the_archive(tmp_path):
    from pipelines.archive import Archive

    spider = OdkbSpider()
    archive = Archive(tmp_path / "archive.db")
    try:
        outcomes = []
        for name in ("ru_article_2024-10-24", "en_article_2024-10-24"):
            (item,) = list(spider.parse_article(file_response(fixture("odkb", name))))
            outcomes.append(archive.store_article(dataclasses.asdict(item)).outcome)
    finally:
        archive.close()
    assert outcomes == ["new", "new"]
    with sqlite3.connect(tmp_path / "archive.db") as con:
        rows = sorted(con.execute("SELECT url, language FROM documents"))
    assert [lang for _, lang in rows] == ["en", "ru"] and rows[0][0] != rows[1][0]


# --- generic fallback when the guessed markup misses --------------------------------------------
@pytest.mark.parametrize(
    ("cls", "slug", "name", "furniture"),
    [
        (MfaBySpider, "mfa_by", "ru_article_2021-05-19", ("Размер шрифта", "Русский", "Источник", "Другие новости")),
        (MfaBySpider, "mfa_by", "en_article_2021-09-15", ("Font size", "English", "Source:", "Other news")),
        (OdkbSpider, "odkb", "en_article_2024-10-24", ("Go back", "Back to the section", "Back to the all news")),
        (OdkbSpider, "odkb", "ru_article_2024-10-24", ("Назад", "Вернуться в раздел", "Вернуться ко всем новостям")),
    ],
)
def test_guessed_markup_missing_still_drops_the_furniture(cls, slug, name, furniture):
    data = load_sidecar(fixture(slug, name))
    stripped = re.sub(r' class="[^"]*"', "", page_text(slug, name))  # no class name of ours matches
    (item,) = list(cls().parse_article(html_response(data["url"], stripped)))
    assert item.extraction["text"] == "generic"
    assert item.title == data["expected"]["title"]
    assert item.published_at == data["expected"]["published_at"]
    assert item.text == data["expected"]["text"]
    for text in furniture:
        assert text in stripped and text not in item.text


# --- mfa_tj -------------------------------------------------------------------------------------
def test_mfa_tj_list_dates_are_the_links_siblings(fresh_spider):
    spider = fresh_spider(MfaTjSpider)
    entries = spider.listing_entries(file_response(fixture("mfa_tj", "tg_listing_page1")))
    assert [d for _, d in entries] == [date(2024, 12, 5), date(2024, 11, 27)]
    backfill = fresh_spider(MfaTjSpider, since="2024-12-01")
    out = [r.url for r in backfill.parse_listing(file_response(fixture("mfa_tj", "tg_listing_page1")))]
    assert out == ["https://mfa.tj/tg/main/view/13870/muloqot-bo-safiri-jumhurii-federolii-olmon",
                   "https://mfa.tj/tg/main/ittiloot/khabarho-va-ruidodho?page=2"]
    later = fresh_spider(MfaTjSpider, since="2024-12-06")
    assert list(later.parse_listing(file_response(fixture("mfa_tj", "tg_listing_page1")))) == []  # all older: stop


def test_mfa_tj_keeps_certificate_verification_off_for_itself_only(fresh_spider):
    assert MfaTjSpider.custom_settings["DOWNLOAD_VERIFY_CERTIFICATES"] is False
    hardened = fresh_spider(MfaTjSpider, settings={"DOWNLOAD_VERIFY_CERTIFICATES": True})
    assert hardened.crawler.settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES") is False
    other = fresh_spider(OdkbSpider, settings={"DOWNLOAD_VERIFY_CERTIFICATES": True})
    assert other.crawler.settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES") is True


# --- mfa_by: the date-range form ----------------------------------------------------------------
def test_mfa_by_walks_the_form_one_day_at_a_time(fresh_spider):
    """evidence-2026-12.md §2.5: POST page, ggtoken, date_from = date_to = DD.MM.YYYY; a full
    page (10 items) asks for the next page of the same day, else the day before."""
    from urllib.parse import parse_qs

    spider = fresh_spider(MfaBySpider, since="2026-11-29")
    spider.today = lambda: date(2026, 12, 1)
    section = file_response(fixture("mfa_by", "ru_listing_page1"))
    (article, post) = list(spider.parse_listing(section))
    assert article.url.endswith("7b0e5c2d9f8a1e34.html")
    form = parse_qs(post.body.decode())
    assert post.method == "POST" and form == {"page": ["1"], "ggtoken": ["5f1c0a9e7d3b"],
                                              "date_from": ["01.12.2026"], "date_to": ["01.12.2026"]}
    links = "".join(f'<div class="tabs__item"><a href="/press/news_mfa/{n:016x}.html">x</a></div>' for n in range(10))
    page = section.text.replace('<div class="tabs">', '<div class="tabs">' + links)
    full = HtmlResponse(post.url, body=page.encode("utf-8"), encoding="utf-8", request=post)
    following = [r for r in spider.parse_listing(full) if r.callback != spider.parse_article]
    assert parse_qs(following[0].body.decode())["page"] == ["2"]
    short = HtmlResponse(post.url, body=section.text.encode("utf-8"), encoding="utf-8", request=following[0])
    (earlier,) = [r for r in spider.parse_listing(short) if r.callback != spider.parse_article]
    assert parse_qs(earlier.body.decode())["date_from"] == ["30.11.2026"]
    last = HtmlResponse(post.url, body=section.text.encode("utf-8"), encoding="utf-8",
                        request=earlier.replace(meta=dict(earlier.meta, csto_day="2026-11-29")))
    assert [r for r in spider.parse_listing(last) if r.callback != spider.parse_article] == []  # since reached


def test_mfa_by_reads_a_token_printed_in_a_script():
    page = '<html><body><script>var form = {"ggtoken": "a1b2c3d4"};</script></body></html>'
    assert MfaBySpider.form_token(html_response("https://mfa.gov.by/press/news_mfa/", page)) == "a1b2c3d4"
