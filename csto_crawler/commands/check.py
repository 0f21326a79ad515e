"""``csto check``: verify the archive, its WARC captures and the links between them."""

from __future__ import annotations

import sys

from pipelines.archive import Archive, ArchiveError

from ._common import archive_path, project_settings

__all__ = ["register", "run", "format_report"]


def register(sub) -> None:
    parser = sub.add_parser(
        "check",
        help="verify the archive: SQLite integrity, every capture's WARC record and digest",
        description="Runs SQLite's integrity_check; reads every capture's record at its (file, "
        "offset) and checks its payload digest; reads every WARC file to its end; reports the "
        "versions whose capture is lost (file deleted or truncated, bytes changed) and orphan "
        "captures (a record written but its fetch never committed: a crash in between; the "
        "next run fetching the same page reuses it). Exit status 1 when something is lost or "
        "unreadable, 0 otherwise.",
    )
    parser.add_argument("--db", help="the archive (default: the CSTO_ARCHIVE_DB setting)")
    parser.add_argument("--warc-dir", help="the WARC folder (default: the CSTO_WARC_DIR "
                        "setting, else warc/ beside the archive)")
    parser.set_defaults(func=run)


def format_report(report, limit: int = 50) -> str:
    """The report as the lines ``csto check`` prints."""
    lines = [f"integrity_check: {report.integrity}",
             f"captures: {report.captures} in {report.warc_files} WARC file(s)"]
    if not report.lost:
        lines.append("every capture resolves and matches its payload digest")
    else:
        lines.append(f"LOST: {len(report.lost)} capture(s) cannot be read or do not match:")
        for capture_id, reason in sorted(report.lost.items())[:limit]:
            lines.append(f"  capture {capture_id}: {reason}")
        lines.append(f"versions that lost their capture: {len(report.lost_versions)} "
                     f"(and {report.lost_fetches} fetch row(s)); their text is still archived")
        for url, number, capture_id in report.lost_versions[:limit]:
            lines.append(f"  {url} version {number} (capture {capture_id})")
    for path, reason in sorted(report.bad_files.items()):
        lines.append(f"WARC file {path}: {reason}")
    if report.orphans:
        shown = ", ".join(map(str, report.orphans[:limit]))
        lines.append(f"orphan captures (written, never committed: a crash between capture and "
                     f"store; the next run reuses them): {len(report.orphans)}: {shown}")
    if report.versions_without_capture:
        lines.append(f"versions stored before captures existed (no capture): "
                     f"{report.versions_without_capture}")
    lines.append("OK" if report.ok else "PROBLEMS FOUND")
    return "\n".join(lines)


def run(args) -> int:
    from csto_crawler.capture.check import check_archive

    db_path = archive_path(args.db)
    if not db_path.exists():
        print(f"csto check: no archive at {db_path}", file=sys.stderr)
        return 1
    warc_dir = args.warc_dir or project_settings().get("CSTO_WARC_DIR")
    try:
        with Archive(db_path) as archive:
            report = check_archive(db_path, archive.db, warc_dir=warc_dir,
                                   integrity=archive.integrity_check)
    except (ArchiveError, OSError) as exc:
        print(f"csto check: {exc}", file=sys.stderr)
        return 1
    print(f"archive {db_path}")
    print(format_report(report))
    return 0 if report.ok else 1
