"""The site spiders against a sample web that behaves as ``shared/research/evidence-2026-12.md``
says the real sites do: the news API that refuses a request without its cookie ticket
(mfa_kz), the 403 and 404 feeds (vov_vn, belta), robots.txt rules (mid_ru), trailing-slash URLs
(inform_kz), the POST date-range form with a token and windows-1251 pages (mfa_by), monthly
sitemaps (kaktus), and more article sections (mid_ru, odkb).

Every real spider crawls the loopback mirror once (``scrapy crawl`` subprocesses, as a user runs
them); the tests then read the archive and the mirror's request log. Also here: every fixture
sidecar of a site says where it came from.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import FIXTURES, load_sidecar, query, scrapy_crawl, sidecars
from protego import Protego

from csto_crawler import PROJECT_ROOT
from csto_crawler.mirror import MirrorServer
from csto_crawler.mirror.pages import split_url
from csto_crawler.pagecheck import check
from csto_crawler.sites import site_classes, spider_classes

SITES = sorted(site_classes())


def run_spider(mirror: MirrorServer, db: Path, *args: str) -> None:
    """``scrapy crawl ARGS…`` against the mirror (one subprocess), which must succeed."""
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", *args, "-s", f"CSTO_MIRROR={mirror.base_url}",
                           "-s", f"CSTO_ARCHIVE_DB={db}"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120, env={k: v for k, v in os.environ.items() if not k.startswith("CSTO_")})
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """Every spider crawls the evidence-shaped sample web once."""
    db = tmp_path_factory.mktemp("evidence") / "archive.db"
    with MirrorServer() as mirror:
        scrapy_crawl(sorted(spider_classes()), mirror.base_url, db, timeout=240, log_level="INFO")
        log = mirror.requests()
        robots = {p.host: p.body.decode("utf-8") for p in mirror.tree.pages() if p.kind == "robots"}
    return {"db": db, "log": log, "robots": robots}


def documents(db: Path, site: str) -> dict[str, dict]:
    return {r["url"]: r for r in query(db, "SELECT * FROM documents WHERE site = ?", (site,))}


def requested(log, pattern: str) -> list:
    return [r for r in log if r.url and re.search(pattern, r.url)]


@pytest.mark.e2e
@pytest.mark.parametrize("site", SITES)
def test_every_site_archives_an_article_through_the_evidence_web(crawl, site):
    assert documents(crawl["db"], site), f"{site}: nothing archived"


@pytest.mark.e2e
def test_no_request_is_one_robots_txt_forbids(crawl):
    """No URL a host's robots.txt forbids ever reaches the site (mid.ru forbids ?PAGEN_ and
    search, evidence §2.4)."""
    parsers = {host: Protego.parse(text) for host, text in crawl["robots"].items()}
    assert "Disallow: /*PAGEN" in crawl["robots"]["mid.ru"]
    forbidden = [r.url for r in crawl["log"] if r.url and not r.url.endswith("/robots.txt")
                 and not parsers.get(split_url(r.url)[1].split("/")[0], Protego.parse("")).can_fetch(r.url, "csto-archive")]
    assert forbidden == []
    assert requested(crawl["log"], r"mid\.ru/ru/foreign_policy/news/$"), "the bare first page is the listing"


@pytest.mark.e2e
def test_mfa_kz_posts_the_ticket_and_the_api_then_answers(crawl):
    log = crawl["log"]
    first_ticket = next(i for i, r in enumerate(log) if r.method == "POST" and r.url.endswith("/api/v1/public/_/c/k6"))
    first_list = next(i for i, r in enumerate(log) if "content-manager/news?" in (r.url or ""))
    assert first_ticket < first_list
    statuses = [r.status for r in requested(log, r"content-manager/news\?")]
    assert 400 not in statuses and statuses.count(200) == 3  # page 2 is a 404: the end
    assert len(documents(crawl["db"], "mfa_kz")) >= 3


def test_mfa_kz_api_refuses_a_request_without_the_ticket():
    """The fixture behaves as the evidence says: HTTP 400 «notAllowed» without the cookie."""
    url = load_sidecar(FIXTURES / "mfa_kz" / "ru_api_news_page1.json")["url"]
    with MirrorServer() as mirror:
        request = urllib.request.Request(mirror.url_for(url), headers={"Referer": "https://www.gov.kz/memleket/entities/mfa/press/news?lang=ru"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 400 and b"notAllowed" in refused.value.read()
        request.add_header("Cookie", "gov_kz_ticket=x")
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200 and isinstance(json.loads(answer.read()), list)


@pytest.mark.e2e
def test_vov_vn_discovers_from_the_section_pages_not_the_refused_feed(crawl):
    assert requested(crawl["log"], r"vov\.vn/rss/") == []
    assert [r.status for r in requested(crawl["log"], r"vov\.vn/the-gioi$")] == [200]
    assert "https://vov.vn/the-gioi/quan-sat-vien/csto-tap-tran-chung-suc-tai-belarus-1078194.vov" in documents(crawl["db"], "vov_vn")


@pytest.mark.e2e
def test_belta_english_comes_from_the_rubric_pages(crawl):
    assert requested(crawl["log"], r"eng\.belta\.by/rss") == []
    assert {r.status for r in requested(crawl["log"], r"eng\.belta\.by/(president|politics)/$")} == {200}
    english = [u for u in documents(crawl["db"], "belta") if "eng.belta.by" in u]
    assert english


@pytest.mark.e2e
def test_mid_ru_follows_briefings_too(crawl):
    assert "https://mid.ru/ru/press_service/spokesman/briefings/1912101/" in documents(crawl["db"], "mid_ru")


@pytest.mark.e2e
def test_inform_kz_english_urls_with_a_trailing_slash_are_archived(crawl):
    docs = documents(crawl["db"], "inform_kz")
    assert any(u.startswith("https://en.inform.kz/news/") and u.endswith("/") for u in docs), sorted(docs)
    assert [r.status for r in requested(crawl["log"], r"/rss/rus\.xml$")] == [200]


@pytest.mark.e2e
def test_kaktus_reads_the_monthly_sitemaps(crawl):
    months = requested(crawl["log"], r"kaktus\.media/other/sitemap\.php\?sitemap=sitemap\.xml&year=\d{4}&mount=\d{2}$")
    assert len(months) == 2 and {r.status for r in months} == {200}
    assert requested(crawl["log"], r"kaktus\.media/\?lable=8&date=\d{4}-\d{2}-\d{2}&order=time$")
    assert len(documents(crawl["db"], "kaktus")) == 2  # the third article is not about the CSTO


@pytest.mark.e2e
def test_mfa_by_lists_through_the_post_form_and_reads_windows_1251(crawl):
    posts = [r for r in crawl["log"] if r.method == "POST" and "mfa.gov.by" in (r.url or "")]
    assert posts and {r.status for r in posts} == {200}
    docs = documents(crawl["db"], "mfa_by")
    # the article only the form's results list (not the section page) links, decoded from cp1251
    url = "https://mfa.gov.by/press/news_mfa/a2a9bb0f04c698bb.html"
    assert url in docs
    titles = [r["title"] for r in query(crawl["db"], "SELECT c.title FROM versions v JOIN contents c ON c.hash = v.content_hash "
                                                     "WHERE v.document_id = ?", (docs[url]["id"],))]
    assert titles == [load_sidecar(FIXTURES / "mfa_by" / "ru_article_2021-05-19.json")["expected"]["title"]]


def test_mfa_by_post_without_the_token_is_the_block_page():
    url = "https://mfa.gov.by/press/news_mfa/"
    with MirrorServer() as mirror:
        request = urllib.request.Request(mirror.url_for(url), data=b"page=1&date_from=01.12.2026&date_to=01.12.2026", method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
    problem = check(200, {}, body)
    assert problem is not None and problem.outcome == "blocked" and "Web Page Blocked" in problem.detail


@pytest.mark.e2e
def test_odkb_statements_are_archived(crawl):
    docs = documents(crawl["db"], "odkb")
    assert any("/documents/statements/" in u for u in docs)


# -- robots.txt and a stubbed feed, each in its own crawl -----------------------------------------
@pytest.mark.e2e
def test_a_robots_forbidden_url_is_never_requested(tmp_path):
    db = tmp_path / "archive.db"
    forbidden = "https://mid.ru/ru/foreign_policy/news/1889699/?clear_cache=Y"
    allowed = "https://mid.ru/ru/foreign_policy/news/1912030/"
    with MirrorServer() as mirror:
        run_spider(mirror, db, "mid_ru", "-a", f"urls={forbidden},{allowed}")
        seen = [r.url for r in mirror.requests() if r.url]
    assert "https://mid.ru/robots.txt" in seen and allowed in seen
    assert not [u for u in seen if "clear_cache" in u]
    outcomes = dict((r["url"], r["outcome"]) for r in query(db, "SELECT url, outcome FROM fetches"))
    assert outcomes[forbidden] == "blocked"


@pytest.mark.e2e
def test_mid_ru_stub_on_the_feed_falls_back_to_the_atom_feed(tmp_path):
    db = tmp_path / "archive.db"
    with MirrorServer() as mirror:
        mirror.fault("https://mid.ru/ru/rss.php", "challenge")
        run_spider(mirror, db, "mid_ru", "-a", "lang=ru")
        seen = [r.url for r in mirror.requests() if r.url]
    assert "https://www.mid.ru/ru/rss" in seen
    fetches = query(db, "SELECT url, outcome FROM fetches")
    assert ("https://mid.ru/ru/rss.php", "blocked") in {(r["url"], r["outcome"]) for r in fetches}
    assert "https://mid.ru/ru/press_service/spokesman/briefings/1912101/" in documents(db, "mid_ru")


# -- where every fixture came from ----------------------------------------------------------------
_ORIGIN = re.compile(r"^(?:reconstructed\b.*(?:§\s?\d|no evidence)|recorded \d{4}-\d{2}-\d{2}\b)", re.S)


@pytest.mark.parametrize("site", SITES)
def test_every_sidecar_says_where_it_came_from(site):
    """``origin`` is ``reconstructed …`` naming the evidence section it follows, or
    ``recorded <date>`` (``csto probe --record``, ``csto fixtures record``)."""
    paths = sidecars(site)
    assert paths, f"{site} has no fixtures"
    bad = [(p.name, load_sidecar(p).get("origin", "")[:80]) for p in paths if not _ORIGIN.match(load_sidecar(p).get("origin", ""))]
    assert bad == []


@pytest.mark.e2e
def test_mfa_kz_refused_twice_renews_the_ticket_once_then_falls_back(tmp_path):
    """A 400 reaches the spider: one new ticket and one more try, then the refusal is recorded
    (``blocked``) and the fallback endpoint read."""
    db = tmp_path / "archive.db"
    listing = load_sidecar(FIXTURES / "mfa_kz" / "ru_api_news_page1.json")["url"]
    with MirrorServer() as mirror:
        mirror.fault(listing, "status", status=400, times=2)
        run_spider(mirror, db, "mfa_kz", "-a", "lang=ru")
        log = mirror.requests()
    tickets = [r for r in log if r.method == "POST" and r.url.endswith("/_/c/k6")]
    lists = [r.status for r in log if r.url == listing]
    assert len(tickets) == 2 and lists == [400, 400]
    assert [r.status for r in log if "/api/v1/public/news?" in (r.url or "")] == [200]
    outcomes = {(r["url"], r["outcome"]) for r in query(db, "SELECT url, outcome FROM fetches")}
    assert (listing, "blocked") in outcomes
    assert documents(db, "mfa_kz"), "the fallback's records are archived"


def test_web_page_blocked_is_a_block_page_only_on_a_stub():
    """mfa.gov.by's "Web Page Blocked" page (evidence §2.5) is ``blocked``; an article that
    merely quotes the words is not."""
    stub = b"<html><head><title>Web Page Blocked</title></head><body><p>Access denied.</p></body></html>"
    assert check(200, {}, stub).outcome == "blocked"
    article = ("<html><body><h1>Filters</h1>" + "<p>A report on filters that show 'Web Page Blocked' to readers.</p>" * 40
               + "</body></html>").encode()
    assert check(200, {}, article) is None
