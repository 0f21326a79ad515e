"""The run's discovery report: per site, one line per entry point, and which fallback found
the articles.

``EntryReport`` collects, while a site is crawled, each entry point's answer (HTTP status, or
why it got none), how many article links it showed and how many of those were new to the
archive. It keeps the crawler stats key ``csto/discovery/entry_points/<site>`` up to date (so the report
reaches ``runs.stats`` whatever the order the crawl closes in), and the spider logs its lines
when it closes. ``entry_point_lines(stats)`` formats the same lines from stored stats, e.g.::

    belta: 0 entries from https://eng.belta.by/rss (404)
    belta: 14 entries (14 new) from https://eng.belta.by/ (200; fallback: home page)
    belta: articles found by the fallback: home page
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["STATS_PREFIX", "EntryReport", "EntryResult", "entry_point_lines"]

#: Stats key prefix of the report: ``csto/discovery/entry_points/<site>`` holds a list of results.
STATS_PREFIX = "csto/discovery/entry_points/"
#: The order fallbacks are named in (the order they usually run in).
FALLBACK_ORDER = ("robots.txt", "home page", "section page", "feed autodiscovery")


@dataclass
class EntryResult:
    """What one entry point gave in this run."""

    url: str
    #: None for a configured entry point; else the fallback that found it (``robots.txt``,
    #: ``feed autodiscovery``, ``home page``, ``section page``)
    found_by: str | None = None
    #: the HTTP status, or why there was none (``failed: …``, ``skipped: …``); "" until answered
    status: str = ""
    entries: int = 0  #: article links the entry point showed
    new: int = 0  #: of those, the ones the archive did not know

    def line(self) -> str:
        count = f"{self.entries} entries ({self.new} new)" if self.entries else "0 entries"
        how = f"; fallback: {self.found_by}" if self.found_by else ""
        return f"{count} from {self.url} ({self.status or 'no answer'}{how})"


class EntryReport:
    """One site's entry points in this run, mirrored into the crawler stats."""

    def __init__(self, site: str, crawler=None) -> None:
        self.site = site
        self.crawler = crawler  #: its stats receive the report (none: the report is kept here)
        self.results: dict[str, EntryResult] = {}
        self._rows: dict[str, dict] = {}  #: the stats' rows, one per result, updated in place
        self._published: list[dict] | None = None  #: the list the stats hold

    def result(self, url: str, found_by: str | None = None) -> EntryResult:
        """The result of an entry point (created on first sight)."""
        if url not in self.results:
            self.results[url] = EntryResult(url, found_by)
        return self.results[url]

    def answered(self, url: str, status: str, found_by: str | None = None) -> None:
        """An entry point's first answer (later pages of it do not overwrite it, but a reading
        of the same answer may qualify it: ``200`` → ``200, blocked``)."""
        result = self.result(url, found_by)
        if not result.status or (result.status == status.split(",")[0] and result.status != status):
            result.status = status
            self._publish(result)

    def counted(self, url: str, *, new: bool) -> None:
        """One article link found from an entry point (``new``: unknown to the archive)."""
        result = self.result(url)
        result.entries += 1
        result.new += int(new)
        self._publish(result)

    @property
    def entries(self) -> int:
        """Article links found from every entry point so far."""
        return sum(r.entries for r in self.results.values())

    def lines(self) -> list[str]:
        return _lines(self.site, list(self.results.values()))

    def _publish(self, result: EntryResult) -> None:
        """Mirror the results into the stats: only ``result``'s row is updated (in place, once
        per article link found) unless an entry point was added or the stats lost the list."""
        if self.crawler is None:
            return
        key = STATS_PREFIX + self.site
        row = self._rows.get(result.url)
        if (row is not None and len(self._rows) == len(self.results)
                and self.crawler.stats.get_value(key) is self._published):
            row.update(vars(result))
            return
        self._rows = {url: asdict(r) for url, r in self.results.items()}
        self._published = list(self._rows.values())
        self.crawler.stats.set_value(key, self._published)


def _lines(site: str, results: list[EntryResult]) -> list[str]:
    if not results:
        return [f"{site}: no entry points"]
    out = [f"{site}: {r.line()}" for r in results]
    fallbacks = {r.found_by for r in results if r.found_by and r.entries}
    if fallbacks:
        named = sorted(fallbacks, key=lambda x: (FALLBACK_ORDER.index(x) if x in FALLBACK_ORDER else len(FALLBACK_ORDER), x))
        out.append(f"{site}: articles found by the fallback: {', '.join(named)}")
    elif not any(r.entries for r in results):
        out.append(f"{site}: no article links found (entry points and fallbacks)")
    return out


def entry_point_lines(stats: Mapping[str, Any]) -> list[str]:
    """The report's lines from a run's stats (``runs.stats``), every site of the run."""
    out: list[str] = []
    for key in sorted(k for k in stats if k.startswith(STATS_PREFIX)):
        values = stats[key] if isinstance(stats[key], list) else []
        results = [EntryResult(**{f: v for f, v in value.items() if f in EntryResult.__dataclass_fields__})
                   for value in values if isinstance(value, dict) and value.get("url")]
        out.extend(_lines(key[len(STATS_PREFIX):], results))
    return out
