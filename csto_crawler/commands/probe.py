"""``csto probe [SITE…]``: check the site spiders against the real sites (or a mirror), briefly.

For each site the real spider runs with a small limit: every entry point is fetched once (no
paging: ``CSTO_MAX_PAGES=1``), a few of the article links found are followed (``--articles``,
default 3), nothing is written to the archive, and robots.txt and the project's delays apply
as in any crawl. The report says per site: each entry point's URL, status and how many
entries it gave; per article the field coverage (title, date, text length, language); and a
verdict (``ok``, ``partial``: articles without a title, a date or a text, ``no articles``).
The exit status is 1 when a site yields no article.

With ``--mirror URL`` (or the ``CSTO_MIRROR`` setting) it runs against the loopback mirror, so
it works offline. ``--record DIR`` saves every page it fetched as a fixture under
``DIR/<slug>/`` with a sidecar whose ``origin`` says ``recorded <date> by csto probe``
(articles get their ``expected`` block from the current parser, ``relevant`` left for the
reviewer), so reconstructed fixtures can be replaced with real pages.

The probe is the project's Scrapy stack, not a second HTTP client: a spider middleware of this
module counts and limits what each spider yields and a signal handler collects the responses
and items.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from scrapy import Request, signals

from csto_crawler.items import ArticleItem, FetchRecord
from csto_crawler.sites import site_classes

__all__ = ["ProbeMiddleware", "ProbeRun", "SiteProbe", "register", "verdict"]

logger = logging.getLogger(__name__)

#: A text shorter than this does not count as an article's text.
MIN_TEXT = 200
_ENTRY_KINDS = ("feeds", "sitemaps", "listings", "search", "ticket")


@dataclass
class SiteProbe:
    """What the probe saw of one site."""

    slug: str
    #: [kind, URL, method, status, entries found, id of the request] of every entry page fetched
    entries: list[list] = field(default_factory=list)
    #: coverage of every article item: url, title, date, text length, language
    articles: list[dict] = field(default_factory=list)
    #: (url, outcome, detail) of pages that were not articles (blocked, error, gone …)
    records: list[tuple[str, str, str]] = field(default_factory=list)
    followed: int = 0


def verdict(site: SiteProbe) -> str:
    """``ok``: an article with a title, a date and a text; ``partial``: articles, none
    complete; ``no articles``."""
    if not site.articles:
        return "no articles"
    if any(a["title"] and a["date"] and a["text"] >= MIN_TEXT for a in site.articles):
        return "ok"
    return "partial"


class ProbeRun:
    """One probe: the limit, the sites' findings and, with ``record``, the recorder."""

    current: ProbeRun | None = None

    def __init__(self, articles: int, record: Path | None = None) -> None:
        self.articles = articles
        self.record = record
        self.sites: dict[str, SiteProbe] = {}
        self.saved: list[tuple[str, Path]] = []  # (slug, sidecar) of every recorded page

    def site(self, slug: str) -> SiteProbe:
        return self.sites.setdefault(slug, SiteProbe(slug))


class ProbeMiddleware:
    """Spider middleware of a probe: counts the entries each entry page yields and lets at
    most ``articles`` article requests per site through."""

    def __init__(self, run: ProbeRun, crawler=None) -> None:
        self.run = run
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        run = ProbeRun.current
        if run is None:
            raise RuntimeError("ProbeMiddleware runs only inside csto probe")
        middleware = cls(run, crawler)
        crawler.signals.connect(middleware.response_received, signal=signals.response_received)
        crawler.signals.connect(middleware.item_scraped, signal=signals.item_scraped)
        return middleware

    def _keep(self, response, output, spider) -> bool:
        site = self.run.site(spider.name)
        entry = self._entry_row(response, spider)
        if isinstance(output, ArticleItem) and entry is not None:
            entry[4] += 1
        if not isinstance(output, Request) or output.callback != getattr(spider, "parse_article", None):
            return True
        if entry is not None:
            entry[4] += 1
        if site.followed >= self.run.articles:
            return False
        site.followed += 1
        return True

    def process_spider_output(self, response, result):
        spider = self.crawler.spider
        for output in result:
            if self._keep(response, output, spider):
                yield output

    async def process_spider_output_async(self, response, result):
        spider = self.crawler.spider
        async for output in result:
            if self._keep(response, output, spider):
                yield output

    def _entry_row(self, response, spider) -> list | None:
        request = response.request
        if request is None or request.meta.get("csto_kind") not in _ENTRY_KINDS:
            return None
        site = self.run.site(spider.name)
        return next((row for row in site.entries if row[5] == id(request)), None)

    def response_received(self, response, request, spider) -> None:
        site = self.run.site(spider.name)
        kind = request.meta.get("csto_kind")
        if kind in _ENTRY_KINDS and not response.url.endswith("/robots.txt"):
            site.entries.append([kind, response.url, request.method, response.status, 0, id(request)])
        if self.run.record is not None:
            from csto_crawler.commands._probe_record import save_response

            saved = save_response(self.run.record, spider, request, response)
            if saved is not None:
                self.run.saved.append((spider.name, saved))

    def item_scraped(self, item, response, spider) -> None:
        site = self.run.site(spider.name)
        if isinstance(item, ArticleItem):
            site.articles.append({"url": item.url, "title": bool(item.title), "date": bool(item.published_at),
                                  "text": len(item.text or ""), "language": item.language or "?"})
        elif isinstance(item, FetchRecord) and item.outcome not in ("not_modified",):
            site.records.append((item.url, item.outcome, item.detail or ""))


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "probe",
        help="check each site's entry points and a few articles against the real sites (or a mirror)",
        description=(
            "Fetch each entry point of the sites once (robots.txt and delays as in a crawl), follow "
            "a few articles, and report per site: entry point status and entries, article field "
            "coverage, a verdict. Nothing is archived. Exit status 1 when a site yields no article."
        ),
    )
    parser.add_argument("sites", nargs="*", metavar="SITE", help="site slugs (default: every site)")
    parser.add_argument("--articles", type=int, default=3, metavar="N",
                        help="articles to follow per site (default 3)")
    parser.add_argument("--mirror", metavar="URL",
                        help="probe the loopback mirror at URL instead (default: the CSTO_MIRROR setting)")
    parser.add_argument("--record", metavar="DIR",
                        help="save every fetched page as a fixture under DIR/<slug>/ (origin: recorded <date>)")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for this probe (repeatable)")
    parser.set_defaults(func=run)


def _site_classes(wanted: list[str]) -> dict[str, type] | str:
    classes = site_classes()
    unknown = [s for s in wanted if s not in classes]
    if unknown:
        return f"csto probe: unknown site(s) {', '.join(unknown)}; known: {', '.join(sorted(classes))}"
    return {s: classes[s] for s in (wanted or sorted(classes))}


def _overrides(args: argparse.Namespace) -> dict | str:
    overrides: dict = {"ITEM_PIPELINES": {}, "CSTO_INCREMENTAL": False, "CSTO_MAX_PAGES": 1,
                       "SPIDER_MIDDLEWARES": {f"{__name__}.ProbeMiddleware": 950}, "LOG_LEVEL": "WARNING"}
    if args.mirror:
        overrides["CSTO_MIRROR"] = args.mirror
    for pair in args.set:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            return f"csto probe: -s expects NAME=VALUE, got {pair!r}"
        overrides[name] = value
    return overrides


def run(args: argparse.Namespace) -> int:
    if args.articles < 1:
        print("csto probe: --articles must be at least 1", file=sys.stderr)
        return 2
    classes = _site_classes(args.sites)
    overrides = _overrides(args)
    for problem in (classes, overrides):
        if isinstance(problem, str):
            print(problem, file=sys.stderr)
            return 2
    from scrapy.crawler import AsyncCrawlerProcess

    from csto_crawler.commands._common import project_settings

    settings = project_settings(overrides)
    probe = ProbeRun(args.articles, Path(args.record) if args.record else None)
    ProbeRun.current = probe
    where = settings.get("CSTO_MIRROR") or "the real sites"
    print(f"Probing {len(classes)} site(s) at {where} ({args.articles} article(s) each) …", flush=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    try:
        process = AsyncCrawlerProcess(settings)
        for cls in classes.values():
            process.crawl(cls)
        process.start()
    finally:
        ProbeRun.current = None
    if probe.record is not None:
        from csto_crawler.commands._probe_record import finish_articles

        finish_articles(probe.saved, classes)
    print(format_report(probe, list(classes)))
    failed = [slug for slug in classes if verdict(probe.site(slug)) == "no articles"]
    if failed:
        print(f"csto probe: no article from {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def format_report(probe: ProbeRun, slugs: list[str]) -> str:
    """The per-site report."""
    lines = []
    for slug in slugs:
        site = probe.site(slug)
        articles = site.articles
        lines.append("")
        summary = f"{slug}: {verdict(site)}"
        if articles:
            texts = [a["text"] for a in articles]
            summary += (f" — {len(articles)} article(s): title {sum(a['title'] for a in articles)}/{len(articles)}, "
                        f"date {sum(a['date'] for a in articles)}/{len(articles)}, text median {int(statistics.median(texts))} chars, "
                        f"language {', '.join(sorted({a['language'] for a in articles}))}")
        lines.append(summary)
        for kind, url, method, status, found, _ in site.entries:
            shown = f"{method} {url}" if method != "GET" else url
            lines.append(f"  {kind:<9} {status:>3}  {found:>3} entries  {shown}")
        if not site.entries:
            lines.append("  (no entry point answered)")
        for article in articles:
            lines.append(f"  article   title {'yes' if article['title'] else 'NO '}  date {'yes' if article['date'] else 'NO '}"
                         f"  text {article['text']:>6}  {article['language']:<3} {article['url']}")
        for url, outcome, detail in site.records[:10]:
            lines.append(f"  {outcome:<9} {url}: {detail}")
    if probe.record is not None:
        lines.append(f"\nRecorded {len(probe.saved)} page(s) under {probe.record} (origin: recorded {date.today().isoformat()}); "
                     "review them, set relevant on the articles, and move them into tests/fixtures/")
    return "\n".join(lines)
