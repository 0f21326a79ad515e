"""Articles per site per month as a static SVG heat map (a coverage gap is seen at a glance).

``coverage_svg(conn)`` reads the archive (any DB-API connection to it: ``sqlite3`` or the
connection Datasette gives a plugin) and returns the SVG text: one row per site, one column per
month from the first to the last month with an article (empty months included, so a gap
shows as a blank run), each cell shaded by its count and titled with it. A month is the
publication date's (UTC), else the month the document was first seen. At most ``MAX_MONTHS``
columns (the latest). Every label is escaped.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

__all__ = ["MAX_MONTHS", "coverage_counts", "coverage_svg", "write_coverage_svg"]

#: The chart shows at most this many months (the latest ones).
MAX_MONTHS = 120
CELL, LABEL_WIDTH, TOP = 14, 110, 46

_SQL = """
    SELECT d.site,
           strftime('%Y-%m', COALESCE(datetime(v.published_at), datetime(d.first_seen))) AS month,
           COUNT(*) AS n
    FROM documents d JOIN versions v ON v.id = d.current_version_id
    GROUP BY d.site, month HAVING month IS NOT NULL ORDER BY d.site, month"""


def coverage_counts(conn) -> dict[str, dict[str, int]]:
    """``{site: {"YYYY-MM": articles}}`` of the archive's documents."""
    counts: dict[str, dict[str, int]] = {}
    for site, month, n in conn.execute(_SQL).fetchall():
        counts.setdefault(site, {})[month] = n
    return counts


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[-MAX_MONTHS:]


def _shade(n: int, top: int) -> str:
    if n == 0:
        return "#f4f4f4"
    share = 0.25 + 0.75 * (n / top)  # blues: light for one article, dark for the busiest
    red, green, blue = (int(222 - share * 190), int(235 - share * 150), int(247 - share * 70))
    return f"#{red:02x}{green:02x}{blue:02x}"


def coverage_svg(conn, title: str = "Articles per site per month") -> str:
    counts = coverage_counts(conn)
    every = sorted({m for per_site in counts.values() for m in per_site})
    months = _months(every[0], every[-1]) if every else []
    sites = sorted(counts)
    top = max((n for per_site in counts.values() for n in per_site.values()), default=1)
    width = LABEL_WIDTH + CELL * max(1, len(months)) + 20
    height = TOP + CELL * max(1, len(sites)) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
             f"<title>{escape(title)}</title>",
             f'<text x="4" y="14" font-size="13" font-weight="bold">{escape(title)}</text>']
    if not months:
        parts.append('<text x="4" y="40">No articles in the archive yet.</text></svg>')
        return "".join(parts)
    for i, month in enumerate(months):  # a year label above each January (and the first)
        if i == 0 or month.endswith("-01"):
            x = LABEL_WIDTH + i * CELL
            parts.append(f'<text x="{x}" y="{TOP - 6}">{escape(month[:4])}</text>')
    for row, site in enumerate(sites):
        y = TOP + row * CELL
        parts.append(f'<text x="{LABEL_WIDTH - 4}" y="{y + CELL - 3}" '
                     f'text-anchor="end">{escape(site)}</text>')
        for col, month in enumerate(months):
            n = counts[site].get(month, 0)
            label = f"{site} {month}: {n} article{'s' if n != 1 else ''}"
            parts.append(f'<rect x="{LABEL_WIDTH + col * CELL}" y="{y}" width="{CELL - 1}" '
                         f'height="{CELL - 1}" fill="{_shade(n, top)}" '
                         f"aria-label={quoteattr(label)}><title>{escape(label)}</title></rect>")
    total = sum(sum(per_site.values()) for per_site in counts.values())
    parts.append(f'<text x="4" y="{height - 10}">{total} articles, {len(sites)} sites, '
                 f"{escape(months[0])} to {escape(months[-1])}; darker = more (max {top})</text>")
    parts.append("</svg>")
    return "".join(parts)


def write_coverage_svg(db_path, out_path) -> None:
    """Write the chart of the archive at ``db_path`` to ``out_path`` (read-only access)."""
    import sqlite3
    from pathlib import Path

    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        Path(out_path).write_text(coverage_svg(conn), encoding="utf-8")
    finally:
        conn.close()
