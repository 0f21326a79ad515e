"""``ArchiveReader``: the one read-only view of ``archive.db``.

The code that only reports or plans reads the archive through it, never with SQL of its own:
the run summaries of ``csto refresh`` and ``csto demo`` (``csto_crawler.runner``), the demo's
counts, and a site's refresh state (``csto_crawler.refresh.ArchiveState``). ``Archive``
(``pipelines.archive``, which re-exports this class) is the only writer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["ArchiveReader"]

#: How long a read waits for a writer's lock before failing (seconds).
READ_TIMEOUT_S = 30


class ArchiveReader:
    """Read-only queries over the archive at ``path``: it never creates, migrates or writes it.

    An absent file, or one whose tables are not there yet, reads as empty (no runs, no
    counts). Each query opens its own read-only connection, so a reader needs no closing and
    never holds a lock a writer waits for.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _rows(self, sql: str, params: tuple = ()) -> list[dict]:
        if not self.path.exists():
            return []
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=READ_TIMEOUT_S)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in conn.execute(sql, params)]
        except sqlite3.OperationalError as exc:
            if str(exc).startswith("no such table"):
                return []  # an archive being created: its first migration has not run yet
            raise
        finally:
            conn.close()

    # -- runs ----------------------------------------------------------------------------------
    def last_run_id(self) -> int:
        """The highest ``runs.id`` so far (0 for a new or absent archive)."""
        rows = self._rows("SELECT MAX(id) AS last FROM runs")
        return int(rows[0]["last"] or 0) if rows else 0

    def runs_after(self, run_id: int) -> list[dict]:
        """The ``runs`` rows after ``run_id``, by spider, then in order."""
        return self._rows("SELECT * FROM runs WHERE id > ? ORDER BY spider, id", (run_id,))

    def run_outcomes(self, run_id: int) -> dict[str, int]:
        """How many fetches of one run had each outcome."""
        return {row["outcome"]: row["n"] for row in self._rows(
            "SELECT outcome, COUNT(*) AS n FROM fetches WHERE run_id = ? GROUP BY outcome",
            (run_id,))}

    def run_errors(self, run_id: int, limit: int = 3) -> list[str]:
        """The details of a run's first ``error`` fetches."""
        return [row["detail"] for row in self._rows(
            "SELECT detail FROM fetches WHERE run_id = ? AND outcome = 'error' ORDER BY id LIMIT ?",
            (run_id, limit))]

    def site_outcomes(self, after_run_id: int) -> dict[str, dict[str, int]]:
        """Fetch outcomes per site (``fetches.site``, else the run's spider) of the runs after
        ``after_run_id``."""
        outcomes: dict[str, dict[str, int]] = {}
        for row in self._rows(
                "SELECT COALESCE(f.site, r.spider) AS site, f.outcome, COUNT(*) AS n "
                "FROM fetches f JOIN runs r ON r.id = f.run_id WHERE f.run_id > ? "
                "GROUP BY COALESCE(f.site, r.spider), f.outcome ORDER BY 1, 2", (after_run_id,)):
            outcomes.setdefault(row["site"], {})[row["outcome"]] = row["n"]
        return outcomes

    def counts(self, after_run_id: int = 0) -> dict[str, int]:
        """How many sites, documents and versions the archive holds, and how many versions the
        runs after ``after_run_id`` added (``added``)."""
        rows = self._rows(
            "SELECT (SELECT COUNT(*) FROM sites) AS sites, "
            "(SELECT COUNT(*) FROM documents) AS documents, "
            "(SELECT COUNT(*) FROM versions) AS versions, "
            "(SELECT COUNT(*) FROM versions WHERE run_id > ?) AS added", (after_run_id,))
        return rows[0] if rows else {"sites": 0, "documents": 0, "versions": 0, "added": 0}

    # -- a site's refresh state ----------------------------------------------------------------
    def site_documents(self, site: str) -> list[dict]:
        """A site's documents with what re-checking them needs: ``id``, ``url``, ``status``,
        ``etag``, ``last_modified``, ``last_checked``, ``first_seen`` and the current version's
        ``published_at``."""
        return self._rows(
            "SELECT d.id, d.url, d.status, d.etag, d.last_modified, d.last_checked, "
            "d.first_seen, v.published_at FROM documents d "
            "LEFT JOIN versions v ON v.id = d.current_version_id WHERE d.site = ?", (site,))

    def site_fetched_urls(self, site: str) -> list[dict]:
        """Every URL fetched for a site, once, with ``document_id`` and ``outcome`` of one of its
        fetches (SQLite's bare-column rule: those of the row with ``MAX(id)``, its latest)."""
        return self._rows(
            "SELECT url, document_id, outcome, fetched_at, MAX(id) AS last FROM fetches "
            "WHERE site = ? GROUP BY url", (site,))

    def blocked_streaks(self, site: str, limit: int = 32) -> dict[str, int]:
        """For each URL of a site whose latest fetch was ``blocked``: how many of its latest
        fetches in a row (at most ``limit``) were blocked, the refresh back-off's count."""
        streaks: dict[str, int] = {}
        broken: set[str] = set()
        for row in self._rows(
                "SELECT url, outcome FROM fetches WHERE site = ? AND url IN (SELECT url FROM "
                "fetches f WHERE site = ? AND id = (SELECT MAX(id) FROM fetches WHERE site = ? "
                "AND url = f.url) AND outcome = 'blocked') ORDER BY url, id DESC",
                (site, site, site)):
            url = row["url"]
            if url in broken or streaks.get(url, 0) >= limit:
                continue
            if row["outcome"] == "blocked":
                streaks[url] = streaks.get(url, 0) + 1
            else:
                broken.add(url)
        return streaks
