"""Exports of the archive: one text file per distinct current content, or JSON Lines.

Text files are named ``NNN_<short_hash>.txt`` (NNN: zero-padded order of first appearance in
the archive, at least three digits), like the seed files: title, publication date, text. File
names come from hashes only, never from page content. Exporting twice gives identical files.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from sqlite_utils import Database

__all__ = ["export_texts", "export_jsonl", "current_contents"]

logger = logging.getLogger(__name__)

_EXPORT_NAME = re.compile(r"^\d{3,}_[0-9a-f]{16}\.txt$")

_CURRENT_SQL = """
SELECT d.id AS document_id, d.site, d.url, d.language, d.status, d.versions, d.first_seen,
       d.last_changed, v.published_at, v.modified_at, v.author, v.source_credit, v.duplicate_of,
       c.hash AS content_hash, c.short_hash, c.title, c.text,
       (SELECT MIN(v2.id) FROM versions v2 WHERE v2.content_hash = c.hash) AS first_version_id
FROM documents d
JOIN versions v ON v.id = d.current_version_id
JOIN contents c ON c.hash = v.content_hash
ORDER BY first_version_id, d.id
"""


def current_contents(db: Database) -> list[dict]:
    """The current version of every document, in order of its content's first appearance."""
    return list(db.query(_CURRENT_SQL))


def _numbered(rows: list[dict]) -> tuple[list[tuple[str, dict]], int]:
    """(name, first row) per distinct content, and the width of the numbers."""
    firsts: dict[str, dict] = {}
    for row in rows:
        firsts.setdefault(row["content_hash"], row)
    width = max(3, len(str(max(len(firsts) - 1, 0))))
    named = [(f"{i:0{width}d}_{row['short_hash']}", row) for i, row in enumerate(firsts.values())]
    return named, width


def _render_text(row: dict) -> str:
    parts = [row["title"] or ""]
    if row["published_at"]:
        parts.append(row["published_at"])
    parts.append(row["text"] or "")
    return "\n\n".join(parts).rstrip("\n") + "\n"


def export_texts(db: Database, directory: str | Path) -> list[Path]:
    """Write ``NNN_<short_hash>.txt`` per distinct current content; returns the paths written.

    Earlier export files (by their name pattern) in ``directory`` are replaced; other files
    are left alone.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    named, _ = _numbered(current_contents(db))
    wanted = {f"{name}.txt" for name, _ in named}
    for old in out.iterdir():
        if _EXPORT_NAME.match(old.name) and old.name not in wanted:
            old.unlink()
    written = []
    for name, row in named:
        path = out / f"{name}.txt"
        path.write_text(_render_text(row), encoding="utf-8")
        written.append(path)
    logger.info("exported %d texts to %s", len(written), out)
    return written


def export_jsonl(db: Database, path: str | Path) -> int:
    """Write one JSON object per article (document, current version); returns the count."""
    rows = current_contents(db)
    named, _ = _numbered(rows)
    names = {row["content_hash"]: name for name, row in named}
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as handle:
        for row in rows:
            record = {k: v for k, v in row.items() if k != "first_version_id"}
            record["export_name"] = names[row["content_hash"]]
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    logger.info("exported %d articles to %s", len(rows), target)
    return len(rows)
