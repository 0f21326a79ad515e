"""A large synthetic sample site for benchmarks and load tests, served by the loopback mirror.

``generate_site(directory, n_articles, host=..., seed=...)`` writes a whole news site as fixture
pairs (page + sidecar, ``tests/fixtures/README.md``) plus the configuration that lets the
generic ``news`` spider crawl it, and returns a ``SyntheticSite`` describing what it wrote::

    from bench.synthetic import generate_site
    from csto_crawler.mirror import MirrorServer

    site = generate_site(tmp_path, 1000, seed=7)
    with MirrorServer(fixtures_dir=site.web_dir) as mirror:
        # scrapy crawl news -s CSTO_MIRROR=<mirror.base_url> -s CSTO_SEEDS_DIR=<site.seeds_dir>
        #                   -s CSTO_ARCHIVE_DB=<db> -s CSTO_ENTRY_POINTS=
        ...

What is written (everything deterministic for a given ``n_articles``, ``host`` and ``seed``):

* ``web/<slug>/articles/NNN/aNNNNN.html`` (+ ``.json``): ``n_articles`` Russian news articles
  in a WordPress news-theme layout (the chrome of the ``generic/ru_wordpress`` fixture: top
  menu with the day's date, main menu, mega-menus, breadcrumbs, views and comment counters,
  share bars, tags, a related-posts block, a comment form, a "latest news" sidebar, footer
  link columns, a cookie notice, inline scripts and a JSON state blob), 60–110 KB each. About
  ``relevant_share`` of them (default 70 %) mention the CSTO (ОДКБ) and are archived; the rest
  are ordinary news the relevance pipeline drops. Furniture that changes between fetches
  (date, counters, related and latest lists) is marked ``<!--volatile-->``, so the mirror's
  ``change_furniture`` works on every article. Sidecars carry ``expected`` (title, text,
  dates, language, canonical URL) and ``relevant``. Pages are spread over folders of 100, so
  the mirror loads 5,000 articles in a few seconds.
* ``web/<slug>/feed.xml``: an RSS feed of the newest ``feed_size`` articles;
* ``web/<slug>/listing/page_NNNN.html``: listing pages ``/news/page/N/``, newest first,
  ``per_page`` cards each (title link, ``<time datetime>``, excerpt) in the same chrome; the
  page past the last one answers 404;
* ``web/<slug>/sitemap.xml``: a ``urlset`` of every article (the mirror's default
  ``robots.txt`` names it);
* ``seeds/news_sites.yml``: the site's entry for the ``news`` spider (feed, listing, sitemap,
  article pattern, listing and content selectors, time zone), so a crawl needs no code:
  ``-s CSTO_SEEDS_DIR=<seeds>``. Without the content selector (``generic_rules=True``) the
  spider extracts it with the generic layers (trafilatura) instead.

A normal crawl of the site finds every article through the sitemap (listings are paged up
to ``CSTO_MAX_PAGES``); an unchanged refresh asks for ``robots.txt``, the feed, the sitemap
and the first listing page, plus the articles due for a re-check.

Run ``python -m bench.synthetic DIR N [--seed S]`` to write a site and print its summary. The
pages' text and markup come from ``bench.synthetic_pages``; this module decides what the site
holds and writes it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bench.synthetic_pages import (
    NEWEST,
    SECTIONS,
    SyntheticArticle,
    article_page,
    article_paragraphs,
    article_title,
    feed_xml,
    listing_page,
    sitemap_xml,
)

__all__ = ["SyntheticArticle", "SyntheticSite", "generate_site", "site_config"]

#: Publication time of the newest article is ``NEWEST``; older ones go back ``STEP`` at a time.
STEP = timedelta(hours=3, minutes=17)
TIMEZONE = "Asia/Almaty"
PER_FOLDER = 100

@dataclass
class SyntheticSite:
    """What ``generate_site`` wrote."""

    directory: Path
    web_dir: Path  #: the mirror's ``fixtures_dir``
    seeds_dir: Path  #: ``CSTO_SEEDS_DIR`` for the ``news`` spider
    slug: str
    host: str
    seed: int
    articles: list[SyntheticArticle]
    feed_url: str
    sitemap_url: str
    listing_urls: list[str]  #: every listing page, first to last
    pages: int  #: every page written (articles, feed, sitemap, listings)
    bytes: int  #: their total size
    extra: dict = field(default_factory=dict)

    @property
    def article_urls(self) -> list[str]:
        return [a.url for a in self.articles]

    @property
    def relevant(self) -> int:
        return sum(a.relevant for a in self.articles)

    @property
    def entry_urls(self) -> list[str]:
        """What a normal refresh asks for besides articles: robots.txt, feed, sitemap, listing 1."""
        return [f"https://{self.host}/robots.txt", self.feed_url, self.sitemap_url, self.listing_urls[0]]

    def summary(self) -> str:
        return (f"{self.slug} ({self.host}): {len(self.articles)} articles, {self.relevant} relevant, "
                f"{len(self.listing_urls)} listing pages, {self.pages} pages, "
                f"{self.bytes / 1e6:.1f} MB in {self.web_dir}")


def site_config(slug: str, host: str, *, generic_rules: bool = False, site_name: str = "Bench Wire") -> str:
    """The ``news_sites.yml`` entry of a synthetic site."""
    selectors = "" if generic_rules else (
        "  selectors:\n    content: div.td-post-content\n    title: h1.entry-title\n"
        "    date: time.entry-date\n    author: div.td-post-author-name\n")
    return (
        f"{slug}:\n  name: {site_name} ({host}, synthetic)\n  home: https://{host}/\n  languages: [ru]\n"
        "  evidence: generated by bench/synthetic.py; not a real site\n"
        "  article_patterns: ['^/\\d{4}/\\d{2}/\\d{2}/[a-z0-9-]+/$']\n"
        f"  feeds: [https://{host}/feed/]\n  sitemaps: [https://{host}/sitemap.xml]\n"
        f"  listings: ['https://{host}/news/page/{{page}}/']\n"
        "  listing: {item: div.td_module_wrap, link: 'h3 a::attr(href)', date: 'time::attr(datetime)'}\n"
        f"{selectors}  timezone: {TIMEZONE}\n"
    )


def _write(path: Path, text: str, sidecar: dict) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    path.with_suffix(".json").write_text(json.dumps(sidecar, ensure_ascii=False, sort_keys=True, indent=1),
                                         encoding="utf-8")
    return len(data)


def generate_site(directory: str | Path, n_articles: int, *, host: str = "bench-wire.example",
                  slug: str = "bench_wire", seed: int = 1, relevant_share: float = 0.7,
                  per_page: int = 20, feed_size: int = 30, min_kb: int = 60, max_kb: int = 110,
                  generic_rules: bool = False) -> SyntheticSite:
    """Write a synthetic news site of ``n_articles`` articles under ``directory`` (see the module
    docstring for the layout); returns what was written. Same arguments, same bytes."""
    if n_articles < 1:
        raise ValueError("n_articles must be at least 1")
    directory = Path(directory)
    web = directory / "web" / slug
    seeds = directory / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    (seeds / "news_sites.yml").write_text(
        "# A synthetic site for benchmarks (bench/synthetic.py); not a real site.\n"
        + site_config(slug, host, generic_rules=generic_rules), encoding="utf-8")
    writer = _SiteWriter(web, slug, host, seed)
    # First the articles' facts (titles, texts, dates), then pages that link to each other.
    articles, texts = _article_facts(random.Random(seed), n_articles, host, slug, relevant_share)
    writer.articles(articles, texts, min_kb, max_kb)
    listing_urls = writer.entry_pages(articles, texts, per_page, feed_size, min_kb)
    return SyntheticSite(directory=directory, web_dir=directory / "web", seeds_dir=seeds, slug=slug, host=host,
                         seed=seed, articles=articles, feed_url=f"https://{host}/feed/",
                         sitemap_url=f"https://{host}/sitemap.xml", listing_urls=listing_urls,
                         pages=writer.pages, bytes=writer.bytes)


def _article_facts(rng: random.Random, n_articles: int, host: str, slug: str,
                   relevant_share: float) -> tuple[list[SyntheticArticle], list[list[str]]]:
    """Every article's URL, title, date, relevance and paragraphs (newest first)."""
    articles: list[SyntheticArticle] = []
    texts: list[list[str]] = []
    seen_titles: set[str] = set()
    for i in range(n_articles):
        relevant = rng.random() < relevant_share
        title = article_title(rng, relevant, i)
        while title in seen_titles:
            title = f"{title} ({i})"
        seen_titles.add(title)
        published = NEWEST - STEP * i
        paragraphs = article_paragraphs(rng, relevant)
        section = SECTIONS[rng.randrange(len(SECTIONS))][0]
        url = f"https://{host}/{published:%Y/%m/%d}/{section}-{i + 1:05d}/"
        path = f"{slug}/articles/{i // PER_FOLDER:03d}/a{i:05d}.html"
        articles.append(SyntheticArticle(url, title, published.isoformat(), relevant, "\n\n".join(paragraphs), path))
        texts.append(paragraphs)
    return articles, texts


class _SiteWriter:
    """Writes the pages of one synthetic site (page + sidecar each), counting pages and bytes."""

    site_name = "Bench Wire"

    def __init__(self, web: Path, slug: str, host: str, seed: int) -> None:
        self.web, self.slug, self.host, self.seed = web, slug, host, seed
        self.origin = f"generated by bench/synthetic.py (seed {seed}); not a recorded page"
        self.pages = 0
        self.bytes = 0

    def write(self, path: Path, text: str, url: str, page_type: str, content_type: str, **extra) -> None:
        sidecar = {"url": url, "kind": page_type, "origin": self.origin, "status": 200,
                   "content_type": content_type, **extra}
        self.bytes += _write(path, text, sidecar)
        self.pages += 1

    def articles(self, articles: list[SyntheticArticle], texts: list[list[str]], min_kb: int, max_kb: int) -> None:
        titles = [(a.url, a.title) for a in articles[:200]]
        n_articles = len(articles)
        for i, article in enumerate(articles):
            page_rng = random.Random(self.seed * 1_000_003 + i)
            section = next(s for s in SECTIONS if f"/{s[0]}-" in article.url)
            related = [(articles[j].url, articles[j].title)
                       for j in page_rng.sample(range(n_articles), min(5, n_articles))]
            target = page_rng.randint(min_kb, max_kb) * 1024
            page = article_page(article, texts[i], datetime.fromisoformat(article.published_at), i + 1, section,
                                related, titles[:10], titles, target, page_rng, self.site_name)
            self.write(self.web.parent / article.path, page, article.url, "article", "text/html; charset=utf-8",
                       relevant=article.relevant,
                       expected={"title": article.title, "text": article.text,
                                 "published_at": article.published_at, "language": "ru",
                                 "canonical_url": article.url, "site": self.slug, "author": "Редакция"})

    def entry_pages(self, articles: list[SyntheticArticle], texts: list[list[str]], per_page: int,
                    feed_size: int, min_kb: int) -> list[str]:
        """The feed, the sitemap and the listing pages; returns the listing URLs, first to last."""
        host, titles = self.host, [(a.url, a.title) for a in articles[:200]]
        excerpts = [t[0][:160].rsplit(" ", 1)[0] + "…" for t in texts]
        dates = [datetime.fromisoformat(a.published_at) for a in articles]
        cards = list(zip(articles, dates, excerpts, strict=True))
        self.write(self.web / "feed.xml", feed_xml(host, self.site_name, cards[:feed_size]),
                   f"https://{host}/feed/", "feed", "application/rss+xml; charset=utf-8")
        self.write(self.web / "sitemap.xml", sitemap_xml([(a, d) for a, d, _ in cards]),
                   f"https://{host}/sitemap.xml", "sitemap", "application/xml; charset=utf-8")
        listing_urls = []
        for page_number, start in enumerate(range(0, len(articles), per_page), start=1):
            url = f"https://{host}/news/page/{page_number}/"
            listing_urls.append(url)
            page_rng = random.Random(self.seed * 7_000_003 + page_number)
            page = listing_page(url, page_number, cards[start:start + per_page], titles, page_rng,
                                self.site_name, min_kb * 1024)
            self.write(self.web / "listing" / f"page_{page_number:04d}.html", page, url, "listing",
                       "text/html; charset=utf-8")
        return listing_urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic news site the mirror serves.")
    parser.add_argument("directory", help="where to write web/ and seeds/")
    parser.add_argument("n", type=int, help="how many articles")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--host", default="bench-wire.example")
    parser.add_argument("--generic-rules", action="store_true",
                        help="declare no content selector (extraction by the generic layers)")
    args = parser.parse_args(argv)
    site = generate_site(args.directory, args.n, host=args.host, seed=args.seed, generic_rules=args.generic_rules)
    print(site.summary())
    print(f"serve:  csto mirror --port 8800 --fixtures {site.web_dir}")
    print(f"crawl:  scrapy crawl news -s CSTO_MIRROR=http://127.0.0.1:8800 -s CSTO_SEEDS_DIR={site.seeds_dir} "
          f"-s CSTO_ENTRY_POINTS= -s CSTO_ARCHIVE_DB={Path(args.directory) / 'archive.db'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
