"""The documentation cannot drift from the code: the README's module tree, its sites table and
``docs/sites.md`` are checked against the modules and the site registry, and the README's
"Add a site" steps are followed for a new site, which is then crawled through the mirror.

**The module tree rule** (the code block under "How it works"). A line is
``<indent><name>[ <name>…]<two or more spaces><description>``; a line indented more than eight
spaces continues the description above it. A name ending in ``/`` is a folder; a line holding
one folder is the parent of the more indented lines below it; a name may be a relative path
(``spiders/base.py``). Every ``.py`` module of ``csto_crawler/`` and ``pipelines/`` except
``__init__.py`` must be covered by the tree, in one of three ways:

1. it is named (its path, from its parent folder line);
2. ``spiders/<slug>.py`` covers the module of every site spider (a spider that is not a
   dispatcher), and only those;
3. a folder line covers a module directly in that folder when its description names the
   module's stem as a word (``dates`` for ``extract/dates.py``): a folder line may stand for its
   modules only by listing them.

And every file or folder the tree names (without a ``<placeholder>``) exists.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import query

from csto_crawler import PROJECT_ROOT
from csto_crawler.mirror import MirrorServer
from csto_crawler.sites import site_classes, site_modules, spider_classes

README = PROJECT_ROOT / "README.md"
SITES_DOC = PROJECT_ROOT / "docs" / "sites.md"
#: The packages whose every module the README's tree must show.
PACKAGES = ("csto_crawler", "pipelines")
#: A line indented deeper than this continues the description of the line above.
CONTINUATION_INDENT = 8


def readme_section(heading: str) -> str:
    """The text of the README's ``## heading`` section, up to the next ``## ``."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def tree_entries() -> list[tuple[list[str], str]]:
    """The tree's lines as (full paths of the names, description)."""
    section = readme_section("How it works")
    block = section.split("```\n", 2)[1]
    entries: list[tuple[list[str], str]] = []
    parents: list[tuple[int, str]] = []  # (indent, folder path)
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent > CONTINUATION_INDENT:
            paths, description = entries[-1]
            entries[-1] = (paths, f"{description} {line.strip()}")
            continue
        names, _, description = line.strip().partition("  ")
        while parents and parents[-1][0] >= indent:
            parents.pop()
        parent = parents[-1][1] if parents else ""
        paths = [parent + name for name in names.split()]
        if len(paths) == 1 and paths[0].endswith("/"):
            parents.append((indent, paths[0]))
        entries.append((paths, description.strip()))
    return entries


def project_modules() -> list[str]:
    return sorted(str(path.relative_to(PROJECT_ROOT)) for package in PACKAGES
                  for path in (PROJECT_ROOT / package).rglob("*.py")
                  if path.name != "__init__.py")


def site_module_paths() -> set[str]:
    """The module files of the site spiders (what ``spiders/<slug>.py`` stands for)."""
    return {cls.__module__.replace(".", "/") + ".py" for cls in site_modules().values()}


def covered(module: str, entries: list[tuple[list[str], str]]) -> bool:
    folder, stem = module.rsplit("/", 1)[0] + "/", Path(module).stem
    for paths, description in entries:
        for path in paths:
            if path == module:
                return True
            if "<slug>" in path and module in site_module_paths() and \
                    re.fullmatch(re.escape(path).replace(re.escape("<slug>"), "[a-z0-9_]+"), module):
                return True
            if path == folder and re.search(rf"(?<![\w.]){re.escape(stem)}(?![\w])", description):
                return True
    return False


def test_the_tree_parser_reads_folders_paths_and_continuations():
    entries = tree_entries()
    paths = {path for names, _ in entries for path in names}
    assert {"csto_crawler/settings.py", "csto_crawler/spiders/base.py", "pipelines/archive.py",
            "csto_crawler/extract/furniture/"} <= paths
    extract = next(d for names, d in entries if names == ["csto_crawler/extract/"])
    assert "dates" in extract  # from a continuation line


def test_every_module_is_in_the_readme_tree():
    entries = tree_entries()
    missing = [module for module in project_modules() if not covered(module, entries)]
    assert not missing, (f"modules missing from README.md's 'How it works' tree: {missing} "
                         "(see this test's docstring for the rule)")


def test_spiders_slug_stands_for_site_modules_only():
    entries = tree_entries()
    assert covered("csto_crawler/spiders/kaktus.py", entries)
    assert not covered("csto_crawler/spiders/not_a_site.py", entries)


def test_everything_the_tree_names_exists():
    stale = [path for names, _ in tree_entries() for path in names
             if "<" not in path and not (PROJECT_ROOT / path).exists()]
    assert not stale, f"README.md's tree names what does not exist: {stale}"


def table_slugs(text: str) -> set[str]:
    """The slugs of a markdown table whose first column is a backticked slug."""
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", text, re.MULTILINE))


def test_every_site_has_a_row_in_the_readme_sites_table():
    section = readme_section("Sites")
    rows = table_slugs(section)
    sites = set(site_classes())
    assert not sites - rows, f"sites without a row in README.md's Sites table: {sorted(sites - rows)}"
    assert not rows - sites, f"README.md's Sites table lists unknown sites: {sorted(rows - sites)}"
    for name, cls in spider_classes().items():
        if getattr(cls, "dispatcher", False):
            assert f"`{name}`" in section, f"the dispatching spider {name} is not named in Sites"


def test_every_site_has_a_row_in_docs_sites():
    text = SITES_DOC.read_text(encoding="utf-8")
    rows = table_slugs(text)
    sites = set(site_classes())
    assert not sites - rows, f"sites without a row in docs/sites.md: {sorted(sites - rows)}"
    for name, cls in spider_classes().items():
        if getattr(cls, "dispatcher", False):
            assert f"`{name}`" in text, f"the dispatching spider {name} is not named in docs/sites.md"


# --- "Add a site", step by step ------------------------------------------------------------------
#: The configured site copied, and the new site made of it (slug and host).
SOURCE, SOURCE_HOST = "vov_vn", "vov.vn"
NEW, NEW_HOST = "vov_copy", "vov-copy.vn"


def unlisted_hosts(seeds_file: Path, metadata_text: str) -> list[str]:
    """The configured sites' hosts missing from ``archive/metadata.yml``'s source list."""
    listed = set(re.findall(r"<li>([a-z0-9.-]+):", yaml.safe_load(metadata_text)["databases"]["archive"]["description_html"]))
    configured = yaml.safe_load(seeds_file.read_text(encoding="utf-8")) or {}
    hosts = [re.sub(r"^https?://(www\.)?([^/]+).*$", r"\2", entry["home"]) for entry in configured.values()]
    return [host for host in hosts if host not in listed]


def copy_of_source(text: str) -> str:
    return text.replace(SOURCE_HOST, NEW_HOST).replace(f'"site": "{SOURCE}"', f'"site": "{NEW}"')


@pytest.mark.e2e
def test_add_a_site_by_the_readme_steps(tmp_path):
    steps = readme_section("Add a site")
    command = re.search(r"`(scrapy crawl news -a sites=<slug>)`", steps)
    assert command, "README's 'Add a site' no longer shows the crawl command this test runs"
    for step in ("seeds/news_sites.yml", "tests/fixtures/<slug>/", "archive/metadata.yml"):
        assert step in steps, f"README's 'Add a site' no longer names {step}"

    # 1. An entry in seeds/news_sites.yml (a copy of the folder, so the project's stays as is).
    seeds = tmp_path / "seeds"
    shutil.copytree(PROJECT_ROOT / "seeds", seeds)
    config_file = seeds / "news_sites.yml"
    entry = json.loads(copy_of_source(json.dumps(yaml.safe_load(config_file.read_text("utf-8"))[SOURCE])))
    with config_file.open("a", encoding="utf-8") as handle:
        handle.write("\n" + yaml.safe_dump({NEW: entry}, allow_unicode=True, sort_keys=False))

    # 2. Its fixture pages in <fixtures>/<slug>/.
    fixtures = tmp_path / "fixtures"
    (fixtures / NEW).mkdir(parents=True)
    for page in sorted((PROJECT_ROOT / "tests" / "fixtures" / SOURCE).iterdir()):
        (fixtures / NEW / page.name).write_text(copy_of_source(page.read_text("utf-8")), "utf-8")

    # 3. Its host in the source list of archive/metadata.yml: the list is incomplete without it.
    metadata = (PROJECT_ROOT / "archive" / "metadata.yml").read_text(encoding="utf-8")
    assert unlisted_hosts(config_file, metadata) == [NEW_HOST]
    metadata = metadata.replace("      </ul>", f"        <li>{NEW_HOST}: a copy (vi)</li>\n      </ul>", 1)
    assert unlisted_hosts(config_file, metadata) == []

    # 4. The README's command crawls it, through the mirror serving the new fixtures.
    db = tmp_path / "archive.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_") and k != "SCRAPY_SETTINGS_MODULE"}
    with MirrorServer(fixtures) as mirror:
        argv = [sys.executable, "-m", *command.group(1).replace("<slug>", NEW).split(),
                "-s", f"CSTO_SEEDS_DIR={seeds}", "-s", f"CSTO_MIRROR={mirror.base_url}",
                "-s", f"CSTO_ARCHIVE_DB={db}", "-s", "LOG_LEVEL=WARNING"]
        result = subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180)
        requested = {r.url for r in mirror.requests()}
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert query(db, "SELECT slug, home_url FROM sites") == [{"slug": NEW, "home_url": f"https://{NEW_HOST}/"}]
    documents = query(db, "SELECT url, site FROM documents")
    articles = [json.loads(p.read_text("utf-8")) for p in (fixtures / NEW).glob("*_article_*.json")]
    relevant = {a["expected"].get("canonical_url") or a["url"] for a in articles if a["relevant"]}
    assert len(relevant) >= 2 and all(NEW_HOST in url for url in relevant)
    assert {d["site"] for d in documents} == {NEW}
    assert {d["url"] for d in documents} == relevant
    assert any(NEW_HOST in url for url in requested)
