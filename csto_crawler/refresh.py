"""Incremental refresh: what the archive already knows, and when a known article is due again.

* ``RecheckSchedule``: re-check intervals that thin out with an article's age, e.g.
  ``1d:4h,7d:1d,30d:7d,*:30d`` (younger than a day: every 4 hours; than a week: daily; than a
  month: weekly; older: monthly). ``*:never`` stops re-checking old articles.
* ``ArchiveState``: a read-only snapshot of one site's documents and fetches, taken when a
  spider opens, telling the spider which URLs are known, which are irrelevant (never fetched
  again), which are due for a re-check, and the ETag/Last-Modified to send back so a re-check
  is a conditional request (a ``304`` costs no parsing). A URL that was ``blocked`` (a bot
  challenge, a refusal) is tried again on a later run, with a back-off that doubles with each
  consecutive block (``BLOCK_BACKOFF`` up to ``BLOCK_BACKOFF_MAX``), entry points included.
* ``RefreshState``: what one run decides with: the snapshot, the schedule and the moment the
  run started, built once per spider (``RefreshState.open``); ``IncrementalRefresh`` is the
  spider's side of it (a mixin of ``NewsSpider``).

The clock is the refresh policy's, never the extraction's; tests pass their own ``now``.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from csto_crawler.urls import canonicalize
from pipelines.reader import ArchiveReader

if TYPE_CHECKING:
    import scrapy
    from scrapy.http import Response

__all__ = ["BLOCK_BACKOFF", "BLOCK_BACKOFF_MAX", "ArchiveState", "KnownUrl", "RecheckSchedule",
           "IncrementalRefresh", "RefreshState", "parse_duration"]

logger = logging.getLogger(__name__)

#: The wait before a blocked URL is tried again, doubled for each further consecutive block.
BLOCK_BACKOFF = timedelta(hours=1)
#: The longest wait before a blocked URL is tried again.
BLOCK_BACKOFF_MAX = timedelta(days=7)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_duration(text: str) -> timedelta:
    """``"4h"`` → 4 hours; units s, m, h, d, w."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30m, 4h, 7d, 2w)")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


@dataclass(frozen=True)
class RecheckSchedule:
    """Re-check intervals by age: ``steps`` are (age limit, interval), youngest first."""

    steps: tuple[tuple[timedelta, timedelta | None], ...]
    older: timedelta | None  #: interval past the last age limit; None: never re-check

    @classmethod
    def parse(cls, spec: str) -> RecheckSchedule:
        """Parse ``"1d:4h,7d:1d,30d:7d,*:30d"``; a bad spec raises ``ValueError`` saying why."""
        steps: list[tuple[timedelta, timedelta | None]] = []
        older: timedelta | None = None
        seen_star = False
        for part in filter(None, (p.strip() for p in spec.split(","))):
            age, sep, interval = part.partition(":")
            if not sep:
                raise ValueError(f"schedule step {part!r} needs AGE:INTERVAL")
            every = None if interval.strip() == "never" else parse_duration(interval)
            if age.strip() == "*":
                older, seen_star = every, True
            else:
                limit = parse_duration(age)
                if steps and limit <= steps[-1][0]:
                    raise ValueError(f"schedule ages must increase: {spec!r}")
                steps.append((limit, every))
        if not seen_star:
            raise ValueError(f"schedule {spec!r} needs a final '*:INTERVAL' (or '*:never') step")
        return cls(tuple(steps), older)

    def interval(self, age: timedelta) -> timedelta | None:
        """How often an article of this age is re-checked (None: never)."""
        for limit, every in self.steps:
            if age < limit:
                return every
        return self.older

    def is_due(self, *, born: datetime, last_checked: datetime, now: datetime) -> bool:
        """Whether an article first published (or seen) at ``born`` is due for a re-check."""
        every = self.interval(max(now - born, timedelta(0)))
        return every is not None and now - last_checked >= every


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class KnownUrl:
    """What the archive knows of one URL."""

    url: str
    document_id: int | None
    status: str | None  #: live / gone / blocked, None for a URL without a document
    etag: str | None
    last_modified: str | None
    last_checked: datetime | None
    born: datetime | None  #: publication date, else first seen
    irrelevant: bool = False
    #: the last fetch outcome of a URL without a document (blocked, error, gone, irrelevant)
    outcome: str | None = None
    #: how many of the latest fetches of a URL without a document were blocked in a row
    blocked_streak: int = 0
    #: when a URL without a document was last fetched
    last_fetched: datetime | None = None

    def retry_after(self) -> datetime | None:
        """When a blocked URL may be tried again (None: it was not blocked)."""
        if self.outcome != "blocked" or not self.blocked_streak or self.last_fetched is None:
            return None
        wait = min(BLOCK_BACKOFF * 2 ** (self.blocked_streak - 1), BLOCK_BACKOFF_MAX)
        return self.last_fetched + wait

    def conditional_headers(self) -> dict[str, str]:
        """``If-None-Match``/``If-Modified-Since`` from the last fetch of this document."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class ArchiveState:
    """What the archive knows about one site, read once (read-only) when a spider opens."""

    def __init__(self, known: dict[str, KnownUrl] | None = None) -> None:
        self._known = known or {}
        #: document id -> its key URL (the first URL loaded for it: ``documents.url``)
        self._documents: dict[int, KnownUrl] = {}
        for entry in self._known.values():
            if entry.document_id is not None:
                self._documents.setdefault(entry.document_id, entry)

    @classmethod
    def load(cls, db_path: str | Path, site: str) -> ArchiveState:
        """Snapshot ``site``'s documents and fetched URLs; an absent archive is empty."""
        path = Path(db_path)
        if not path.exists():
            return cls()
        known: dict[str, KnownUrl] = {}
        reader = ArchiveReader(path)
        try:
            docs: dict[int, KnownUrl] = {}
            for row in reader.site_documents(site):
                entry = KnownUrl(
                    url=row["url"], document_id=row["id"], status=row["status"],
                    etag=row["etag"], last_modified=row["last_modified"],
                    last_checked=_parse_time(row["last_checked"]),
                    born=_parse_time(row["published_at"]) or _parse_time(row["first_seen"]),
                )
                docs[row["id"]] = entry
                known[row["url"]] = entry
            _load_fetches(reader, site, docs, known)
        except sqlite3.Error as exc:
            logger.warning("could not read the archive state of %s from %s: %s", site, path, exc)
            return cls()
        return cls(known)

    def __len__(self) -> int:
        return len(self._known)

    def retry_after(self, url: str) -> datetime | None:
        """When a URL that was blocked may be fetched again (None: it was not blocked)."""
        entry = self._known.get(url)
        return entry.retry_after() if entry is not None else None

    def get(self, url: str) -> KnownUrl | None:
        return self._known.get(url)

    def knows(self, url: str) -> bool:
        """Whether the URL was fetched before (a document, an alias, or a page that was
        irrelevant, blocked, broken or gone): a listing page of known URLs ends paging."""
        return url in self._known

    def decide(self, url: str, *, now: datetime, schedule: RecheckSchedule) -> str:
        """What to do with a discovered article URL: ``new``, ``recheck`` or ``skip``."""
        entry = self._known.get(url)
        if entry is None:
            return "new"
        if entry.document_id is None:
            # never archived: irrelevant and removed pages are left alone; a page that was
            # broken last time is tried again, a blocked one once its back-off has passed
            if entry.outcome == "blocked":
                until = entry.retry_after()
                return "new" if until is None or now >= until else "skip"
            return "new" if entry.outcome == "error" else "skip"
        if entry.last_checked is None or entry.born is None:
            return "recheck"
        due = schedule.is_due(born=entry.born, last_checked=entry.last_checked, now=now)
        return "recheck" if due else "skip"

    def due(self, *, now: datetime, schedule: RecheckSchedule) -> list[KnownUrl]:
        """The site's documents due for a re-check (gone ones excluded), oldest check first."""
        due = [entry for entry in self._documents.values()
               if entry.status != "gone"
               and self.decide(entry.url, now=now, schedule=schedule) == "recheck"]
        due.sort(key=lambda e: e.last_checked or datetime.min.replace(tzinfo=UTC))
        return due


def _load_fetches(reader: ArchiveReader, site: str, docs: dict[int, KnownUrl],
                  known: dict[str, KnownUrl]) -> None:
    """Add the URLs fetched under another name than their document's key, and the pages that
    were never archived (irrelevant, blocked, broken, gone) with their latest outcome."""
    streaks = reader.blocked_streaks(site)
    for row in reader.site_fetched_urls(site):
        url = row["url"]
        if url in known:
            continue
        if row["document_id"] in docs:
            entry = docs[row["document_id"]]
            known[url] = KnownUrl(url, entry.document_id, entry.status, entry.etag,
                                  entry.last_modified, entry.last_checked, entry.born)
            continue
        known[url] = KnownUrl(url, None, None, None, None, None, None,
                              irrelevant=row["outcome"] == "irrelevant", outcome=row["outcome"],
                              blocked_streak=streaks.get(url, 0) if row["outcome"] == "blocked" else 0,
                              last_fetched=_parse_time(row["fetched_at"]))


@dataclass(frozen=True)
class RefreshState:
    """What one run decides with: the archive's snapshot, the schedule and the run's moment.

    ``enabled`` is False when the run does not consult the archive (``CSTO_INCREMENTAL`` off,
    ``-a urls``): every URL is then new.
    """

    state: ArchiveState = field(default_factory=ArchiveState)
    schedule: RecheckSchedule | None = None
    now: datetime = datetime.min.replace(tzinfo=UTC)
    enabled: bool = False

    @classmethod
    def open(cls, settings, site: str, *, enabled: bool, now: datetime) -> RefreshState:
        """Read the archive ``settings`` name (``CSTO_ARCHIVE_DB``) for ``site``, at ``now``."""
        if not enabled or settings is None or not settings.get("CSTO_ARCHIVE_DB"):
            return cls(now=now)
        state = ArchiveState.load(settings.get("CSTO_ARCHIVE_DB"), site)
        schedule = RecheckSchedule.parse(settings.get("CSTO_RECHECK_SCHEDULE", "*:never"))
        return cls(state=state, schedule=schedule, now=now, enabled=True)

    @property
    def active(self) -> bool:
        """Whether there is anything to decide with (enabled, and the archive knows the site)."""
        return self.enabled and self.schedule is not None and len(self.state) > 0

    def decide(self, url: str) -> str:
        """``new``, ``recheck`` or ``skip`` for a discovered article URL."""
        if not self.active:
            return "new"
        return self.state.decide(url, now=self.now, schedule=self.schedule)

    def due(self) -> list[KnownUrl]:
        """The known documents due for a re-check."""
        return self.state.due(now=self.now, schedule=self.schedule) if self.active else []

    def knows(self, url: str) -> bool:
        return self.active and self.state.knows(url)

    def backing_off(self, url: str) -> datetime | None:
        """Until when a URL that was blocked waits before it is fetched again, or None."""
        if not self.active:
            return None
        until = self.state.retry_after(url)
        return until if until is not None and self.now < until else None


class IncrementalRefresh:
    """What the archive knows, consulted by ``NewsSpider`` (a mixin): the run's
    ``RefreshState`` (built once, at the spider's ``clock``), re-checks and the paging stop."""

    def recheck_request(self, url: str) -> scrapy.Request:
        """A conditional re-check of a known article (``If-None-Match``/``If-Modified-Since``
        from its last fetch: an unchanged page answers 304 and costs no parsing)."""
        known = self.archive_state.get(url)
        headers = known.conditional_headers() if known else {}
        return self.article_request(url, kind="recheck", headers=headers)

    @property
    def incremental(self) -> bool:
        """Whether this run consults the archive (``CSTO_INCREMENTAL``; ``-a urls`` never does)."""
        settings = getattr(self, "settings", None)
        return bool(settings is not None and settings.getbool("CSTO_INCREMENTAL", True) and not self.urls)

    @cached_property
    def refresh(self) -> RefreshState:
        """What the archive knows of this site, at the run's moment (``clock``), read once."""
        state = RefreshState.open(getattr(self, "settings", None), self.name, enabled=self.incremental, now=self.clock())
        if len(state.state):
            self.logger.info("%s: the archive knows %d URL(s) of this site", self.name, len(state.state))
        return state

    @property
    def archive_state(self) -> ArchiveState:
        """The archive's snapshot of this site (``refresh.state``)."""
        return self.refresh.state

    def refresh_decision(self, url: str) -> str:
        """``new``, ``recheck`` or ``skip`` for a discovered article URL."""
        return self.refresh.decide(url)

    def recheck_requests(self) -> list[scrapy.Request]:
        """Conditional re-checks of the known articles due by the schedule, wherever they
        were discovered (those no feed or listing shows any more included)."""
        due = [e for e in self.refresh.due() if self.is_article_url(e.url)]
        if due:
            self.logger.info("%s: %d known article(s) due for a re-check", self.name, len(due))
        return [self.recheck_request(entry.url) for entry in due]

    def all_known(self, entries: list[tuple[str, date | None]], response: Response) -> bool:
        """Whether every article link of a listing page is already in the archive."""
        links = [canonicalize(response.urljoin(u)) for u, _ in entries]
        links = [u for u in links if self.is_article_url(u)]
        return bool(links) and all(self.refresh.knows(u) for u in links)


def _first_page(spider, url: str) -> int:
    """The first listing page number of the site a URL belongs to (a dispatching spider's
    sites each have their own)."""
    try:
        site = spider.site_for(url) if hasattr(spider, "site_for") else spider
    except ValueError:
        site = spider
    return getattr(site, "first_page", 1)


class RequestKindStats:
    """Extension: counts requests that reach the downloader by kind (``csto/requests/<kind>``:
    robots, feeds, sitemaps, listings, search, article, recheck) and how many were conditional
    (``csto/requests/conditional``), and listing pages past the first
    (``csto/requests/deeper_pages``), so a run reports what it asked of the site."""

    def __init__(self, stats) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        extension = cls(crawler.stats)
        crawler.signals.connect(extension.request_reached, signal=signals.request_reached_downloader)
        return extension

    def request_reached(self, request, spider) -> None:
        if request.url.endswith("/robots.txt"):
            kind = "robots"
        else:
            kind = request.meta.get("csto_kind") or "other"
        self.stats.inc_value(f"csto/requests/{kind}")
        page = request.meta.get("csto_page")
        if page is not None and page > _first_page(spider, request.url):
            self.stats.inc_value("csto/requests/deeper_pages")
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            self.stats.inc_value("csto/requests/conditional")
