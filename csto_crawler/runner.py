"""Running several spiders in one process, and summarising their runs from the archive.

``refresh`` is the job ``csto refresh`` and ``csto demo`` both run: under a lock beside the
archive (two refreshes never overlap), the spiders run concurrently in one Scrapy process; each
site is its own crawler, so per-site politeness (one request at a time, delays, AutoThrottle,
robots.txt) is intact. The runs are then summarised from the archive (``ArchiveReader``) and
``format_table`` lays out both commands' summary tables. Settings come from
``csto_crawler.settings`` directly, never from ``SCRAPY_SETTINGS_MODULE``.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import AsyncCrawlerProcess

from csto_crawler.config import project_settings
from csto_crawler.discovery import entry_point_lines
from csto_crawler.items import FETCH_OUTCOMES
from pipelines.reader import ArchiveReader

__all__ = ["crawl", "refresh", "refresh_lock", "RefreshLocked", "RefreshResult", "RunSummary",
           "summarise_runs", "last_run_id", "format_summaries", "format_table", "REQUEST_KINDS"]

logger = logging.getLogger(__name__)

#: Request kinds counted in ``csto/requests/<kind>`` (see ``csto_crawler.refresh``).
REQUEST_KINDS = ("robots", "feeds", "sitemaps", "listings", "search", "article", "recheck")


def crawl(slugs: Sequence[str], overrides: dict | None = None,
          spider_args: dict | None = None) -> None:
    """Run the named spiders (concurrently, in this process) until all have finished."""
    settings = project_settings(overrides)
    # Scrapy configures logging from LOG_LEVEL; a handler the CLI installed earlier would
    # print every record a second time, unfiltered.
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    process = AsyncCrawlerProcess(settings)
    for slug in slugs:
        process.crawl(slug, **(spider_args or {}))
    process.start()


class RefreshLocked(RuntimeError):
    """Another refresh holds the lock."""


@contextmanager
def refresh_lock(db_path: Path) -> Iterator[Path]:
    """An exclusive, non-blocking lock beside the archive (released when the process dies)."""
    lock_path = db_path.with_name(db_path.name + ".refresh.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RefreshLocked(f"another refresh is running ({holder}); lock: {lock_path}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        yield lock_path
    finally:
        handle.close()


@dataclass
class RefreshResult:
    """What one refresh did: the runs it recorded, after the archive's run ``before``."""

    before: int
    summaries: list[RunSummary]


def refresh(slugs: Sequence[str], db_path: Path, overrides: dict | None = None,
            spider_args: dict | None = None) -> RefreshResult:
    """Crawl the named spiders into the archive at ``db_path`` under the refresh lock, and
    summarise their runs. Raises ``RefreshLocked`` (at once) when another refresh holds it."""
    settings = {**(overrides or {}), "CSTO_ARCHIVE_DB": str(db_path)}
    with refresh_lock(db_path):
        before = last_run_id(db_path)
        crawl(slugs, settings, spider_args)
        summaries = summarise_runs(db_path, before, slugs)
    return RefreshResult(before, summaries)


def last_run_id(db_path: str | Path) -> int:
    """The highest ``runs.id`` so far (0 for a new or absent archive)."""
    return ArchiveReader(db_path).last_run_id()


@dataclass
class RunSummary:
    """One spider's run, as the archive recorded it."""

    run_id: int
    site: str
    finish_reason: str | None
    outcomes: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    conditional: int = 0
    responses: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)
    #: one line per entry point (URL, status, entries, new ones) and the fallback that found
    #: articles, from the run's discovery report (``discovery.entry_point_lines``)
    entry_points: list[str] = field(default_factory=list)

    @property
    def fetched(self) -> int:
        return sum(self.outcomes.values())

    @property
    def failed(self) -> bool:
        """The run did not finish normally, or got no usable response from the site at all."""
        return self.finish_reason != "finished" or self.responses == 0


def summarise_runs(db_path: str | Path, after_run_id: int,
                   sites: Iterable[str] | None = None) -> list[RunSummary]:
    """Summaries of the runs recorded after ``after_run_id`` (optionally only these sites)."""
    wanted = set(sites) if sites is not None else None
    reader = ArchiveReader(db_path)
    return [_summary(reader, run) for run in reader.runs_after(after_run_id)
            if wanted is None or run["spider"] in wanted]


def _summary(reader: ArchiveReader, run: dict) -> RunSummary:
    stats = json.loads(run["stats"] or "{}")
    outcomes = reader.run_outcomes(run["id"])
    statuses = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                if k.startswith("downloader/response_status_count/")}
    return RunSummary(
        run_id=run["id"], site=run["spider"], finish_reason=run["finish_reason"],
        outcomes={k: outcomes.get(k, 0) for k in FETCH_OUTCOMES},
        requests={k: int(stats.get(f"csto/requests/{k}", 0)) for k in REQUEST_KINDS},
        conditional=int(stats.get("csto/requests/conditional", 0)),
        responses=sum(v for k, v in statuses.items() if k.startswith(("2", "3"))),
        bytes=int(stats.get("downloader/response_bytes", 0)),
        errors=reader.run_errors(run["id"]),
        entry_points=entry_point_lines(stats),
    )


def format_table(header: Sequence[str], rows: Sequence[Sequence], *,
                 left: Iterable[int] = (0,), total: Sequence | None = None) -> str:
    """A plain-text table: the ``left`` columns left-aligned, the others right-aligned, a rule
    under the header and, when there is a ``total`` row, above it."""
    left = set(left)
    body = [*rows, *([total] if total is not None else [])]
    widths = [max(len(str(row[i])) for row in (header, *body)) for i in range(len(header))]

    def line(row: Sequence) -> str:
        return "  ".join(str(v).ljust(w) if i in left else str(v).rjust(w)
                         for i, (v, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    rule = "-" * len(line(header))
    out = [line(header), rule, *(line(row) for row in rows)]
    if total is not None:
        out += [rule, line(total)]
    return "\n".join(out)


#: The columns of ``csto refresh``'s table after ``site`` and ``fetched``: (heading, outcome).
REFRESH_COLUMNS = (("new", "new"), ("changed", "changed"), ("unchanged", "unchanged"),
                   ("304", "not_modified"), ("dup", "duplicate"), ("irrel", "irrelevant"),
                   ("gone", "gone"), ("blocked", "blocked"), ("errors", "error"))


def format_summaries(summaries: Sequence[RunSummary]) -> str:
    """``csto refresh``'s one-screen table: per run the fetch outcomes and requests by kind."""
    header = ("site", "fetched", *(h for h, _ in REFRESH_COLUMNS), "requests", "cond.", "status")
    rows = [(s.site, s.fetched, *(s.outcomes.get(o, 0) for _, o in REFRESH_COLUMNS),
             sum(s.requests.values()), s.conditional, "FAILED" if s.failed else "ok")
            for s in summaries]
    kinds = {k: sum(s.requests.get(k, 0) for s in summaries) for k in REQUEST_KINDS}
    by_kind = ("requests by kind: " + ", ".join(f"{k} {v}" for k, v in kinds.items() if v)
               if any(kinds.values()) else "requests by kind: none counted")
    discovery = [f"  {line}" for s in summaries for line in s.entry_points]
    found = "\n".join(["entry points:", *discovery]) if discovery else ""
    return format_table(header, rows) + "\n" + by_kind + ("\n" + found if found else "")
