"""Discovery that survives a wrong guess: real crawls of the generic ``news`` spider over the
mirror, for two sites declared only in a temporary ``seeds/news_sites.yml``.

* ``lost_kg``: its feed answers 404 and its listing's card selector matches nothing on a page
  with no article link; the crawl falls back to the home page, which announces a feed, links
  one article and two sections (one forbidden by robots.txt);
* ``harvest_kg``: its feed answers 404 and its listing's card selector matches nothing, but
  the listing links articles; robots.txt names a sitemap no configuration mentions.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from csto_crawler import PROJECT_ROOT
from csto_crawler.discovery import entry_point_lines

SITES = """
    lost_kg:
      name: Lost (lost.example.kg)
      home: https://lost.example.kg/
      languages: [ru]
      article_patterns: ['^/news/\\d+-[a-z-]+$']
      feeds: [https://lost.example.kg/rss]
      listings: [https://lost.example.kg/lenta]
      listing: {item: div.news-card, link: 'h3 a::attr(href)'}
    harvest_kg:
      name: Harvest (harvest.example.kg)
      home: https://harvest.example.kg/
      languages: [ru]
      article_patterns: ['^/news/\\d+-[a-z-]+$']
      feeds: [https://harvest.example.kg/rss]
      listings: [https://harvest.example.kg/lenta]
      listing: {item: div.news-card, link: 'h3 a::attr(href)'}
"""

ARTICLE = """<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{title}"><meta property="article:published_time" content="2025-04-03T16:20:00+06:00"></head>
<body><main><article><h1>{title}</h1>
<p>На полигоне Эдельвейс завершились совместные учения Коллективных сил оперативного реагирования ОДКБ, сообщает {title}.</p>
<p>В учениях участвовали подразделения Кыргызстана, Казахстана, России и Таджикистана; они отработали ликвидацию
незаконных вооружённых формирований в горной местности.</p>
<p>Командование отметило слаженность действий контингентов и высокий уровень подготовки личного состава.</p>
</article></main></body></html>"""

LOST = "https://lost.example.kg"
HARVEST = "https://harvest.example.kg"
LOST_ARTICLES = {  # article -> where only it is linked
    f"{LOST}/news/101-home-article": "home page",
    f"{LOST}/news/102-section-article": "section page",
    f"{LOST}/news/103-feed-article": "feed autodiscovery",
}
FORBIDDEN_ARTICLE = f"{LOST}/news/104-forbidden-article"
HARVEST_ARTICLES = {f"{HARVEST}/news/201-listed-article": "listing", f"{HARVEST}/news/202-sitemap-article": "robots.txt"}


def page(root: Path, name: str, url: str, body: str, content_type: str = "text/html; charset=utf-8", kind: str = "page") -> None:
    suffix = {"text/plain": "txt", "application/rss+xml": "xml", "application/xml": "xml"}.get(content_type.split(";")[0], "html")
    (root / f"{name}.{suffix}").write_text(body, encoding="utf-8")
    sidecar = {"url": url, "kind": kind, "origin": "written by tests/test_fallbacks.py", "status": 200, "content_type": content_type}
    (root / f"{name}.json").write_text(json.dumps(sidecar), encoding="utf-8")


def rss(*links: str) -> str:
    items = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in links)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'


def build_web(web: Path) -> None:
    lost, harvest = web / "lost", web / "harvest"
    lost.mkdir(parents=True)
    harvest.mkdir(parents=True)
    for url in [*LOST_ARTICLES, FORBIDDEN_ARTICLE]:
        page(lost, url.rsplit("/", 1)[1], url, ARTICLE.format(title=url.rsplit("/", 1)[1]), kind="article")
    page(lost, "robots", f"{LOST}/robots.txt", "User-agent: *\nDisallow: /forbidden\n", "text/plain", "robots")
    # the listing is an empty shell (its cards are drawn by a script): no article link at all
    page(lost, "lenta", f"{LOST}/lenta", '<html><body><nav><a href="/">Главная</a></nav><div id="app"></div></body></html>')
    page(lost, "home", f"{LOST}/", """<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>
        <body><nav><a href="/politics/">Политика</a> <a href="/forbidden/">Закрыто</a></nav>
        <a href="/news/101-home-article">Учения</a> <a href="/about.pdf">PDF</a></body></html>""")
    page(lost, "politics", f"{LOST}/politics/", '<html><body><a href="/news/102-section-article">Совет</a></body></html>')
    page(lost, "forbidden", f"{LOST}/forbidden/", f'<html><body><a href="{FORBIDDEN_ARTICLE}">x</a></body></html>')
    page(lost, "feed", f"{LOST}/feed.xml", rss(f"{LOST}/news/103-feed-article"), "application/rss+xml; charset=utf-8", "feed")

    for url in HARVEST_ARTICLES:
        page(harvest, url.rsplit("/", 1)[1], url, ARTICLE.format(title=url.rsplit("/", 1)[1]), kind="article")
    page(harvest, "robots", f"{HARVEST}/robots.txt", f"User-agent: *\nSitemap: {HARVEST}/sitemap-news.xml\n", "text/plain", "robots")
    page(harvest, "sitemap", f"{HARVEST}/sitemap-news.xml",
         f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{HARVEST}/news/202-sitemap-article</loc></url></urlset>',
         "application/xml; charset=utf-8", "sitemap")
    page(harvest, "lenta", f"{HARVEST}/lenta",
         '<html><body><div class="item"><h3><a href="/news/201-listed-article">Учения</a></h3></div></body></html>')


@pytest.mark.e2e
def test_wrong_guesses_still_archive_the_articles(tmp_path):
    from csto_crawler.mirror import MirrorServer

    seeds, web, db = tmp_path / "seeds", tmp_path / "web", tmp_path / "archive.db"
    seeds.mkdir()
    (seeds / "news_sites.yml").write_text(textwrap.dedent(SITES), encoding="utf-8")
    build_web(web)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
    with MirrorServer(web) as mirror:
        argv = [sys.executable, "-m", "scrapy", "crawl", "news", "-s", f"CSTO_MIRROR={mirror.base_url}",
                "-s", f"CSTO_ARCHIVE_DB={db}", "-s", f"CSTO_SEEDS_DIR={seeds}", "-s", "LOG_LEVEL=INFO"]
        proc = subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
        requested = [r.url or "" for r in mirror.requests()]
    log = proc.stderr
    assert proc.returncode == 0 and "Traceback" not in log, log[-4000:]

    with sqlite3.connect(db) as con:
        documents = {url for (url,) in con.execute("SELECT url FROM documents")}
        (stats,) = con.execute("SELECT stats FROM runs").fetchone()
    assert documents == {*LOST_ARTICLES, *HARVEST_ARTICLES}

    # robots.txt is obeyed by the fallbacks too: the forbidden section is never requested
    assert not [u for u in requested if "/forbidden" in u], requested
    assert f"{LOST}/about.pdf" not in requested
    # the listing that had links is harvested, so harvest_kg never needs its home page
    assert f"{HARVEST}/" not in requested and f"{LOST}/" in requested

    # the card selector is named, and the report says what each entry point gave
    assert "the card selector 'div.news-card' matched nothing" in log
    lines = entry_point_lines(json.loads(stats))
    assert f"lost_kg: 0 entries from {LOST}/rss (404)" in lines
    assert f"lost_kg: 0 entries from {LOST}/lenta (200)" in lines
    assert f"lost_kg: 1 entries (1 new) from {LOST}/ (200; fallback: home page)" in lines
    assert f"lost_kg: 1 entries (1 new) from {LOST}/politics/ (200; fallback: section page)" in lines
    assert f"lost_kg: 1 entries (1 new) from {LOST}/feed.xml (200; fallback: feed autodiscovery)" in lines
    assert "lost_kg: articles found by the fallback: home page, section page, feed autodiscovery" in lines
    assert f"harvest_kg: 0 entries from {HARVEST}/rss (404)" in lines
    assert f"harvest_kg: 1 entries (1 new) from {HARVEST}/lenta (200)" in lines
    assert f"harvest_kg: 1 entries (1 new) from {HARVEST}/sitemap-news.xml (200; fallback: robots.txt)" in lines
    # the same lines close the spider's log
    assert f"Discovery: lost_kg: 0 entries from {LOST}/rss (404)" in log
