"""WACZ export (``csto export --format wacz OUT.wacz``) with the ``wacz`` package.

A WACZ is a zip of the WARC files, a CDXJ index, a page list and a ``datapackage.json`` with
every file's hash: replayweb.page opens it as a browsable web archive. The export packs every
WARC file the archive's captures name (revisits travel with their originals), detects the
pages (every archived article's URL and title, in ``pages/pages.jsonl``) and validates the result with ``wacz validate``.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
from pathlib import Path

from csto_crawler.capture.log import resolve_path

__all__ = ["export_wacz", "validate_wacz", "WaczError"]

logger = logging.getLogger(__name__)


class WaczError(RuntimeError):
    """The WACZ could not be written or does not validate (the message says why)."""


def _run_wacz(argv: list[str]) -> tuple[int, str]:
    try:
        from wacz.main import main
    except ImportError as exc:
        raise WaczError("the wacz package is not installed: pip install -e '.[wacz]'") from exc
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(argv)
    for line in out.getvalue().splitlines():
        logger.debug("wacz: %s", line)
    return int(status or 0), out.getvalue()


def validate_wacz(path: str | Path) -> tuple[bool, str]:
    """(passed, wacz's report) of ``wacz validate -f path``."""
    status, text = _run_wacz(["validate", "-f", str(path)])
    return status == 0 and "succeeded" in text, text


def _pages(db) -> str:
    """``pages.jsonl``: one page per captured article URL (its current title)."""
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Articles"})]
    for row in db.query(
            "SELECT cap.url, MAX(c.title) AS title FROM versions v "
            "JOIN captures cap ON cap.id = v.capture_id "
            "JOIN contents c ON c.hash = v.content_hash GROUP BY cap.url ORDER BY cap.url"):
        lines.append(json.dumps({"url": row["url"], "title": row["title"] or row["url"]},
                                ensure_ascii=False))
    return "\n".join(lines) + "\n"


def export_wacz(db_path: str | Path, db, out: str | Path, *, title: str = "csto-archive") -> dict:
    """Write ``out`` from the archive's WARC files and validate it; returns counts."""
    files = sorted({resolve_path(db_path, row["warc_file"]) for row in db.query(
        "SELECT DISTINCT warc_file FROM captures")})
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        logger.warning("WACZ: %d WARC file(s) missing (csto check says which versions lost "
                       "their capture): %s", len(missing), ", ".join(missing))
    files = [f for f in files if f.exists()]
    if not files:
        raise WaczError("the archive has no captures to export (crawl with CSTO_CAPTURE on)")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        pages = Path(folder) / "pages.jsonl"
        pages.write_text(_pages(db), encoding="utf-8")
        status, text = _run_wacz(["create", "-o", str(out), "--pages", str(pages),
                                  "--title", title,
                                  "--desc", "Raw captures of the csto-archive crawl",
                                  *map(str, files)])
    if status != 0 or not out.exists():
        raise WaczError(f"wacz create failed: {text.strip()[-500:]}")
    passed, report = validate_wacz(out)
    if not passed:
        raise WaczError(f"{out} does not validate: {report.strip()[-500:]}")
    captures = next(iter(db.query("SELECT COUNT(*) AS n FROM captures")))["n"]
    return {"warc_files": len(files), "captures": captures, "bytes": out.stat().st_size}
