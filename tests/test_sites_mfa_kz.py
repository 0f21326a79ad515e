"""mfa_kz, the Kazakh MFA through gov.kz's JSON API: items straight from the API, their text
cleaned, Kazakhstan's time zone change, the cookie ticket POSTed first and a 400 renewing it
once (evidence-2026-12.md §2.7), the fallback endpoint, ``-a urls=`` of a details page, the
refresh policy, and an end-to-end crawl on the loopback mirror."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES, body_path, file_response, load_sidecar, sidecars
from scrapy import Request
from scrapy.http import TextResponse

from csto_crawler.fixtures import expected_of
from csto_crawler.items import ArticleItem, FetchRecord
from csto_crawler.spiders.mfa_kz import MfaKzSpider, almaty_time

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_spider(make_spider):
    """``make_spider`` that never consults an archive."""

    def make(cls, settings: dict | None = None, **kwargs):
        return make_spider(cls, settings={"CSTO_INCREMENTAL": False, **(settings or {})}, **kwargs)

    return make


def fixture(slug: str, name: str) -> Path:
    return FIXTURES / slug / f"{name}.json"


# --- mfa_kz -----------------------------------------------------------------------------------
_RECORD_URL = re.compile(r"/content-manager/news/\d+")


def _api_callback(spider, url):
    return spider.parse_record if _RECORD_URL.search(url) else spider.parse_listing


@pytest.mark.parametrize("sidecar", sidecars("mfa_kz", "api"), ids=lambda p: p.stem)
def test_mfa_kz_api_fixture_yields_expected_items(sidecar):
    data = load_sidecar(sidecar)
    assert "reconstructed" in data["origin"] or "recorded" in data["origin"]
    spider = MfaKzSpider()
    out = list(_api_callback(spider, data["url"])(file_response(sidecar)))
    items = [o for o in out if isinstance(o, ArticleItem)]
    requests = [o.url for o in out if isinstance(o, Request)]
    expected = data["expected"]
    assert [expected_of(i) for i in items] == expected["items"]
    assert requests == ([expected["next"]] if expected["next"] else [])
    assert len(data["relevant"]) == len(items), "one relevance flag per item"
    for item in items:
        assert item.title and item.text and item.published_at
        assert item.language == spider.language_for(data["url"])
        assert re.fullmatch(r"https://www\.gov\.kz/memleket/entities/mfa/press/news/details/\d+\?lang=(ru|en|kk)", item.url)
        assert item.canonical_url == item.url
        assert "<" not in item.text and "\xa0" not in item.text  # HTML body turned into clean text


def test_mfa_kz_items_use_the_almaty_zone_of_their_day():
    items = {i.url.split("/")[-1]: i for i in MfaKzSpider().parse_listing(file_response(fixture("mfa_kz", "ru_api_news_page1")))
             if isinstance(i, ArticleItem)}
    assert items["881234?lang=ru"].published_at == "2024-11-27T14:40:12+05:00"  # after 2024-03-01: UTC+5
    assert items["862001?lang=ru"].published_at == "2024-02-28T12:15:00+06:00"  # before: UTC+6
    assert items["835567?lang=ru"].published_at == "2023-11-23T17:30:00+06:00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-29T17:59:00.000+00:00", "2024-02-29T23:59:00+06:00"),  # the last minute of UTC+6
        ("2024-02-29T18:00:00.000+00:00", "2024-02-29T23:00:00+05:00"),  # clocks went back an hour
        ("2024-03-01T18:30:00Z", "2024-03-01T23:30:00+05:00"),
        ("2024-05-14T10:21:33.123+0600", "2024-05-14T09:21:33+05:00"),
        ("2023-01-10T09:00:00", "2023-01-10T09:00:00+06:00"),  # no offset: Almaty wall time
        ("not a date", None),
        ("", None),
    ],
)
def test_almaty_time(value, expected):
    assert almaty_time(value) == expected


def _after_ticket(spider, ticket, status=200):
    """The request a ticket POST answer (``status``) lets through."""
    answer = TextResponse(ticket.url, status=status, body=b"{}", request=ticket)
    (following,) = list(spider.parse_ticket(answer))
    return following


def test_mfa_kz_posts_the_cookie_ticket_before_the_list(fresh_spider):
    """evidence-2026-12.md §2.7: POST /api/v1/public/_/c/k6 (JSON, Origin, Referer) first."""
    spider = fresh_spider(MfaKzSpider)
    tickets = spider.start_requests_list()
    assert {r.url for r in tickets} == {"https://www.gov.kz/api/v1/public/_/c/k6"} and len(tickets) == 3
    for ticket in tickets:
        assert ticket.method == "POST" and ticket.dont_filter
        assert ticket.headers["Content-Type"] == b"application/json"
        assert ticket.headers["Origin"] == b"https://www.gov.kz"
        assert b"/memleket/entities/mfa/press/news?lang=" in ticket.headers["Referer"]
    # a failed ticket does not stop the list request
    assert _after_ticket(spider, tickets[0], status=404).url.startswith("https://www.gov.kz/api/v1/public/content-manager/news?")


def test_mfa_kz_400_renews_the_ticket_once_then_falls_back(fresh_spider):
    spider = fresh_spider(MfaKzSpider, settings={"RETRY_ENABLED": False})
    assert 400 in spider.handle_httpstatus_list
    listing = next(r for r in map(lambda t: _after_ticket(spider, t), spider.start_requests_list())
                   if r.headers["Accept-Language"] == b"ru")
    refused = TextResponse(listing.url, status=400, body=b'{"message":"notAllowed"}', encoding="utf-8", request=listing)
    (renewal,) = list(spider.parse_listing(refused))
    assert renewal.url.endswith("/_/c/k6") and renewal.method == "POST"
    again = _after_ticket(spider, renewal)
    assert again.url == listing.url and again.meta["csto_renewed"] and again.dont_filter
    record, fallback = list(spider.parse_listing(TextResponse(again.url, status=400, body=b'{"message":"notAllowed"}',
                                                              encoding="utf-8", request=again)))
    assert isinstance(record, FetchRecord) and record.outcome == "blocked" and "400" in record.detail
    assert fallback.url == "https://gov.kz/api/v1/public/news?projects=6&lang=ru&limit=20"


def test_mfa_kz_requests_carry_the_edition_language(fresh_spider):
    spider = fresh_spider(MfaKzSpider)
    requests = [_after_ticket(spider, t) for t in spider.start_requests_list()]
    assert {spider.language_for(r.url) for r in requests} == {"ru", "en", "kk"}
    for request in requests:
        assert request.headers["Accept-Language"].decode() == spider.language_for(request.url)
        assert request.callback == spider.parse_listing
    first = next(r for r in requests if r.headers["Accept-Language"] == b"kk")
    response = TextResponse(first.url, body=body_path(fixture("mfa_kz", "kk_api_news_page1")).read_bytes(),
                            headers={"Content-Type": "application/json"}, request=first)
    (item, following) = list(spider.parse_listing(response))
    assert item.language == "kk" and "page=2" in following.url and following.headers["Accept-Language"] == b"kk"


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (403, b'{"message":"Forbidden"}', "blocked"),
        (200, b"<!doctype html><html><body><div id=app></div><script src=/app.js></script></body></html>", "blocked"),
        (502, b"", "error"),
    ],
)
def test_mfa_kz_refused_list_api_is_recorded_and_the_fallback_tried_once(fresh_spider, status, body, outcome):
    spider = fresh_spider(MfaKzSpider, settings={"RETRY_ENABLED": False})
    first = next(r for r in map(lambda t: _after_ticket(spider, t), spider.start_requests_list())
                 if r.headers["Accept-Language"] == b"ru")
    refused = TextResponse(first.url, status=status, body=body, encoding="utf-8", request=first)
    record, fallback = list(spider.parse_listing(refused))
    assert isinstance(record, FetchRecord) and record.outcome == outcome
    assert fallback.url == "https://gov.kz/api/v1/public/news?projects=6&lang=ru&limit=20"
    assert fallback.headers["Accept-Language"] == b"ru" and fallback.meta["csto_fallback"]
    # the fallback refused too: recorded, no third try
    again = TextResponse(fallback.url, status=status, body=body, encoding="utf-8", request=fallback)
    assert [type(o) for o in spider.parse_listing(again)] == [FetchRecord]
    # the fallback answering: items, and no paging of it
    answer = TextResponse(fallback.url, body=body_path(fixture("mfa_kz", "ru_api_legacy_news")).read_bytes(),
                          headers={"Content-Type": "application/json"}, request=fallback)
    out = list(spider.parse_listing(answer))
    assert [type(o) for o in out] == [ArticleItem, ArticleItem]


def test_mfa_kz_past_the_last_page_is_quiet(fresh_spider):
    spider = fresh_spider(MfaKzSpider)
    first = next(r for r in map(lambda t: _after_ticket(spider, t), spider.start_requests_list())
                 if r.headers["Accept-Language"] == b"ru")
    page2 = Request(first.url.replace("page=1", "page=2"), meta=dict(first.meta, csto_page=2))
    assert list(spider.parse_listing(TextResponse(page2.url, status=404, body=b"", request=page2))) == []


def test_mfa_kz_urls_argument_fetches_the_record(fresh_spider):
    details = "https://www.gov.kz/memleket/entities/mfa/press/news/details/881234?lang=ru"
    spider = fresh_spider(MfaKzSpider, urls=details)
    (ticket,) = spider.start_requests_list()
    request = _after_ticket(spider, ticket)
    assert request.url == "https://www.gov.kz/api/v1/public/content-manager/news/881234?lang=ru"
    assert request.callback == spider.parse_record and request.headers["Accept-Language"] == b"ru"
    response = TextResponse(request.url, body=body_path(fixture("mfa_kz", "ru_api_news_item_881234")).read_bytes(),
                            headers={"Content-Type": "application/json"}, request=request)
    (item,) = list(spider.parse_record(response))
    assert item.url == details and item.title.startswith("Министр иностранных дел Казахстана")


def test_mfa_kz_since_skips_older_records(fresh_spider):
    spider = fresh_spider(MfaKzSpider, since="2024-01-01")
    out = list(spider.parse_listing(file_response(fixture("mfa_kz", "ru_api_news_page1"))))
    assert [o.url.split("/")[-1] for o in out if isinstance(o, ArticleItem)] == ["881234?lang=ru", "862001?lang=ru"]
    assert [o.url for o in out if isinstance(o, Request)] == [load_sidecar(fixture("mfa_kz", "ru_api_news_page1"))["expected"]["next"]]
    later = fresh_spider(MfaKzSpider, since="2025-01-01")
    assert list(later.parse_listing(file_response(fixture("mfa_kz", "ru_api_news_page1")))) == []  # all older: stop


@pytest.mark.e2e
def test_mfa_kz_crawls_the_api_on_the_mirror(tmp_path):
    from csto_crawler.mirror import MirrorServer

    out, db = tmp_path / "items.jsonl", tmp_path / "archive.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
    with MirrorServer(FIXTURES) as mirror:
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "mfa_kz", "-O", str(out), "-s", f"CSTO_MIRROR={mirror.base_url}",
             "-s", f"CSTO_ARCHIVE_DB={db}", "-s", "LOG_LEVEL=INFO"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )
    assert proc.returncode == 0, proc.stderr[-4000:]
    pages = [load_sidecar(p) for p in sidecars("mfa_kz", "api") if "content-manager/news?" in load_sidecar(p)["url"]]
    expected = {item["url"]: (item, flag) for page in pages for item, flag in zip(page["expected"]["items"], page["relevant"], strict=True)}
    items = {item["url"]: item for item in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(items) == {url for url, (_, flag) in expected.items() if flag}
    for url, item in items.items():
        for name in ("language", "title", "text", "published_at", "canonical_url"):
            assert item[name] == expected[url][0][name], f"{url}: {name}"
    with sqlite3.connect(db) as con:
        documents = {row[0] for row in con.execute("SELECT url FROM documents")}
        outcomes = dict(con.execute("SELECT url, outcome FROM fetches"))
    assert documents == set(items)
    assert [url for url, (_, flag) in expected.items() if not flag] == [u for u, o in outcomes.items() if o == "irrelevant"]


def test_mfa_kz_known_records_follow_the_refresh_policy(fresh_spider, tmp_path):
    from pipelines.archive import Archive

    db = tmp_path / "archive.db"
    page = fixture("mfa_kz", "ru_api_news_page1")
    first = [o for o in MfaKzSpider().parse_listing(file_response(page)) if isinstance(o, ArticleItem)]
    archive = Archive(db)
    try:
        archive.store_article(dataclasses.asdict(first[0]))  # 881234 archived
        archive.record_fetch(url=first[1].url, site="mfa_kz", outcome="irrelevant")  # 862001 not about the CSTO
    finally:
        archive.close()
    spider = fresh_spider(MfaKzSpider, settings={"CSTO_INCREMENTAL": True, "CSTO_ARCHIVE_DB": str(db)})
    assert spider.recheck_requests() == []  # known records come back through the list API
    again = [o.url for o in spider.parse_listing(file_response(page)) if isinstance(o, ArticleItem)]
    assert again == [first[2].url]  # only the record the archive does not know
    due = fresh_spider(MfaKzSpider, settings={"CSTO_INCREMENTAL": True, "CSTO_ARCHIVE_DB": str(db),
                                              "CSTO_RECHECK_SCHEDULE": "*:0s"})
    assert [o.url for o in due.parse_listing(file_response(page)) if isinstance(o, ArticleItem)] == [first[0].url, first[2].url]
    recheck = _after_ticket(due, due.article_request(first[0].url, kind="recheck", headers={"If-None-Match": '"x"'}))
    assert recheck.callback == due.parse_record and b"If-None-Match" not in recheck.headers
