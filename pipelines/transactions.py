"""Write transactions on the archive, shared by its writers (``Archive``, ``StoryIndex``).

``write(db)`` holds SQLite's write lock from the transaction's start (``BEGIN IMMEDIATE``), so
two writers never deadlock upgrading a read lock, and rolls back on any exception. Inside a
transaction already open it adds nothing: the steps join the outer one, which commits or rolls
back them all (the store pipeline writes an article and places it in its story in one).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database

__all__ = ["first_row", "write"]


@contextmanager
def write(db: Database) -> Iterator[None]:
    """One write transaction holding the write lock from its start (no upgrade deadlock), or
    the transaction already open."""
    if db.conn.in_transaction:
        yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:  # after SQLITE_FULL or an I/O error SQLite may have rolled it back itself
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def first_row(db: Database, sql: str, params: tuple | dict = ()) -> dict | None:
    """The first row of a query, or None."""
    rows = list(db.query(sql, params))
    return rows[0] if rows else None
