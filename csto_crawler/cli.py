"""The ``csto`` command (also ``python -m csto_crawler``).

Subcommands live in ``csto_crawler/commands/<name>.py`` (modules starting with ``_`` are shared
helpers); each module defines ``register(sub)``
which adds its parser (with help) and sets ``func`` to a callable taking the parsed
arguments and returning an exit status. They are discovered here, so adding a command is
adding one module.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil

from csto_crawler import __version__, commands

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csto",
        description="Crawl, archive and browse what official and regional sources publish about the CSTO.",
    )
    parser.add_argument("--version", action="version", version=f"csto-archive {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue  # shared helpers, not commands
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)
