"""The archive's self-check (``csto check``): the database, the WARC files and the links between.

``check_archive`` reports

* SQLite's ``PRAGMA integrity_check``;
* every capture whose record cannot be resolved (file gone, cut short, another record at its
  offset) or whose payload no longer matches its digest, and every version and fetch that
  thereby lost its capture;
* WARC files that do not read to their end (a record cut by a crash or a truncated copy),
  including bytes no capture names;
* orphan captures: article captures no fetch, version or revisit refers to (left by a crash
  between writing the record and committing the item; the next run fetching the same payload
  revisits, i.e. reuses, them);
* versions stored before captures existed (``capture_id`` null): counted, not a fault.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from csto_crawler.capture.log import default_warc_dir, resolve_path
from csto_crawler.capture.read import CaptureReader

__all__ = ["CheckReport", "check_archive", "check_warc_file"]

logger = logging.getLogger(__name__)


@dataclass
class CheckReport:
    """What ``check_archive`` found."""

    integrity: str = "ok"
    captures: int = 0
    warc_files: int = 0
    #: capture id -> why it cannot be resolved
    lost: dict[int, str] = field(default_factory=dict)
    #: (url, version number, capture id) of versions whose capture is lost
    lost_versions: list[tuple[str, int, int]] = field(default_factory=list)
    lost_fetches: int = 0
    #: file -> why it does not read to its end
    bad_files: dict[str, str] = field(default_factory=dict)
    orphans: list[int] = field(default_factory=list)
    versions_without_capture: int = 0

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.lost and not self.bad_files


def check_warc_file(path: Path) -> tuple[int, str | None]:
    """(records read, None) when every record of ``path`` reads to its end, else the problem."""
    count = end = 0
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            records = ArchiveIterator(handle)
            for record in records:
                record.content_stream().read()
                count += 1
                end = records.get_record_offset() + records.get_record_length()
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        return count, f"unreadable after {count} records: {type(exc).__name__}: {exc}"
    cut = _cut_gzip_member(path) if path.name.endswith(".gz") else None
    if cut:
        return count, cut
    if end < size:
        # warcio stops quietly at a cut gzip member: the bytes after the last whole record
        return count, (f"{size - end} bytes after record {count} (offset {end}) are not a whole "
                       "record: the file was truncated or a write was cut")
    return count, None


def _cut_gzip_member(path: Path, chunk: int = 1 << 20) -> str | None:
    """Why the last gzip member of ``path`` is incomplete (a truncated file), or None."""
    member, started, offset, member_start = zlib.decompressobj(31), False, 0, 0
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            while block:
                started = True
                member.decompress(block, 1 << 16)
                while member.unconsumed_tail and not member.eof:
                    member.decompress(member.unconsumed_tail, 1 << 16)
                if member.eof:
                    consumed = len(block) - len(member.unused_data)
                    offset += consumed
                    block = member.unused_data
                    member, started, member_start = zlib.decompressobj(31), False, offset
                else:
                    offset += len(block)
                    block = b""
    if started and not member.eof:
        return (f"the gzip member at offset {member_start} is cut short (the file was truncated "
                "or a write was interrupted)")
    return None


def _orphans(db) -> list[int]:
    return [row["id"] for row in db.query(
        "SELECT c.id FROM captures c WHERE c.kind IN ('article', 'recheck', 'import') "
        "AND NOT EXISTS (SELECT 1 FROM fetches f WHERE f.capture_id = c.id) "
        "AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.capture_id = c.id) "
        "AND NOT EXISTS (SELECT 1 FROM captures r WHERE r.revisit_of = c.id) ORDER BY c.id")]


def check_archive(db_path: str | Path, db, *, warc_dir: str | Path | None = None,
                  integrity: Callable[[], str] | None = None,
                  progress: Callable[[int, int], None] | None = None) -> CheckReport:
    """Check the archive at ``db_path`` (``db``: its open sqlite-utils database)."""
    report = CheckReport()
    report.integrity = integrity() if integrity else next(
        iter(db.query("PRAGMA integrity_check")))["integrity_check"]
    reader = CaptureReader(db_path, db)
    rows = list(db.query("SELECT * FROM captures ORDER BY id"))
    report.captures = len(rows)
    by_id = {row["id"]: row for row in rows}
    for done, row in enumerate(rows, 1):
        problem = reader.verify(row)
        if problem is not None:
            report.lost[row["id"]] = problem
        if progress:
            progress(done, len(rows))
    # a revisit of a lost capture is lost too (its payload is gone)
    for row in rows:
        if row["revisit_of"] in report.lost and row["id"] not in report.lost:
            report.lost[row["id"]] = f"revisits capture {row['revisit_of']}, which is lost"
    if report.lost:
        ids = sorted(report.lost)
        marks = ",".join("?" * len(ids))
        report.lost_versions = [(r["url"], r["number"], r["capture_id"]) for r in db.query(
            "SELECT d.url, v.number, v.capture_id FROM versions v JOIN documents d "
            f"ON d.id = v.document_id WHERE v.capture_id IN ({marks}) ORDER BY d.url, v.number",
            ids)]
        report.lost_fetches = next(iter(db.query(
            f"SELECT COUNT(*) AS n FROM fetches WHERE capture_id IN ({marks})", ids)))["n"]
    report.orphans = _orphans(db)
    report.versions_without_capture = next(iter(db.query(
        "SELECT COUNT(*) AS n FROM versions WHERE capture_id IS NULL")))["n"]
    files = {resolve_path(db_path, row["warc_file"]) for row in by_id.values()}
    folder = Path(warc_dir) if warc_dir else default_warc_dir(db_path)
    if folder.is_dir():
        files.update(folder.glob("*.warc.gz"))
    for path in sorted(files):
        if not path.exists():
            report.bad_files[str(path)] = "missing"
            continue
        report.warc_files += 1
        _, problem = check_warc_file(path)
        if problem:
            report.bad_files[str(path)] = problem
    return report
