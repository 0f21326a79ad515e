"""Dependencies point down: the library never imports the CLI, the site registry is imported at
module level (no loop to dodge), the archive modules import no Scrapy, and the fetch outcomes
the code knows are the ones the archive's schema accepts."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from csto_crawler import PROJECT_ROOT
from csto_crawler.items import FETCH_OUTCOMES
from pipelines.schema import migrate

#: The code that must not depend on the CLI, and where the registry must be imported at the top.
LIBRARY = ("csto_crawler", "pipelines", "bench")
#: The CLI itself: its entry point and its subcommands.
CLI = ("csto_crawler/cli.py", "csto_crawler/__main__.py", "csto_crawler/commands/")


def python_files() -> list[Path]:
    return sorted(path for folder in LIBRARY for path in (PROJECT_ROOT / folder).rglob("*.py"))


def imported_modules(tree: ast.AST, *, local_only: bool = False) -> list[str]:
    """The modules a file imports (only those imported inside a function when ``local_only``)."""
    scopes = [node for node in ast.walk(tree)
              if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)] if local_only else [tree]
    names = []
    for scope in scopes:
        for node in ast.walk(scope):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
    return names


def test_only_the_cli_imports_the_commands():
    offenders = []
    for path in python_files():
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        if relative.startswith(CLI):
            continue
        imports = imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if any(name == "csto_crawler.commands" or name.startswith("csto_crawler.commands.")
               for name in imports):
            offenders.append(relative)
    assert not offenders, f"library code importing csto_crawler.commands: {offenders}"


def test_the_site_registry_is_never_imported_inside_a_function():
    offenders = []
    for path in python_files():
        imports = imported_modules(ast.parse(path.read_text(encoding="utf-8")), local_only=True)
        if any(name == "csto_crawler.sites" or name.startswith("csto_crawler.sites.")
               for name in imports):
            offenders.append(path.relative_to(PROJECT_ROOT).as_posix())
    assert not offenders, f"function-local imports of csto_crawler.sites: {offenders}"


#: Run in a fresh interpreter: Scrapy cannot be imported there, then the archive modules are.
WITHOUT_SCRAPY = """
import importlib.abc, sys

class NoScrapy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "scrapy" or name.startswith("scrapy."):
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, NoScrapy())
import pipelines.archive, pipelines.hashing, pipelines.reader, pipelines.schema
from pipelines.archive import Archive, ArchiveReader
loaded = sorted(m for m in sys.modules if m == "scrapy" or m.startswith(("scrapy.", "twisted")))
print("loaded:", loaded)
"""


def test_the_archive_imports_without_scrapy():
    result = subprocess.run([sys.executable, "-c", WITHOUT_SCRAPY], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "loaded: []"


def test_the_scrapy_blocker_does_block(tmp_path):
    """The check above can fail: the same interpreter set-up refuses an import of Scrapy."""
    script = WITHOUT_SCRAPY.replace("import pipelines.archive,", "import scrapy, pipelines.archive,")
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "blocked: scrapy" in result.stderr


def schema_outcomes() -> list[str]:
    """The outcomes the ``fetches.outcome`` CHECK of a freshly migrated archive accepts."""
    db = Database(memory=True)
    migrate(db)
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'fetches'").fetchone()[0]
    check = re.search(r"outcome IN \(([^)]*)\)", sql)
    assert check, sql
    return re.findall(r"'([a-z_]+)'", check.group(1))


def test_the_code_and_the_schema_know_the_same_fetch_outcomes():
    """``FETCH_OUTCOMES`` (items.py) is the code's list; the schema's CHECK is the archive's.
    A new outcome needs both, and a migration for the archives that exist."""
    assert schema_outcomes() == list(FETCH_OUTCOMES)


@pytest.mark.parametrize("outcome", ["new", "bogus"])
def test_the_schema_check_is_enforced(outcome):
    db = Database(memory=True)
    migrate(db)
    insert = ("INSERT INTO fetches (url, fetched_at, outcome) VALUES "
              "('https://x.example/', '2026-01-01T00:00:00+00:00', ?)")
    if outcome in FETCH_OUTCOMES:
        db.execute(insert, (outcome,))
    else:
        with pytest.raises(Exception, match="CHECK constraint failed"):
            db.execute(insert, (outcome,))
