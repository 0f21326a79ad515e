"""``csto import-warc FILE…``: archive the articles in WARC files other crawlers wrote."""

from __future__ import annotations

import sys
from pathlib import Path

from pipelines.archive import ArchiveError

from ._common import archive_path, project_settings

__all__ = ["register", "run"]


def register(sub) -> None:
    parser = sub.add_parser(
        "import-warc",
        help="archive the articles in WARC files from other crawlers (wget, Heritrix, "
        "Browsertrix)",
        description="Reads each WARC file (gzipped or not, WARC/1.0 or 1.1) and sends every 2xx "
        "HTML response through the archive's pipelines (clean, relevance, fingerprint, store): "
        "site rules by URL, generic extraction on other hosts. Each imported response is also "
        "written into the archive's own WARC files and linked to its version; a capture the "
        "archive already holds (same URL, same payload digest) is skipped, so importing a file "
        "twice adds nothing.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="WARC files (.warc, .warc.gz)")
    parser.add_argument("--db", help="the archive (default: the CSTO_ARCHIVE_DB setting)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from csto_crawler.capture.importer import import_warcs

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        print(f"csto import-warc: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    settings = project_settings()
    db_path = archive_path(args.db)
    try:
        summary = import_warcs(args.files, db_path, warc_dir=settings.get("CSTO_WARC_DIR"),
                               relevance=settings.get("CSTO_RELEVANCE"),
                               terms=settings.get("CSTO_RELEVANCE_TERMS"),
                               max_bytes=settings.getint("CSTO_WARC_MAX_BYTES"))
    except (ArchiveError, OSError) as exc:
        print(f"csto import-warc: {exc}", file=sys.stderr)
        return 1
    for path, counts in summary.files.items():
        shown = ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "no records"
        print(f"{path}: {shown}")
    for path, error in summary.errors.items():
        print(f"csto import-warc: {path}: {error} (the records before it were imported)",
              file=sys.stderr)
    stored = sum(summary.outcomes.get(k, 0) for k in ("new", "changed", "duplicate"))
    print(f"imported into {db_path}: {stored} article version(s) stored, "
          f"{summary.outcomes.get('unchanged', 0)} unchanged, "
          f"{summary.outcomes.get('duplicate_capture', 0)} capture(s) already archived")
    return 1 if summary.errors else 0
