"""``csto serve``: browse the archive in Datasette (search, version history, diffs).

Datasette runs in configuration-directory mode on ``archive/``: the database, ``metadata.yml``
(descriptions, facets, canned queries), ``settings.json`` and ``plugins/`` sit side by side,
exactly as ``datasette archive/`` would serve them. An archive elsewhere (``--db``) is served
from a temporary configuration directory linking that file as ``archive.db`` beside the same
metadata, settings and plugins, so its URLs, queries and links are the same.

Datasette only reads (its connections are ``mode=ro``); the archive is in WAL mode, so a crawl
can write while Datasette serves.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
from pathlib import Path

from csto_crawler import PROJECT_ROOT
from pipelines.archive import Archive, ArchiveError

from ._common import archive_path

__all__ = ["CONFIG_DIR", "DATABASE_NAME", "register", "run", "datasette_argv", "config_dir_for"]

logger = logging.getLogger(__name__)

#: The Datasette configuration directory: metadata.yml, settings.json, plugins/, templates/.
CONFIG_DIR = PROJECT_ROOT / "archive"
#: The name Datasette gives the archive (the file stem in the configuration directory); the
#: metadata and the canned queries' links use it.
DATABASE_NAME = "archive"
#: What a configuration directory holds besides the database.
CONFIG_ENTRIES = ("metadata.yml", "settings.json", "plugins", "templates", "static")


def register(sub) -> None:
    parser = sub.add_parser(
        "serve",
        help="browse the archive in Datasette: search, version history, diffs",
        description="Serve the archive with Datasette in configuration-directory mode "
        "(archive/: metadata.yml, settings.json, plugins/), read-only, on a loopback address "
        "by default. A crawl may write to the archive while it is served.",
    )
    parser.add_argument("--port", type=int, default=8001,
                        help="TCP port (default 8001; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 exposes it to "
                        "the network)")
    parser.add_argument("--db", help="the archive (default: the CSTO_ARCHIVE_DB setting)")
    parser.add_argument("--setting", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"),
                        help="a Datasette setting overriding archive/settings.json, e.g. "
                        "--setting sql_time_limit_ms 10000 (repeatable)")
    parser.set_defaults(func=run)


def datasette_argv(config_dir: Path, *, host: str, port: int,
                   settings: list[tuple[str, str]] | tuple = ()) -> list[str]:
    """The ``datasette`` command line serving ``config_dir`` (without the program name)."""
    argv = ["serve", str(config_dir), "--host", host, "--port", str(port)]
    for name, value in settings:
        argv += ["--setting", name, str(value)]
    return argv


def config_dir_for(db_path: Path, scratch: Path) -> Path:
    """The configuration directory serving ``db_path``: ``archive/`` itself when the file is
    ``archive/archive.db``, else ``scratch`` filled with links to the file (as ``archive.db``)
    and to ``archive/``'s metadata, settings and plugins."""
    db_path = db_path.resolve()
    if db_path == (CONFIG_DIR / f"{DATABASE_NAME}.db").resolve():
        return CONFIG_DIR
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / f"{DATABASE_NAME}.db").symlink_to(db_path)
    for entry in CONFIG_ENTRIES:
        if (CONFIG_DIR / entry).exists():
            (scratch / entry).symlink_to((CONFIG_DIR / entry).resolve())
    return scratch


def run(args) -> int:
    db_path = archive_path(args.db)
    if not db_path.exists():
        print(f"csto serve: no archive at {db_path} (run 'csto demo' or a crawl first)",
              file=sys.stderr)
        return 1
    try:
        # Opening the archive applies pending migrations and turns WAL on, so the canned
        # queries find the columns they name and a crawl can write while Datasette reads.
        Archive(db_path).close()
    except ArchiveError as exc:
        print(f"csto serve: {exc}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="csto-serve-") as scratch:
        config_dir = config_dir_for(db_path, Path(scratch) / "config")
        argv = datasette_argv(config_dir, host=args.host, port=args.port,
                              settings=[tuple(s) for s in args.setting])
        logger.info("serving %s with Datasette (host %s, port %s)", db_path, args.host, args.port)
        try:
            return subprocess.call([sys.executable, "-m", "datasette", *argv])
        except KeyboardInterrupt:
            return 0
