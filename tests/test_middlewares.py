"""The mirror download handler and add-on, page checks (challenges, error pages), coverage."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import FIXTURES, LoopbackServer, file_response, sidecars
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from csto_crawler.extensions import CoverageReport
from csto_crawler.items import ArticleItem, FetchRecord
from csto_crawler.middlewares import MirrorAddon, MirrorDownloadHandler, check_mirror
from csto_crawler.pagecheck import check, visible_chars

ROOT = Path(__file__).resolve().parent.parent


# --- page checks ---------------------------------------------------------------------------
ARTICLE = ("<html><head><title>Глава государства принял участие</title></head><body><h1>Глава государства</h1>"
           + "<p>" + "Текст статьи. " * 300 + "</p><form><div class='g-recaptcha'></div></form></body></html>").encode()


@pytest.mark.parametrize(
    ("status", "headers", "body", "outcome"),
    [
        (200, {}, b"<html><head><title>Loading</title></head><body>Data processing... Please, wait.<script>bobcmn=1</script></body></html>", "blocked"),
        (503, {}, b"<html><head><title>Just a moment...</title></head><body><script src='/cdn-cgi/challenge-platform/x.js'></script></body></html>", "blocked"),
        (403, {"cf-mitigated": "challenge"}, b"", "blocked"),
        (200, {}, b"<html><body><div class='g-recaptcha'></div>Please complete the security check</body></html>", "blocked"),
        (403, {}, b"<html><body>Forbidden</body></html>", "blocked"),
        (429, {}, b"", "blocked"),
        (200, {}, "<html><head><title>Страница не найдена</title></head><body>…</body></html>".encode(), "error"),
        (200, {}, b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>", "error"),
        (200, {}, "<html><head><title>Khovar</title></head><body><h1>الصفحة غير موجودة</h1></body></html>".encode(), "error"),
        (500, {}, b"<html><body>oops</body></html>", "error"),
        (404, {}, b"", "gone"),
        (410, {}, b"", "gone"),
        (200, {}, ARTICLE, None),
    ],
)
def test_page_check(status, headers, body, outcome):
    problem = check(status, headers, body)
    assert (problem.outcome if problem else None) == outcome


@pytest.mark.parametrize("title", ("404", "404 — Страница не найдена", "Error 404 | Example", "404 error",
                                   "404 Page Not Found", "404. Страница не найдена", "Ошибка 404"))
def test_an_error_title_is_an_error_page(title):
    page = f"<html><head><title>{title}</title></head><body><p>…</p></body></html>"
    assert check(200, {}, page.encode()).outcome == "error"


def test_a_headline_that_starts_with_404_is_an_article():
    """A count at the start of a headline is not an error code."""
    headline = "404 военнослужащих ОДКБ прибыли в Душанбе"
    page = ARTICLE.replace("<title>Глава государства принял участие</title>".encode(),
                           f"<title>{headline}</title>".encode()).replace(
        "<h1>Глава государства</h1>".encode(), f"<h1>{headline}</h1>".encode())
    assert headline.encode() in page
    assert check(200, {}, page) is None


LOGIN_FORM = '<form class="login"><input name="login"><input type="password" name="password"></form>'


def test_an_article_after_64_kb_of_inline_icons_is_not_a_login_stub():
    """A login form in the header makes a weak marker, which counts only on a page with little
    visible text; the text is counted over the whole page, not the 64 KB the markers are looked
    for in (13 % of the dev-real pages have under 1,500 visible characters there)."""
    icons = "<svg>" + '<symbol id="i"><path d="M0 0L10 10 20 0"/></symbol>' * 1800 + "</svg>"
    page = ARTICLE.replace(b"<body>", f"<body><header>{LOGIN_FORM}</header>{icons}".encode())
    assert page.index(b"<p>") > 65536
    assert check(200, {}, page) is None


def test_a_login_page_is_a_login_wall():
    page = f"<html><head><title>Вход</title></head><body><h1>Вход</h1>{LOGIN_FORM}<p>Войдите в личный кабинет.</p></body></html>"
    assert check(200, {}, page.encode()).detail == "HTTP 200, login wall"


def test_visible_chars():
    assert visible_chars("<p>a b</p><script>x y</script><!-- c --><STYLE>d</STYLE ><template>t</template>e") == 3
    assert visible_chars("ab<script>cd") == 2  # an unclosed script hides the rest, as in a browser
    assert 100 <= visible_chars("<p>x</p><script>s</script>" * 5000, 100) < 5000  # stops once it has enough
    assert visible_chars("<ſcript>x</script>a") == 2  # the long s is no "s" in a tag name: "x", "a"
    assert visible_chars("a <b c <i> d") == 5  # "a<bcd": a '<' that opens no tag is text


def test_the_page_check_takes_linear_time_on_unclosed_tags():
    """Thousands of unclosed <title>, <script> and <input> tags: each regex used to rescan
    the rest of the page from every one of them (9,000 titles took 5 s)."""
    article = "<p>" + "The ministers discussed the joint statement on border security. " * 60 + "</p>"
    for page in ("<html><head>" + "<title>" * 20_000 + f"</head><body>{article}</body></html>",
                 f"<html><body>{LOGIN_FORM}" + "<script>" * 20_000 + article,
                 "<html><body>" + "<input type=password " * 20_000 + article):
        started = time.perf_counter()
        check(200, {}, page.encode())
        assert time.perf_counter() - started < 5.0


def test_a_captcha_in_an_articles_comment_form_is_not_a_challenge():
    assert check(200, {}, ARTICLE) is None


# Cloudflare's "JavaScript detections" script, as it injects it before </body> of every page
# of a zone that has them: the two forms seen on real news pages of 2024 (the dev-real set).
CLOUDFLARE_JSD = (
    """<script>(function(){var js = "window['__CF$cv$params']={r:'84d4b4afacd75c68',t:'MTcwNjU2'};"""
    """_cpo=document.createElement('script');_cpo.nonce='',_cpo.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js',"""
    """document.getElementsByTagName('head')[0].appendChild(_cpo);";})();</script>""",
    """<script>(function(){function c(){var b=a.contentDocument||a.contentWindow.document;if(b){var d=b.createElement('script');"""
    """d.innerHTML="window.__CF$cv$params={r:'8e67bd5c5c9f3566',t:'MTczMjI2'};var a=document.createElement('script');"""
    """a.nonce='';a.src='/cdn-cgi/challenge-platform/h/b/scripts/jsd/1a2b3c4d/main.js';"""
    """document.getElementsByTagName('head')[0].appendChild(a);";b.getElementsByTagName('head')[0].appendChild(d)}}})();</script>""",
)


# a DataDome block page as its API serves it (the values made up)
DATADOME_BLOCK = (b"<html><head><title>example.org</title></head><body><script>var dd={'rt':'c','cid':'AHrlqAAA',"
                  b"'hsh':'2211F522B61E269B869FA6EAFFB5E1','t':'fe','host':'geo.captcha-delivery.com'}</script>"
                  b"<script src='https://ct.captcha-delivery.com/c.js'></script></body></html>")


@pytest.mark.parametrize(("status", "headers", "body", "outcome"), [
    # a DataDome site sends X-DataDome: protected with its pages too
    (200, {"x-datadome": "protected"}, ARTICLE, None),
    (200, {"x-datadome": "protected", "x-dd-b": "2"}, ARTICLE, "blocked"),
    (200, {"x-dd-b": "1"}, b"<html><body>One moment</body></html>", "blocked"),
    (200, {"x-datadome": "protected"}, DATADOME_BLOCK, "blocked"),
    (403, {"x-datadome": "protected", "x-dd-b": "2"}, DATADOME_BLOCK, "blocked"),
])
def test_datadome(status, headers, body, outcome):
    problem = check(status, headers, body)
    assert (problem.outcome if problem else None) == outcome


def test_a_protected_by_ddos_guard_badge_is_not_a_challenge():
    badge = b'<footer><a href="https://ddos-guard.net/?affiliate=123">Protected by DDoS-Guard</a></footer>'
    assert check(200, {}, ARTICLE.replace(b"</body>", badge + b"</body>")) is None


@pytest.mark.parametrize("marker", (
    "<title>DDOS-GUARD</title><link href='/.well-known/ddos-guard/ddg-captcha-page/index.css'>",
    "<title>Один момент</title><script src='/.well-known/ddos-guard/js-challenge/index.js'></script>",
    "<title>example.org</title><script src='https://check.ddos-guard.net/check.js'></script>",
))
def test_a_ddos_guard_check_is_known_by_its_own_page(marker):
    problem = check(403, {}, f"<html><head>{marker}</head><body></body></html>".encode())
    assert problem is not None and problem.detail == "HTTP 403, DDoS-Guard check"


@pytest.mark.parametrize("script", CLOUDFLARE_JSD, ids=("cpo", "iframe"))
def test_an_article_of_a_cloudflare_site_is_a_page_not_a_challenge(script):
    """Every page of such a site loads a ``/cdn-cgi/challenge-platform/`` script; only the
    challenge page loads its ``orchestrate`` script. (A page under the 64 KB the check reads
    was archived as "blocked" before.)"""
    page = ARTICLE.replace(b"</body>", script.encode() + b"</body>")
    assert len(page) < 65536 and b"cdn-cgi/challenge-platform/" in page
    assert check(200, {}, page) is None


@pytest.mark.parametrize("marker", (
    "<script src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8e67bd5c5c9f3566'></script>",
    "<script src='/cdn-cgi/challenge-platform/orchestrate/jsch/v1?ray=5f2a'></script>",
    "<script>(function(){window._cf_chl_opt={cvId: '3',cType: 'managed'};})();</script>",
))
def test_a_cloudflare_challenge_is_known_by_its_own_script_whatever_its_title(marker):
    page = f"<html><head><title>Один момент…</title></head><body><h1>example.org</h1>{marker}</body></html>"
    problem = check(403, {}, page.encode())
    assert problem is not None and problem.detail == "HTTP 403, Cloudflare challenge"


@pytest.mark.parametrize("sidecar", sidecars(kind="challenge"), ids=lambda p: p.parent.name + "/" + p.stem)
def test_challenge_fixtures_become_fetch_records(sidecar, make_spider):
    from csto_crawler.sites import spider_classes

    spider = make_spider(spider_classes()[sidecar.parent.name])
    out = list(spider.parse_article(file_response(sidecar)))
    assert len(out) == 1 and isinstance(out[0], FetchRecord)
    assert out[0].outcome == json.loads(sidecar.read_text())["expected"]["outcome"]
    assert out[0].url == json.loads(sidecar.read_text())["url"]


def test_there_is_a_challenge_fixture():
    assert sidecars(kind="challenge"), f"no kind=challenge fixture under {FIXTURES}"


# --- mirror handler and add-on ------------------------------------------------------------
def test_check_mirror():
    assert check_mirror("http://127.0.0.1:8800/") == "http://127.0.0.1:8800"
    for bad in ("127.0.0.1:8800", "ftp://x", "http://x/?a=1"):
        with pytest.raises(ValueError, match="CSTO_MIRROR"):
            check_mirror(bad)


def test_handler_rewrites_request_and_restores_response():
    # The URL mapping alone (the loopback crawl below runs the real handler end to end).
    handler = MirrorDownloadHandler.__new__(MirrorDownloadHandler)
    handler.mirror, handler.stats = "http://127.0.0.1:8800", None
    request = Request("https://www.akorda.kz/ru/events?page=2", meta={"proxy": "http://proxy:3128"})
    mirrored = handler.mirror_request(request)
    assert mirrored.url == "http://127.0.0.1:8800/www.akorda.kz/ru/events?page=2"
    assert "proxy" not in mirrored.meta
    served = HtmlResponse(
        mirrored.url, status=301, headers={"Location": "http://127.0.0.1:8800/www.akorda.kz/ru/events?page=3"}, body=b""
    )
    back = handler.original_response(request, served)
    assert back.url == request.url
    assert back.headers["Location"] == b"https://www.akorda.kz/ru/events?page=3"


def _settings(**values) -> Settings:
    settings = Settings()
    settings.setmodule("csto_crawler.settings", priority="project")
    for key, value in values.items():
        settings.set(key, value, priority="cmdline")
    return settings


def test_addon_installs_handler_and_drops_delays_only_with_a_mirror():
    plain = _settings()
    MirrorAddon().update_settings(plain)
    assert plain.getfloat("DOWNLOAD_DELAY") > 0 and not plain.getdict("DOWNLOAD_HANDLERS")

    mirrored = _settings(CSTO_MIRROR="http://127.0.0.1:8800")
    MirrorAddon().update_settings(mirrored)
    assert mirrored.getdict("DOWNLOAD_HANDLERS")["https"].endswith("MirrorDownloadHandler")
    assert mirrored.getfloat("DOWNLOAD_DELAY") == 0
    assert not mirrored.getbool("AUTOTHROTTLE_ENABLED")

    explicit = _settings(CSTO_MIRROR="http://127.0.0.1:8800", DOWNLOAD_DELAY=0.5)
    MirrorAddon().update_settings(explicit)
    assert explicit.getfloat("DOWNLOAD_DELAY") == 0.5


def test_crawl_through_the_mirror_sees_only_original_urls(tmp_path):
    html = "text/html; charset=utf-8"
    pages = {
        "/example.org/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private\n"),
        "/example.org/start?x=1&y=%D0%B0": (
            200,
            {"Content-Type": html},
            b'<a href="/page2?q=1">2</a> <a href="/private/x">p</a> <a href="https://elsewhere.net/x">o</a> <a href="/old">o</a>',
        ),
        "/example.org/page2?q=1": (200, {"Content-Type": html}, b"<p>two</p>"),
        "/example.org/old": (301, {"Location": "{base}/example.org/new"}, b""),
        "/example.org/new": (200, {"Content-Type": html}, b'<a href="rel">r</a>'),
        "/example.org/rel": (200, {"Content-Type": html}, b"<p>relative</p>"),
    }
    out = tmp_path / "items.jsonl"
    with LoopbackServer(pages) as server:
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "runspider", str(Path(__file__).parent / "probe_spider.py"),
             "-O", str(out), "-s", f"CSTO_MIRROR={server.url}", "-s", "ITEM_PIPELINES={}", "-s", "LOG_LEVEL=INFO"],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
        requested = list(server.requests)
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = {i["url"]: i for i in map(json.loads, out.read_text().splitlines())}
    assert set(items) == {
        "https://example.org/start?x=1&y=%D0%B0",
        "https://example.org/page2?q=1",
        "https://example.org/new",
        "https://example.org/rel",
    }
    assert items["https://example.org/new"]["redirect_urls"] == ["https://example.org/old"]
    assert "/example.org/robots.txt" in requested
    assert "/example.org/private/x" not in requested
    assert not any("elsewhere" in path for path in requested)
    assert "fetching every request from" in proc.stderr


# --- coverage report ----------------------------------------------------------------------
def test_coverage_report_counts_shares_and_warns(caplog):
    crawler = get_crawler(settings_dict={"CSTO_COVERAGE_MIN_ITEMS": 2})
    crawler.stats.open_spider()
    ext = CoverageReport.from_crawler(crawler)
    ext.item_yielded(ArticleItem(url="u1", site="s", title="T", text="x", published_at="2024-01-01T00:00:00+05:00", language="ru"))
    ext.item_yielded(ArticleItem(url="u2", site="s", title="T", text="x", language="ru"))
    ext.item_yielded(FetchRecord(url="u3", site="s", outcome="blocked"))
    stats = crawler.stats.get_stats()
    assert stats["csto/coverage/items"] == 2
    assert stats["csto/coverage/title"] == 1.0
    assert stats["csto/coverage/published_at"] == 0.5
    assert stats["csto/coverage/published_at_count"] == 1

    class Spider:
        name = "s"

    with caplog.at_level("INFO"):
        ext.spider_closed(Spider(), "finished")
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("Field coverage (s, 2 articles): title 100%, published_at 50%") for m in messages)
    assert any("below 80% for published_at (50%)" in m for m in messages)
