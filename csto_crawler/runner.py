"""Running several spiders in one process, and summarising their runs from the archive.

Used by ``csto refresh`` and ``csto demo``. The spiders run concurrently in one Scrapy process;
each site is its own crawler, so per-site politeness (one request at a time, delays,
AutoThrottle, robots.txt) is intact. Settings come from ``csto_crawler.settings`` directly,
never from ``SCRAPY_SETTINGS_MODULE``.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import AsyncCrawlerProcess

from csto_crawler.commands._common import project_settings
from csto_crawler.items import FETCH_OUTCOMES

__all__ = ["crawl", "RunSummary", "summarise_runs", "last_run_id", "format_summaries",
           "REQUEST_KINDS"]

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


def last_run_id(db_path: str | Path) -> int:
    """The highest ``runs.id`` so far (0 for a new or absent archive)."""
    path = Path(db_path)
    if not path.exists():
        return 0
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        row = conn.execute("SELECT MAX(id) FROM runs").fetchone()
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()
    return int(row[0] or 0)


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
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        runs = conn.execute("SELECT * FROM runs WHERE id > ? ORDER BY spider, id",
                            (after_run_id,)).fetchall()
        summaries = []
        for run in runs:
            if wanted is not None and run["spider"] not in wanted:
                continue
            stats = json.loads(run["stats"] or "{}")
            outcomes = {row["outcome"]: row["n"] for row in conn.execute(
                "SELECT outcome, COUNT(*) AS n FROM fetches WHERE run_id = ? GROUP BY outcome",
                (run["id"],))}
            statuses = {k.rsplit("/", 1)[1]: v for k, v in stats.items()
                        if k.startswith("downloader/response_status_count/")}
            good = sum(v for k, v in statuses.items() if k.startswith(("2", "3")))
            summaries.append(RunSummary(
                run_id=run["id"], site=run["spider"], finish_reason=run["finish_reason"],
                outcomes={k: outcomes.get(k, 0) for k in FETCH_OUTCOMES},
                requests={k: int(stats.get(f"csto/requests/{k}", 0)) for k in REQUEST_KINDS},
                conditional=int(stats.get("csto/requests/conditional", 0)),
                responses=good,
                bytes=int(stats.get("downloader/response_bytes", 0)),
                errors=[row["detail"] for row in conn.execute(
                    "SELECT detail FROM fetches WHERE run_id = ? AND outcome = 'error' "
                    "ORDER BY id LIMIT 3", (run["id"],))],
            ))
    finally:
        conn.close()
    return summaries


def format_summaries(summaries: Sequence[RunSummary]) -> str:
    """A one-screen table: per site the fetch outcomes and requests by kind."""
    columns = ("site", "fetched", "new", "changed", "unchanged", "304", "dup", "irrel",
               "gone", "blocked", "errors", "requests", "cond.", "status")
    rows = []
    for s in summaries:
        o = s.outcomes
        rows.append((s.site, s.fetched, o.get("new", 0), o.get("changed", 0),
                     o.get("unchanged", 0), o.get("not_modified", 0), o.get("duplicate", 0),
                     o.get("irrelevant", 0), o.get("gone", 0), o.get("blocked", 0),
                     o.get("error", 0), sum(s.requests.values()), s.conditional,
                     "FAILED" if s.failed else "ok"))
    widths = [max(len(str(c)), *(len(str(r[i])) for r in rows)) if rows else len(str(c))
              for i, c in enumerate(columns)]
    line = "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                     for i, (c, w) in enumerate(zip(columns, widths, strict=True)))
    out = [line, "-" * len(line)]
    for row in rows:
        out.append("  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w)
                             for i, (v, w) in enumerate(zip(row, widths, strict=True))))
    kinds = {k: sum(s.requests.get(k, 0) for s in summaries) for k in REQUEST_KINDS}
    out.append("requests by kind: " + ", ".join(f"{k} {v}" for k, v in kinds.items() if v)
               if any(kinds.values()) else "requests by kind: none counted")
    return "\n".join(out)
