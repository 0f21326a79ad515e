"""Security through the real crawl path: only the site's own pages are fetched, and what a page
says is only ever data.

* Pages (an article, the feed, the listing and its "next" link, a meta refresh, a canonical
  link) point to loopback and link-local addresses, ``localhost``, another host, the site's
  own host on another port, ``file:`` and ``javascript:`` URLs: none is requested. Once
  through the mirror (the mirror's log shows every request), once with no mirror at all,
  against a site served on ``localhost`` next to an "internal service" that must see nothing.
* A hostile title and text (``../../etc/passwd``, ``<script>``) are stored as text, exported
  to files named by hash only, printed as JSON by ``csto extract --json`` and shown escaped
  by Datasette.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import LoopbackServer
from reliability import (
    BASE,
    FAST,
    FEED,
    HOST,
    TestSite,
    assert_sound,
    crawl_ok,
    document,
    query,
)

from csto_crawler import PROJECT_ROOT
from csto_crawler.guards import url_problem
from csto_crawler.mirror import MirrorServer

pytestmark = pytest.mark.e2e

HOSTILE_TITLE = "../../etc/passwd <script>alert(1)</script> ОДКБ"
HOSTILE_LINE = '<img src=x onerror="alert(2)"> {{7*7}} $(touch /tmp/pwned) ; rm -rf ~'


def traps(internal: str) -> list[str]:
    """Article-shaped URLs that are not the site's: every one must stay unrequested."""
    return [
        f"{internal}/news/900-odkb-novost",
        f"http://localhost:{internal.rsplit(':', 1)[1]}/news/901-odkb-novost",
        "http://169.254.169.254/news/902-odkb-novost",
        "http://localhost/news/903-odkb-novost",
        "https://evil.example/news/904-odkb-novost",
        f"https://{HOST}:8443/news/905-odkb-novost",
        "http://[::1]/news/906-odkb-novost",
        "http://10.0.0.7/news/907-odkb-novost",
    ]


def links(urls: list[str]) -> str:
    extra = ['<a href="file:///etc/passwd">f</a>', '<a href="javascript:alert(1)">j</a>']
    return "".join(f'<a href="{u}">x</a>' for u in urls) + "".join(extra)


@pytest.fixture(scope="module")
def internal():
    """An "internal service" on loopback that no crawl may ever reach."""
    with LoopbackServer({}) as server:
        yield server


@pytest.fixture(scope="module")
def world(tmp_path_factory, internal):
    root = tmp_path_factory.mktemp("security")
    site = TestSite(root)
    bad = traps(internal.url)
    site.article(1, extra=links(bad))
    site.article(2, extra='<link rel="canonical" href="https://evil.example/news/2-odkb-novost">')
    site.article(3, extra='<meta http-equiv="refresh" content="0;url=http://169.254.169.254/latest/">')
    site.article(4, title=HOSTILE_TITLE, text=["Первый абзац об ОДКБ и безопасности в регионе.",
                                               HOSTILE_LINE, "Последний абзац о заседании ОДКБ."])
    site.write(listing_extra=links(bad))
    # the feed also links the traps, and the listing's "next" link leaves the site
    feed = (site.web / "relsite" / "rss.xml").read_bytes().replace(
        b"</channel>", b"".join(f"<item><link>{u}</link></item>".encode() for u in bad) + b"</channel>")
    site.page("rss", FEED, "feed", feed, "application/rss+xml; charset=utf-8")
    listing = (site.web / "relsite" / "listing_0001.html").read_text(encoding="utf-8")
    listing = listing.replace("</body>", '<a class="next" href="http://169.254.169.254/news?page=2">next</a></body>')
    site.page("listing_0001", f"{BASE}/news?page=1", "listing", listing.encode(), "text/html; charset=utf-8")
    db = root / "archive.db"
    with MirrorServer(site.web) as mirror:
        proc = crawl_ok(mirror.base_url, db, site)
        requested = [r.url for r in mirror.requests() if r.url]
    yield {"site": site, "db": db, "requested": requested, "stderr": proc.stderr, "traps": bad}


def test_only_the_sites_own_pages_are_requested_through_the_mirror(world, internal):
    hosts = {url.split("/")[2] for url in world["requested"]}
    assert hosts == {HOST}, hosts
    assert internal.requests == []
    # a trap the guard refused at the last moment is on record as not fetched, never as a page
    for row in query(world["db"], "SELECT url, outcome, detail FROM fetches"):
        if row["url"] in world["traps"]:
            assert row["outcome"] == "error" and row["detail"].startswith("not fetched: "), row
    for n in (1, 2, 4):
        assert document(world["db"], world["site"].url(n)) is not None


def test_a_canonical_link_to_another_site_is_ignored(world):
    assert query(world["db"], "SELECT url FROM documents WHERE url LIKE '%evil%'") == []


def test_a_meta_refresh_off_the_site_is_recorded_not_followed(world):
    rows = query(world["db"], "SELECT outcome, detail FROM fetches WHERE url = ?", (world["site"].url(3),))
    assert rows == [{"outcome": "error", "detail": "meta refresh: redirect to http://169.254.169.254/latest/ "
                                                   "not followed: 169.254.169.254 is not one of the site's domains"}]


@pytest.mark.parametrize(("url", "domains", "problem"), [
    ("https://www.rel-site.example/a", ["rel-site.example"], None),
    ("http://127.0.0.1/a", [], "127.0.0.1 is an internal address"),
    ("http://169.254.169.254/latest/meta-data/", [], "169.254.169.254 is an internal address"),
    ("http://localhost/a", [], "localhost is an internal address"),
    ("http://printer.local/a", [], "printer.local is an internal address"),
    ("http://[::1]/a", [], "::1 is an internal address"),
    ("http://example.org/a", [], None),
    ("http://localhost:8800/a", ["localhost"], "port 8800 is not the site's (CSTO_ALLOWED_PORTS)"),
    ("ftp://rel-site.example/a", ["rel-site.example"], "scheme 'ftp' is not fetched (http and https only)"),
    ("http://evil.example/a", ["rel-site.example"], "evil.example is not one of the site's domains"),
])
def test_url_rules(url, domains, problem):
    assert url_problem(url, domains) == problem


def test_without_a_mirror_no_link_reaches_another_port_or_host(tmp_path, internal):
    """A site served on ``localhost`` (its port allowed); an internal service on another
    loopback port, linked as ``127.0.0.1:PORT`` and as ``localhost:PORT``: never requested."""
    # (http://localhost/… is this site's own host on its default port: not a trap here)
    bad = [u for u in traps(internal.url) if not u.startswith("http://localhost/")]
    pages: dict[str, tuple[int, dict, bytes]] = {}
    with LoopbackServer(pages) as web:
        port = web.url.rsplit(":", 1)[1]
        home = f"http://localhost:{port}"
        article = f"{home}/news/1-odkb-novost"
        pages["/rss"] = (200, {"Content-Type": "application/rss+xml"}, (
            '<?xml version="1.0"?><rss><channel>' + "".join(
                f"<item><link>{u}</link></item>" for u in [article, *bad]) + "</channel></rss>").encode())
        html = (f'<html lang="ru"><head><meta charset="utf-8"><title>ОДКБ</title></head><body>'
                f'<h1 class="post-title">Заседание ОДКБ</h1><div class="post-body"><p>Совет '
                f'коллективной безопасности ОДКБ провёл заседание в Минске.</p></div>{links(bad)}</body></html>')
        pages["/news/1-odkb-novost"] = (200, {"Content-Type": "text/html; charset=utf-8"}, html.encode())
        seeds = tmp_path / "seeds"
        seeds.mkdir()
        (seeds / "news_sites.yml").write_text(
            f"local:\n  name: Local\n  home: {home}/\n  languages: [ru]\n"
            f"  article_patterns: ['^/news/\\d+-[a-z0-9-]+$']\n  feeds: [{home}/rss]\n"
            "  selectors: {content: div.post-body, title: h1.post-title}\n", encoding="utf-8")
        db = tmp_path / "archive.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "news", "-s", f"CSTO_ARCHIVE_DB={db}",
             "-s", f"CSTO_SEEDS_DIR={seeds}", "-s", "CSTO_ENTRY_POINTS=", "-s", f"CSTO_ALLOWED_PORTS={port}",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO",
             *[arg for setting in FAST for arg in ("-s", setting)]],
            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
        assert set(web.requests) == {"/robots.txt", "/rss", "/news/1-odkb-novost"}, web.requests
        # nor does the crawl open a port of its own: no telnet console, no remote control
        assert "Telnet console listening" not in proc.stderr
        assert "Remote control HTTP server" not in proc.stderr
    assert internal.requests == []
    assert [r["url"] for r in query(db, "SELECT url FROM documents")] == [article]


# --- what a page says is data ----------------------------------------------------------------
def test_a_hostile_title_is_stored_as_text(world):
    doc = document(world["db"], world["site"].url(4))
    assert doc["title"] == HOSTILE_TITLE
    assert HOSTILE_LINE in doc["text"]
    assert not Path("/tmp/pwned").exists()


def test_exports_name_files_by_hash_only(world, tmp_path):
    from sqlite_utils import Database

    from pipelines.export import export_jsonl, export_texts

    out = tmp_path / "deep" / "export"
    written = export_texts(Database(world["db"]), out)
    assert written and all(p.parent == out for p in written)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    names = "\n".join(p.name for p in written)
    assert "passwd" not in names and "script" not in names and ".." not in names
    assert not (tmp_path / "etc").exists() and not (tmp_path / "deep" / "etc").exists()
    hostile = [p for p in written if HOSTILE_TITLE in p.read_text(encoding="utf-8")]
    assert len(hostile) == 1 and hostile[0].read_text(encoding="utf-8").startswith(HOSTILE_TITLE + "\n")
    count = export_jsonl(Database(world["db"]), tmp_path / "out.jsonl")
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == count and HOSTILE_TITLE in {r["title"] for r in records}


def test_csto_extract_json_is_json(world):
    page = world["site"].web / "relsite" / "article_00004.html"
    proc = subprocess.run([sys.executable, "-m", "csto_crawler", "extract", str(page), "--url",
                           world["site"].url(4), "--json"], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    item = json.loads(proc.stdout)
    assert item["title"] == HOSTILE_TITLE and HOSTILE_LINE in item["text"]


def test_datasette_shows_the_hostile_text_escaped(world, tmp_path):
    from datasette.app import Datasette

    from csto_crawler.commands import serve

    config = serve.config_dir_for(world["db"], tmp_path / "config")
    doc = document(world["db"], world["site"].url(4))

    async def pages():
        ds = Datasette(config_dir=config)
        await ds.invoke_startup()
        paths = [f"/archive/articles?document_id={doc['id']}", "/archive/contents",
                 "/archive/search_articles?q=ОДКБ"]
        return [await ds.client.get(p) for p in paths]

    shown = asyncio.run(pages())
    for page in shown:
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in page.text
        assert '<img src=x onerror="alert(2)">' not in page.text
    # and it is shown, as text
    assert all("&lt;script&gt;alert(1)&lt;/script&gt;" in page.text for page in shown)
    assert_sound(world["db"])
