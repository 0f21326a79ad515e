"""Canonical URLs and the mirror URL mapping (``csto_crawler.urls``)."""

from __future__ import annotations

import pytest

from csto_crawler.urls import canonical_url, canonicalize, from_mirror, on_site, to_mirror

ALIASES = {"mirror.akorda.kz": "www.akorda.kz", "akorda.kz": "www.akorda.kz"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.akorda.kz/ru/a-123?utm_source=tg&utm_medium=x", "https://www.akorda.kz/ru/a-123"),
        ("https://baonga.com/a.html?fbclid=IwAR0&gclid=1&yclid=2#comments", "https://baonga.com/a.html"),
        ("https://www.mid.ru/ru/foreign_policy/news/1889699/?clear_cache=Y&lang=en", "https://www.mid.ru/ru/foreign_policy/news/1889699/?lang=en"),
        ("https://khovar.tj/rus/2021/08/x/?_=1690000000&page=2&_openstat=abc", "https://khovar.tj/rus/2021/08/x/?page=2"),
        ("HTTPS://Khovar.TJ:443/ara/2021/08/37240", "https://khovar.tj/ara/2021/08/37240"),
        ("https://khovar.tj/rus/2021/08/одкб/", "https://khovar.tj/rus/2021/08/%D0%BE%D0%B4%D0%BA%D0%B1/"),
    ],
)
def test_canonicalize_drops_trackers_cache_busters_and_fragments(url, expected):
    assert canonicalize(url) == expected


def test_canonicalize_keeps_meaningful_query_parameters():
    # kept, and sorted: one order names one document
    assert canonicalize("https://www.akorda.kz/ru/events?page=2&id=5") == "https://www.akorda.kz/ru/events?id=5&page=2"


@pytest.mark.parametrize(
    "url",
    [
        "https://mirror.akorda.kz/kz/memleket-basshysy-164741",
        "http://akorda.kz/kz/memleket-basshysy-164741?utm_campaign=x",
        "https://www.akorda.kz/kz/memleket-basshysy-164741#top",
    ],
)
def test_host_aliases_name_one_document(url):
    assert canonicalize(url, host_aliases=ALIASES, scheme="https") == "https://www.akorda.kz/kz/memleket-basshysy-164741"


def test_declared_canonical_on_the_same_site_wins():
    got = canonical_url(
        "https://mirror.akorda.kz/ru/a-1?utm_source=x",
        "/ru/glava-gosudarstva-1",
        domains=["akorda.kz"],
        host_aliases=ALIASES,
        scheme="https",
    )
    assert got == "https://www.akorda.kz/ru/glava-gosudarstva-1"


@pytest.mark.parametrize("declared", ["https://vov.vn/the-gioi/x-post1.vov", "javascript:void(0)", "", None])
def test_declared_canonical_elsewhere_is_ignored(declared):
    got = canonical_url("https://baonga.com/x.html?utm_source=fb", declared, domains=["baonga.com"])
    assert got == "https://baonga.com/x.html"


def test_on_site_matches_subdomains_only():
    assert on_site("https://eng.khovar.tj/2021/08/x/", ["khovar.tj"])
    assert not on_site("https://notkhovar.tj/x", ["khovar.tj"])
    assert not on_site("/relative", ["khovar.tj"])


@pytest.mark.parametrize(
    ("url", "mirrored"),
    [
        ("https://www.akorda.kz/ru/events?page=2", "http://127.0.0.1:8800/www.akorda.kz/ru/events?page=2"),
        ("http://baonga.com/robots.txt", "http://127.0.0.1:8800/baonga.com/robots.txt"),
        ("https://eng.khovar.tj", "http://127.0.0.1:8800/eng.khovar.tj/"),
        ("https://khovar.tj/ara/feed/?paged=2&x=%D0%B0", "http://127.0.0.1:8800/khovar.tj/ara/feed/?paged=2&x=%D0%B0"),
    ],
)
def test_mirror_round_trip(url, mirrored):
    assert to_mirror(url, "http://127.0.0.1:8800/") == mirrored
    scheme = url.split(":", 1)[0]
    back = from_mirror(mirrored, "http://127.0.0.1:8800", scheme)
    assert back == (url if url.count("/") > 2 else url + "/")


def test_from_mirror_ignores_other_urls():
    assert from_mirror("https://www.akorda.kz/ru/news", "http://127.0.0.1:8800") is None
    assert from_mirror("http://127.0.0.1:8800/", "http://127.0.0.1:8800") is None
