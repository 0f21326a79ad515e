"""``csto reextract``: run today's extraction over the stored captures (no re-crawl)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from pipelines.archive import Archive, ArchiveError

from ._common import archive_path
from ._progress import ProgressBar

__all__ = ["register", "run", "format_summary"]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {value!r}") from None


def register(sub) -> None:
    parser = sub.add_parser(
        "reextract",
        help="re-extract archived articles from their stored captures (no re-crawl)",
        description="Parses each document's latest stored capture again with today's "
        "extraction (the site's rules, found by URL). Where the cleaned text changed, adds a "
        "version (reason 'reextract', with the extractor's version) and an audit row in "
        "'reextractions' (run, URL, old and new version, words added and removed). Nothing is "
        "deleted; a second run with the same extractor adds nothing.",
    )
    parser.add_argument("--site", help="only this site (slug)")
    parser.add_argument("--since", type=_date, metavar="DATE",
                        help="only captures fetched on or after DATE (YYYY-MM-DD)")
    parser.add_argument("--dry-run", action="store_true",
                        help="report what would change, write nothing")
    parser.add_argument("--db", help="the archive (default: the CSTO_ARCHIVE_DB setting)")
    parser.set_defaults(func=run)


def format_summary(summary, dry_run: bool = False) -> str:
    """One line per site, then the total."""
    columns = ("checked", "changed", "unchanged", "not_article", "unreadable")
    lines = [f"{'site':<16}" + "".join(f"{c:>12}" for c in columns)]
    total = {c: 0 for c in columns}
    for site, counts in sorted(summary.sites.items()):
        lines.append(f"{site:<16}" + "".join(f"{counts.get(c, 0):>12}" for c in columns))
        for c in columns:
            total[c] += counts.get(c, 0)
    lines.append(f"{'total':<16}" + "".join(f"{total[c]:>12}" for c in columns))
    verb = "would add" if dry_run else "added"
    run = "" if dry_run else f" (reextract run {summary.run})"
    lines.append(f"extractor {summary.extractor}: {verb} {len(summary.changes)} version(s){run}")
    return "\n".join(lines)


def run(args) -> int:
    from csto_crawler.capture.reextract import reextract

    db_path = archive_path(args.db)
    if not db_path.exists():
        print(f"csto reextract: no archive at {db_path}", file=sys.stderr)
        return 1
    bar = ProgressBar("reextract")
    try:
        with Archive(db_path) as archive:
            summary = reextract(db_path, archive.db, site=args.site, since=args.since,
                                dry_run=args.dry_run, progress=bar)
    except (ArchiveError, OSError) as exc:
        bar.close()
        print(f"csto reextract: {exc}", file=sys.stderr)
        return 1
    bar.close()
    if not summary.sites:
        print("csto reextract: no stored captures match (crawl with CSTO_CAPTURE=articles first)")
        return 0
    for change in summary.changes:
        print(f"{change.site} {change.url}: +{change.words_added} -{change.words_removed} words")
    print(format_summary(summary, args.dry_run))
    return 0
