"""What the archive's stories amount to, in a few lines for ``csto demo``'s summary.

``summary_lines(db_path)`` (read-only) names how many stories were republished by more than one
site and the one republished by the most, with its first publisher and its page in Datasette;
``write_chart(db_path)`` draws the coverage chart (``pipelines.stories.chart``) next to the
archive as ``coverage.svg`` and returns its path.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipelines.stories.chart import write_coverage_svg

__all__ = ["summary_lines", "write_chart"]


def summary_lines(db_path: Path, datasette_url: str = "http://127.0.0.1:8001") -> list[str]:
    """One or two lines about the stories of the archive at ``db_path``."""
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'stories'").fetchone():
            return []
        shared = conn.execute("SELECT COUNT(*) FROM stories WHERE sites > 1").fetchone()[0]
        total = conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0]
        top = conn.execute(
            "SELECT id, title, sites, articles, first_site FROM stories WHERE sites > 1 "
            "ORDER BY sites DESC, articles DESC, first_published DESC, id LIMIT 1").fetchone()
    finally:
        conn.close()
    lines = [f"Stories: {total}, of which {shared} republished by more than one site."]
    if top:
        story, title, sites, articles, first_site = top
        lines.append(f"The most republished: «{title}», {articles} articles on {sites} sites, "
                     f"first published by {first_site}: {datasette_url}/archive/story?id={story}")
    return lines


def write_chart(db_path: Path) -> Path:
    """Write ``coverage.svg`` (articles per site per month) next to the archive."""
    out = Path(db_path).with_name("coverage.svg")
    write_coverage_svg(db_path, out)
    return out
