"""``csto export DIR``: write the archive's current texts as files, or as JSON Lines; or
``csto export --format wacz OUT.wacz``: the raw captures as a WACZ web archive."""

from __future__ import annotations

import sys
from pathlib import Path

from pipelines.archive import Archive, ArchiveError
from pipelines.export import export_jsonl, export_texts

from ._common import archive_path


def register(sub) -> None:
    parser = sub.add_parser(
        "export",
        help="export current texts as NNN_<short_hash>.txt files (or JSON Lines)",
        description="Write one file per distinct current content, named NNN_<short_hash>.txt "
        "(NNN: order of first appearance), holding title, publication date and text; or, with "
        "--format jsonl, one JSON object per article into DIR/articles.jsonl. Deterministic: "
        "exporting twice gives identical files.",
    )
    parser.add_argument("directory", metavar="DIR",
                        help="output folder (created if missing); with --format wacz the "
                        "output file, e.g. archive.wacz")
    parser.add_argument("--format", choices=("txt", "jsonl", "wacz"), default="txt",
                        help="txt (default): one file per text; jsonl: DIR/articles.jsonl; "
                        "wacz: the raw captures as one WACZ file (replayweb.page), validated")
    parser.add_argument("--db", help="the archive (default: the CSTO_ARCHIVE_DB setting)")
    parser.set_defaults(func=run)


def run(args) -> int:
    db_path = archive_path(args.db)
    if not db_path.exists():
        print(f"csto export: no archive at {db_path} (run 'csto demo' or a crawl first)",
              file=sys.stderr)
        return 1
    if args.format == "wacz":
        return _wacz(db_path, args.directory)
    try:
        with Archive(db_path) as archive:
            if args.format == "jsonl":
                count = export_jsonl(archive.db, Path(args.directory) / "articles.jsonl")
            else:
                count = len(export_texts(archive.db, args.directory))
    except (ArchiveError, OSError) as exc:
        print(f"csto export: {exc}", file=sys.stderr)
        return 1
    print(f"exported {count} {'articles' if args.format == 'jsonl' else 'texts'} to {args.directory}")
    return 0


def _wacz(db_path: Path, out: str) -> int:
    from csto_crawler.capture.wacz import WaczError, export_wacz

    try:
        with Archive(db_path) as archive:
            counts = export_wacz(db_path, archive.db, out)
    except (ArchiveError, OSError, WaczError) as exc:
        print(f"csto export: {exc}", file=sys.stderr)
        return 1
    print(f"exported {counts['captures']} captures from {counts['warc_files']} WARC file(s) to "
          f"{out} ({counts['bytes']} bytes); wacz validate passed")
    return 0
