"""``csto demo``: the whole pipeline in one command, on the real sites or offline.

When the source sites cannot be reached (no network, as on the project's own machines) or with
``--offline``, it starts the offline sample web (``csto_crawler.mirror``) on a free loopback
port, crawls every spider through it (``CSTO_MIRROR``) into the archive (``CSTO_ARCHIVE_DB``,
by default ``archive/archive.db``) in one Scrapy process, prints what each site's run did, and
says how to browse the archive with Datasette. The sample web is the same bytes on every run,
so running the demo again adds no version. When the sites can be reached (or with ``--live``)
it runs the real job instead: ``csto refresh`` over every site, politely.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from csto_crawler.mirror import DEFAULT_FIXTURES, MirrorServer
from csto_crawler.runner import RefreshLocked, format_table, refresh
from csto_crawler.sites import configured_sites, spider_classes
from pipelines.reader import ArchiveReader

from ._common import archive_path
from .refresh import refresh_sites

__all__ = ["archive_counts", "format_demo_table", "register", "run", "run_statuses", "site_outcomes",
           "sites_of"]

logger = logging.getLogger(__name__)

#: The summary's columns: (heading, fetch outcomes counted in it).
COLUMNS = (
    ("new", ("new",)),
    ("changed", ("changed",)),
    ("unchanged", ("unchanged", "not_modified", "duplicate")),
    ("irrelevant", ("irrelevant",)),
    ("gone", ("gone",)),
    ("errors", ("error", "blocked")),
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="crawl every site into the archive and summarise (offline sample sites when the "
        "real ones cannot be reached)",
        description=(
            "The main job in one command. When the real sites can be reached (or with --live) it "
            "runs csto refresh over every site. Otherwise (or with --offline) it starts the "
            "offline sample web on a free loopback port, crawls every site through it "
            "into the archive (default: the CSTO_ARCHIVE_DB setting, archive/archive.db), print "
            "per site what was fetched (new, changed, unchanged, irrelevant, errors) and how to "
            "browse the result with Datasette. Running it again adds no version."
        ),
    )
    parser.add_argument("--db", help="the archive (default: the CSTO_ARCHIVE_DB setting)")
    parser.add_argument("--fixtures", default=str(DEFAULT_FIXTURES), metavar="DIR",
                        help="the sample pages to serve (default: the project's tests/fixtures)")
    parser.add_argument("sites", nargs="*", metavar="SITE",
                        help="crawl only these sites (default: every spider)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--offline", action="store_true",
                      help="crawl the bundled sample sites (the default when the real sites "
                      "cannot be reached)")
    mode.add_argument("--live", action="store_true",
                      help="crawl the real sites, as csto refresh does (the default when they "
                      "can be reached)")
    parser.set_defaults(func=run)


#: How long the reachability probe waits for one site (seconds).
PROBE_TIMEOUT = 3.0


def sites_reachable(hosts: Sequence[str], timeout: float = PROBE_TIMEOUT, port: int = 443) -> bool:
    """Whether any of these hosts accepts an HTTPS connection (a network is there)."""
    for host in hosts:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return True
        except OSError:
            continue
    return False


def probe_hosts(sites: Sequence[str], limit: int = 3) -> list[str]:
    """The home hosts of the first few sites, to probe for a network."""
    classes = spider_classes()
    hosts = []
    for site in sites:
        host = urlsplit(getattr(classes.get(site), "home_url", "") or "").hostname
        if host and host not in hosts:
            hosts.append(host)
    return hosts[:limit]


def choose_mode(args: argparse.Namespace, sites: Sequence[str], probe=sites_reachable) -> str:
    """``live`` or ``offline``: as asked, else live exactly when the sites can be reached."""
    if args.offline or getattr(args, "fixtures", None) != str(DEFAULT_FIXTURES):
        return "offline"
    if args.live:
        return "live"
    return "live" if probe(probe_hosts(sites)) else "offline"


def archive_counts(db_path: Path, after_run_id: int = 0) -> dict[str, int]:
    """How many sites, documents and versions the archive holds, and how many versions the
    runs after ``after_run_id`` added (read-only)."""
    return ArchiveReader(db_path).counts(after_run_id)


def site_outcomes(db_path: Path, after_run_id: int) -> dict[str, dict[str, int]]:
    """Fetch outcomes per site (``fetches.site``) of the runs after ``after_run_id``."""
    return ArchiveReader(db_path).site_outcomes(after_run_id)


def sites_of(spiders: Sequence[str]) -> dict[str, str]:
    """Every site the spiders crawl, mapped to its spider (a dispatching spider such as
    ``news`` crawls several configured sites)."""
    classes = spider_classes()
    sites: dict[str, str] = {}
    for name in spiders:
        cls = classes[name]
        if getattr(cls, "dispatcher", False):
            for slug in configured_sites(dispatcher=cls):
                sites[slug] = name
        else:
            sites[name] = name
    return dict(sorted(sites.items()))


def format_demo_table(outcomes: dict[str, dict[str, int]], statuses: dict[str, str]) -> str:
    """One row per site (the keys of ``statuses``, in order): fetched and the outcome columns."""
    header = ("site", "fetched", *(name for name, _ in COLUMNS), "status")
    rows, totals = [], [0] * (1 + len(COLUMNS))
    for site, status in statuses.items():
        counts = outcomes.get(site, {})
        values = [sum(counts.values())]
        values += [sum(counts.get(o, 0) for o in counted) for _, counted in COLUMNS]
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        rows.append((site, *values, status))
    return format_table(header, rows, left=(0, len(header) - 1), total=("total", *totals, ""))


def run_statuses(summaries: Sequence, sites: dict[str, str]) -> dict[str, str]:
    """Per site: ``ok``, ``FAILED`` (its spider's run failed) or ``NO RUN``."""
    by_spider: dict[str, list] = {}
    for summary in summaries:
        by_spider.setdefault(summary.site, []).append(summary)
    statuses = {}
    for site, spider in sites.items():
        runs = by_spider.get(spider, [])
        statuses[site] = ("NO RUN" if not runs else
                          "FAILED" if any(run.failed for run in runs) else "ok")
    return statuses


def _shown(path: Path) -> str:
    """A path relative to the working folder when it is below it."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


def _datasette_command(db_path: Path) -> str:
    venv_bin = Path(sys.executable).parent
    datasette = venv_bin / "datasette"
    program = _shown(datasette) if datasette.exists() else "datasette"
    target = db_path.parent if db_path.name == "archive.db" else db_path
    return f"{program} {_shown(target)}{'/' if target.is_dir() else ''}"


def _csto_serve_command(db_path: Path) -> str:
    csto = Path(sys.executable).parent / "csto"
    program = _shown(csto) if csto.exists() else "csto"
    default = archive_path(None).resolve()
    return f"{program} serve" + ("" if db_path == default else f" --db {_shown(db_path)}")


def _print_stories(db_path: Path) -> None:
    """The stories line and the coverage chart (pipelines.stories.summary)."""
    from pipelines.stories.summary import summary_lines, write_chart

    for line in summary_lines(db_path):
        print(line)
    print(f"Articles per site per month: {_shown(write_chart(db_path))} "
          "(or http://127.0.0.1:8001/-/coverage.svg)")


def run(args: argparse.Namespace) -> int:
    db_path = archive_path(args.db).resolve()
    known = sorted(spider_classes())
    sites = args.sites or known
    unknown = [s for s in sites if s not in known]
    if unknown:
        print(f"csto demo: unknown site(s) {', '.join(unknown)}; known: {', '.join(known)}",
              file=sys.stderr)
        return 2
    verbose = getattr(args, "verbose", False)
    if choose_mode(args, sites) == "live":
        print(f"The sites can be reached: crawling the real sites into {_shown(db_path)}, "
              "politely (one request at a time per site, with delays); this takes a while. "
              "Use --offline for the bundled sample sites.", flush=True)
        return refresh_sites(list(sites), db_path, verbose=verbose)
    forced = args.offline or args.fixtures != str(DEFAULT_FIXTURES)
    print("Using the bundled offline sample sites"
          + ("." if forced else " (the real sites cannot be reached from here; --live to insist)."))
    if not verbose:
        for handler in logging.getLogger().handlers:
            handler.setLevel(logging.WARNING)
    try:
        mirror = MirrorServer(args.fixtures)
    except FileNotFoundError as exc:
        print(f"csto demo: {exc}", file=sys.stderr)
        return 2
    return _run_offline(mirror, sites, db_path)


def _run_offline(mirror: MirrorServer, sites: Sequence[str], db_path: Path) -> int:
    """Crawl ``sites`` through the sample web ``mirror`` into ``db_path``; print the report."""
    started = time.monotonic()
    with mirror:
        print(f"Offline sample web: {len(mirror.tree.pages())} pages of "
              f"{len(mirror.tree.hosts())} hosts at {mirror.base_url}")
        print(f"Crawling {len(sites)} sites into {_shown(db_path)} …", flush=True)
        # Log through csto's own handler only (Scrapy's would repeat every line), at WARNING
        # unless -v: the summary below is the output, not Scrapy's per-spider stats dumps.
        try:
            result = refresh(sites, db_path, {"CSTO_MIRROR": mirror.base_url,
                                              "LOG_ENABLED": False})
        except RefreshLocked as exc:
            print(f"csto demo: {exc}; try again when it has finished", file=sys.stderr)
            return 75
        if not db_path.exists():
            print(f"csto demo: the crawl wrote no archive at {db_path}; run with -v "
                  "to see why", file=sys.stderr)
            return 1
        requests = mirror.requests()
    elapsed = time.monotonic() - started
    statuses = run_statuses(result.summaries, sites_of(sites))
    print()
    print(format_demo_table(site_outcomes(db_path, result.before), statuses))
    counts = archive_counts(db_path, result.before)
    conditional = sum(1 for r in requests if r.conditional)
    print(f"\n{len(requests)} requests to the sample web ({conditional} conditional) in "
          f"{elapsed:.1f} s; this run added {counts['added']} versions.")
    print(f"The archive {_shown(db_path)} holds {counts['documents']} documents and "
          f"{counts['versions']} versions from {counts['sites']} sites.")
    _print_stories(db_path)
    print("\nBrowse it with Datasette (then open http://127.0.0.1:8001/):")
    print(f"    {_datasette_command(db_path)}")
    print(f"    (or: {_csto_serve_command(db_path)})")
    problems = [site for site, status in statuses.items() if status != "ok"]
    if problems:
        print(f"csto demo: no usable run for {', '.join(problems)}", file=sys.stderr)
        return 1
    return 0
