"""Layout tables: tables that lay out a page rather than present data, turned into plain blocks
before the generic extractors weigh the page's containers (part of ``generic.preclean``)."""

from __future__ import annotations

__all__ = ["unwrap_layout_tables"]

_BLOCKS = frozenset({"div", "p", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "form", "blockquote"})
_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")


def _is_layout_table(table) -> bool:
    """A table that lays out the page (cells holding the headline, nested tables or several
    blocks), not one that presents data: its cells are containers, not values."""
    for cell in table.iter("td", "th"):
        blocks = sum(1 for child in cell if isinstance(child.tag, str) and child.tag in _BLOCKS)
        if blocks >= 2 or any(child.tag in ("table", "h1") for child in cell.iter() if child is not cell):
            return True
    return False


def unwrap_layout_tables(tree) -> None:
    """Turn layout tables into plain blocks, so the extractor weighs their cells as separate
    containers instead of taking the whole grid (menus, polls, footers) as one data table."""
    def unwrap(node) -> None:
        for child in node:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "table" and not _is_layout_table(child):
                continue  # a data table inside the layout stays a table
            unwrap(child)
            if child.tag in _TABLE_PARTS:
                child.tag = "div"

    for table in [t for t in tree.iter("table") if _is_layout_table(t)]:
        if table.tag == "table":  # not already unwrapped with an enclosing layout table
            unwrap(table)
            table.tag = "div"
