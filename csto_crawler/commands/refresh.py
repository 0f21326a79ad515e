"""``csto refresh [SLUG…]``: the scheduled job. Crawls the chosen sites (default: all) into the
archive, picking up new articles and re-checking known ones by the refresh policy.

A lock next to the archive makes sure two refreshes never overlap (the second exits at once
with a message). The exit status is non-zero when a site failed or got no usable response, so
cron mail and monitoring notice.
"""

from __future__ import annotations

import sys

from csto_crawler.runner import RefreshLocked, format_summaries, refresh
from csto_crawler.sites import spider_classes

from ._common import archive_path

#: Exit status when another refresh holds the lock.
EXIT_LOCKED = 75
#: Exit status when at least one site failed.
EXIT_FAILED = 1


def register(sub) -> None:
    parser = sub.add_parser(
        "refresh",
        help="crawl sites into the archive: new articles and due re-checks (the scheduled job)",
        description="Run the chosen spiders (default: all) in one process, concurrently, each "
        "with its own politeness limits. New articles come from feeds and first listing pages; "
        "known articles are re-checked with conditional requests when the refresh policy "
        "(CSTO_RECHECK_SCHEDULE) says they are due. Prints one line per site; exits non-zero "
        "when a site failed or got no usable response, and with 75 when another refresh "
        "is running.",
    )
    parser.add_argument("slugs", nargs="*", metavar="SLUG", help="sites to refresh (default: all)")
    parser.add_argument("--db", help="the archive (default: the CSTO_ARCHIVE_DB setting)")
    parser.add_argument("--mirror", metavar="URL",
                        help="fetch through a loopback mirror (sets CSTO_MIRROR)")
    parser.add_argument("--since", metavar="YYYY-MM-DD",
                        help="back-fill: page listings back to this date")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a Scrapy/CSTO setting for this run (repeatable)")
    parser.set_defaults(func=run)


def parse_settings(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"-s expects KEY=VALUE, not {pair!r}")
        settings[key.strip()] = value
    return settings


def run(args) -> int:
    try:
        overrides = parse_settings(args.set)
    except ValueError as exc:
        print(f"csto refresh: {exc}", file=sys.stderr)
        return 2
    return refresh_sites(args.slugs, archive_path(args.db).resolve(), overrides,
                         mirror=args.mirror, since=args.since, verbose=args.verbose)


def refresh_sites(slugs: list[str], db_path, overrides: dict | None = None, *,
                  mirror: str | None = None, since: str | None = None,
                  verbose: bool = False) -> int:
    """``csto refresh``'s job (``csto demo --live`` runs it too): refresh ``slugs`` (default:
    every spider) into ``db_path``, print the summary table; returns the exit status."""
    overrides = dict(overrides or {})
    # The summary is the output; Scrapy's own log only from warnings on, unless asked (-v).
    overrides.setdefault("LOG_LEVEL", "INFO" if verbose else "WARNING")
    if mirror:
        overrides["CSTO_MIRROR"] = mirror
    known = sorted(spider_classes())
    slugs = slugs or known
    unknown = [s for s in slugs if s not in known]
    if unknown:
        print(f"csto refresh: unknown site(s) {', '.join(unknown)}; known: {', '.join(known)}",
              file=sys.stderr)
        return 2
    try:
        result = refresh(slugs, db_path, overrides, {"since": since} if since else None)
    except RefreshLocked as exc:
        print(f"csto refresh: {exc}; not starting a second one", file=sys.stderr)
        return EXIT_LOCKED
    print(format_summaries(result.summaries))
    missing = sorted(set(slugs) - {s.site for s in result.summaries})
    failed = [s.site for s in result.summaries if s.failed] + missing
    if failed:
        print(f"csto refresh: failed or empty: {', '.join(failed)}", file=sys.stderr)
        return EXIT_FAILED
    return 0
