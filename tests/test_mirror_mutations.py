"""The offline mirror's mutations, faults, request log and admin API (real loopback sockets)."""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from csto_crawler.mirror import MirrorServer
from csto_crawler.mirror.furniture import change_furniture, furniture_spans

DATA = Path(__file__).parent / "mirror_data"
ARTICLE = "https://sample.example/ru/news/odkb-sovet-minsk-1001"
OTHER = "https://sample.example/ru/news/pogoda-1002"
CP1251 = "https://cp1251.example/u_sosedey/203817-minskoe-priglashenie.html"
NEW = "https://sample.example/ru/news/novaya-vstrecha-2001"


def fetch(mirror: MirrorServer, url_or_path: str, headers: dict | None = None):
    path = "/" + url_or_path.split("://", 1)[1] if "://" in url_or_path else url_or_path
    conn = http.client.HTTPConnection(mirror.host, mirror.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def article_body(html: str) -> str:
    return re.search(r'<div class="article-text">.*?</div>', html, re.S).group(0)


@pytest.fixture
def mirror():
    with MirrorServer(DATA) as server:
        yield server


# -- edit ----------------------------------------------------------------------------------------
def test_edit_article_changes_text_and_validators(mirror):
    _, before, _ = fetch(mirror, ARTICLE)
    mirror.edit_article(ARTICLE, "ряд решений", "пакет из двенадцати решений")
    status, after, body = fetch(mirror, ARTICLE)
    assert status == 200 and "пакет из двенадцати решений" in body.decode()
    assert after["etag"] != before["etag"]
    assert parsedate_to_datetime(after["last-modified"]) > parsedate_to_datetime(before["last-modified"])
    # the old validators no longer match
    assert fetch(mirror, ARTICLE, {"If-None-Match": before["etag"]})[0] == 200
    assert fetch(mirror, ARTICLE, {"If-Modified-Since": before["last-modified"]})[0] == 200
    assert fetch(mirror, ARTICLE, {"If-None-Match": after["etag"]})[0] == 304
    with pytest.raises(ValueError):
        mirror.edit_article(ARTICLE, "text that is not there", "x")
    with pytest.raises(KeyError):
        mirror.edit_article("https://sample.example/nowhere", "a", "b")


def test_edit_keeps_a_windows_1251_page_in_windows_1251(mirror):
    mirror.edit_article(CP1251, "напряжённой", "сложной")
    _, headers, body = fetch(mirror, CP1251)
    assert headers["content-type"].endswith("charset=windows-1251")
    assert "остаётся сложной" in body.decode("windows-1251")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


# -- furniture -----------------------------------------------------------------------------------
def test_change_furniture_changes_marked_regions_only(mirror):
    original = mirror.tree.page(ARTICLE).text()
    _, before, _ = fetch(mirror, ARTICLE)
    mirror.change_furniture(ARTICLE)
    _, after, raw = fetch(mirror, ARTICLE)
    changed = raw.decode()
    assert after["etag"] != before["etag"]
    assert article_body(changed) == article_body(original)
    outside = re.sub(r"<!--volatile-->.*?<!--/volatile-->", "", changed, flags=re.S)
    assert outside == re.sub(r"<!--volatile-->.*?<!--/volatile-->", "", original, flags=re.S)
    assert "Воскресенье, 25 ноября 2024" in changed  # crawl-day header date moved on
    assert "Комментариев: 4" in changed
    # the related list is reordered, its links are the same
    assert re.findall(r'href="([^"]+)"', changed) != re.findall(r'href="([^"]+)"', original)
    assert sorted(re.findall(r'href="([^"]+)"', changed)) == sorted(re.findall(r'href="([^"]+)"', original))


def test_change_furniture_without_markers_uses_counter_and_related_classes(mirror):
    original = mirror.tree.page(OTHER).text()
    mirror.change_furniture(OTHER)
    changed = mirror.tree.page(OTHER).text()
    assert article_body(changed) == article_body(original)
    assert "Просмотров: 1221" in changed
    assert changed.index("marafon-1005") < changed.index("vystavka-1004")  # related list rotated


def test_change_furniture_never_touches_a_body_or_a_page_without_furniture(mirror):
    body = "<p>" + "Длинный абзац статьи про ОДКБ, 2023 год, 15 участников. " * 10 + "</p>"
    page = f'<html><body><div class="comments-count">3</div><div class="post-views-body">{body}</div></body></html>'
    spans = furniture_spans(page)
    assert len(spans) == 1 and page[spans[0][0]:spans[0][1]] == "3"
    assert body in change_furniture(page)
    with pytest.raises(ValueError):
        change_furniture(f'<html><body class="single view-post"><article>{body}</article></body></html>')
    with pytest.raises(ValueError):
        mirror.change_furniture("https://sample.example/ru/news?page=2")


def test_furniture_dates_stay_valid_dates():
    page = ('<span class="views"><!--x-->28.02.2023 23:58 · 2024-12-31 · 31 декабря 2024 · 0 · '
            '&#8211; 99</span>')
    changed = change_furniture(page)
    assert "01.03.2023 00:05" in changed and "2025-01-01" in changed
    assert "&#8211;" in changed and "116" in changed and "2024" in changed


# -- remove --------------------------------------------------------------------------------------
def test_remove_serves_410_or_404(mirror):
    mirror.remove(ARTICLE)
    assert fetch(mirror, ARTICLE)[0] == 410
    mirror.remove(OTHER, status=404)
    assert fetch(mirror, OTHER)[0] == 404
    with pytest.raises(ValueError):
        mirror.remove(CP1251, status=500)
    # still linked from the feed: a crawler finds out by fetching it
    assert ARTICLE.encode() in fetch(mirror, "https://sample.example/ru/rss")[2]


# -- add -----------------------------------------------------------------------------------------
def test_add_article_renders_in_the_site_template_and_links_it(mirror):
    written = mirror.add_article(
        "sample.example", NEW, "Генсек ОДКБ провёл встречу с журналистами",
        "<p>Генеральный секретарь ОДКБ ответил на вопросы журналистов.</p><p>Второй абзац.</p>",
        "2026-11-20T07:00:00+00:00", "ru")
    assert written == {"article": NEW, "feed": "https://sample.example/ru/rss",
                       "listing": "https://sample.example/ru/news?page=1",
                       "sitemap": "https://sample.example/sitemap.xml"}
    status, headers, raw = fetch(mirror, NEW)
    page = raw.decode()
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1 class=\"title\">Генсек ОДКБ провёл встречу с журналистами</h1>" in page
    assert "<p>Генеральный секретарь ОДКБ ответил на вопросы журналистов.</p>" in page
    assert "Сессия Совета коллективной безопасности" not in page  # the template's body is gone
    assert f'<link rel="canonical" href="{NEW}">' in page
    assert "20.11.2026 10:00" in page and 'datetime="2026-11-20T10:00:00+03:00"' in page
    assert "<!--volatile-->" in page  # the template's furniture comes along

    feed = fetch(mirror, "https://sample.example/ru/rss")[2].decode()
    items = re.findall(r"<item>.*?</item>", feed, re.S)
    assert len(items) == 3 and f"<link>{NEW}</link>" in items[0]
    assert "<pubDate>Fri, 20 Nov 2026 10:00:00 +0300</pubDate>" in items[0]
    listing = fetch(mirror, "https://sample.example/ru/news?page=1")[2].decode()
    cards = re.findall(r'<div class="card">.*?</div>', listing, re.S)
    assert len(cards) == 3
    assert 'href="/ru/news/novaya-vstrecha-2001"' in cards[0] and "20 ноября 2026 года" in cards[0]
    sitemap = fetch(mirror, "https://sample.example/sitemap.xml")[2].decode()
    assert sitemap.index(NEW) < sitemap.index(ARTICLE)
    assert b"novaya-vstrecha" not in fetch(mirror, "https://sample.example/ru/news?page=2")[2]


def test_add_article_errors(mirror):
    args = ("t", "<p>b</p>", "2026-11-20T10:00:00+03:00", "ru")
    with pytest.raises(ValueError):
        mirror.add_article("sample.example", ARTICLE, *args)  # already there
    with pytest.raises(ValueError):
        mirror.add_article("other.example", NEW, *args)  # not on that host
    with pytest.raises(ValueError):
        # cp1251.example has an article template but no feed, listing or sitemap
        mirror.add_article("cp1251.example", "https://cp1251.example/new-1.html", *args)
    assert fetch(mirror, "https://cp1251.example/new-1.html")[0] == 404


def test_reset_goes_back_to_the_fixtures(mirror):
    original = fetch(mirror, ARTICLE)
    mirror.edit_article(ARTICLE, "Минске", "Гродно")
    mirror.remove(OTHER)
    mirror.add_article("sample.example", NEW, "t", "<p>b</p>", "2026-11-20", "ru")
    mirror.fault(CP1251, "500_then_ok", times=5)
    mirror.reset()
    assert fetch(mirror, ARTICLE)[2] == original[2]
    assert fetch(mirror, ARTICLE)[1]["etag"] == original[1]["etag"]
    assert fetch(mirror, OTHER)[0] == 200
    assert fetch(mirror, NEW)[0] == 404
    assert fetch(mirror, CP1251)[0] == 200


# -- faults --------------------------------------------------------------------------------------
def test_fault_500_then_ok(mirror):
    mirror.fault(ARTICLE, "500_then_ok", times=2)
    assert [fetch(mirror, ARTICLE)[0] for _ in range(3)] == [500, 500, 200]


def test_fault_slow(mirror):
    mirror.fault(ARTICLE, "slow", delay=0.4)
    started = time.monotonic()
    assert fetch(mirror, ARTICLE)[0] == 200
    assert time.monotonic() - started >= 0.4
    mirror.clear_faults()
    started = time.monotonic()
    fetch(mirror, ARTICLE)
    assert time.monotonic() - started < 0.4


def test_fault_truncate(mirror):
    mirror.fault(ARTICLE, "truncate", times=1)
    with pytest.raises(http.client.IncompleteRead) as caught:
        fetch(mirror, ARTICLE)
    assert 0 < len(caught.value.partial) < len(mirror.tree.page(ARTICLE).body)
    assert fetch(mirror, ARTICLE)[0] == 200


def test_fault_challenge_serves_a_built_in_stub_or_the_page_named(mirror, tmp_path):
    mirror.fault(ARTICLE, "challenge")
    status, headers, body = fetch(mirror, ARTICLE)
    assert status == 200 and b"Data processing... Please, wait." in body
    # a conditional request does not get a 304 for the challenge
    assert fetch(mirror, ARTICLE, {"If-None-Match": headers["etag"]})[0] == 200
    mirror.clear_faults()
    assert b"Data processing" not in fetch(mirror, ARTICLE)[2]

    site = tmp_path / "s"
    site.mkdir()
    (site / "challenge.html").write_text("<html><body>Site's own challenge</body></html>")
    (site / "challenge.json").write_text(json.dumps({"url": "https://s.example/challenge", "kind": "challenge"}))
    (site / "a.html").write_text("<p>a</p>")
    (site / "a.json").write_text(json.dumps({"url": "https://s.example/a", "kind": "article"}))
    with MirrorServer(tmp_path) as other:
        other.fault("https://s.example/a", "challenge")
        assert b"Data processing... Please, wait." in fetch(other, "https://s.example/a")[2]
        other.fault("https://s.example/a", "challenge", page="https://s.example/challenge")
        status, _, body = fetch(other, "https://s.example/a")
        assert (status, body) == (200, b"<html><body>Site's own challenge</body></html>")
        with pytest.raises(KeyError):
            other.fault("https://s.example/a", "challenge", page="https://s.example/none")
        with pytest.raises(ValueError):
            other.fault("https://s.example/a", "slow", page="https://s.example/challenge")


def test_fault_reset_aborts_the_connection(mirror):
    mirror.fault(ARTICLE, "reset", times=1)
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        fetch(mirror, ARTICLE)
    assert fetch(mirror, ARTICLE)[0] == 200


def test_unknown_fault_kind(mirror):
    with pytest.raises(ValueError):
        mirror.fault(ARTICLE, "explode")


# -- request log ---------------------------------------------------------------------------------
def test_request_log(mirror):
    mirror.clear_requests()
    _, headers, _ = fetch(mirror, ARTICLE)
    fetch(mirror, ARTICLE, {"If-None-Match": headers["etag"], "Accept-Encoding": "gzip"})
    fetch(mirror, "/sample.example/nowhere")
    mirror.fault(OTHER, "500_then_ok")
    fetch(mirror, OTHER)
    urllib.request.urlopen(f"{mirror.base_url}/_mirror/pages", timeout=10).read()  # not logged
    log = mirror.requests()
    assert [(r.status, r.conditional, r.fault) for r in log] == [
        (200, False, None), (304, True, None), (404, False, None), (500, False, "500_then_ok")]
    assert log[0].url == ARTICLE and log[0].path == "/sample.example/ru/news/odkb-sovet-minsk-1001"
    assert log[0].bytes == len(mirror.tree.page(ARTICLE).body) and log[1].bytes == 0


def test_request_log_keeps_the_order_requests_arrived_in(mirror, monkeypatch):
    """Each answer is logged by its own handler thread once it is sent; the client may read it
    and send the next request before that thread gets to log: the log is still in the order the
    requests came (a loaded CI machine once saw the 304 listed before the 200 it revalidated)."""
    from csto_crawler.mirror.handler import MirrorHandler

    log_now = MirrorHandler._log

    def log_late(self, url, status, *args):
        if status == 200:
            time.sleep(0.5)  # the 200's thread is held up after it answered
        log_now(self, url, status, *args)

    monkeypatch.setattr(MirrorHandler, "_log", log_late)
    mirror.clear_requests()
    _, headers, _ = fetch(mirror, ARTICLE)
    fetch(mirror, ARTICLE, {"If-None-Match": headers["etag"]})
    assert [r.status for r in mirror.requests()] == [200, 304]


# -- admin API -----------------------------------------------------------------------------------
def admin(mirror: MirrorServer, operation: str, payload: dict | None = None):
    url = f"{mirror.base_url}/_mirror/{operation}"
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_admin_api_does_what_the_python_api_does(mirror):
    status, pages = admin(mirror, "pages")
    assert status == 200 and ARTICLE in {p["url"] for p in pages["result"]}
    status, result = admin(mirror, "edit_article", {"url": ARTICLE, "find": "Минске", "replace": "Астане"})
    assert status == 200 and result["result"]["url"] == ARTICLE
    assert "Астане" in fetch(mirror, ARTICLE)[2].decode()
    assert admin(mirror, "change_furniture", {"url": OTHER})[0] == 200
    assert admin(mirror, "remove", {"url": OTHER, "status": 404})[0] == 200
    assert fetch(mirror, OTHER)[0] == 404
    status, result = admin(mirror, "add_article", {
        "site_host": "sample.example", "url": NEW, "title": "Новая", "body_html": "<p>Текст.</p>",
        "date": "2026-11-20T10:00:00+03:00", "lang": "ru"})
    assert status == 200 and result["result"]["feed"] == "https://sample.example/ru/rss"
    assert admin(mirror, "fault", {"url": CP1251, "kind": "500_then_ok", "times": 1})[0] == 200
    assert admin(mirror, "faults")[1]["result"]
    assert fetch(mirror, CP1251)[0] == 500
    status, log = admin(mirror, "requests")
    assert log["result"][-1]["status"] == 500 and log["result"][-1]["fault"] == "500_then_ok"
    assert admin(mirror, "clear_faults", {})[0] == 200
    assert admin(mirror, "reset", {})[0] == 200
    assert fetch(mirror, OTHER)[0] == 200
    assert admin(mirror, "clear_requests", {})[0] == 200
    assert admin(mirror, "requests")[1]["result"] == []


def test_admin_api_errors(mirror):
    assert admin(mirror, "explode", {})[0] == 404
    assert admin(mirror, "nothing")[0] == 404
    assert admin(mirror, "edit_article", {"url": ARTICLE})[0] == 400  # missing arguments
    assert admin(mirror, "edit_article", {"url": ARTICLE, "find": "absent", "replace": "x"})[0] == 400
    assert admin(mirror, "remove", {"url": "https://sample.example/nowhere"})[0] == 400
    assert admin(mirror, "fault", {"url": ARTICLE, "kind": "explode"})[0] == 400
    request = urllib.request.Request(f"{mirror.base_url}/_mirror/reset", data=b"[1, 2]", method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
