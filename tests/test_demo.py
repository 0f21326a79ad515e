"""``csto demo``: its summary table, and the command itself run twice on the offline sample web."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from csto_crawler import PROJECT_ROOT
from csto_crawler.commands.demo import (
    _datasette_command,
    archive_counts,
    format_demo_table,
    run_statuses,
    sites_of,
)
from csto_crawler.runner import RunSummary

#: The issue's budget for the whole demo on these machines.
DEMO_BUDGET_SECONDS = 120


def summary(site: str, run_id: int = 1, reason: str = "finished", responses: int = 5):
    return RunSummary(run_id=run_id, site=site, finish_reason=reason, responses=responses)


def test_table_counts_outcomes_per_site_and_flags_missing_or_failed_runs():
    sites = {"akorda": "akorda", "baonga": "baonga", "khovar": "khovar", "mid_ru": "mid_ru",
             "paruskg": "news", "vov_vn": "news"}
    statuses = run_statuses([summary("akorda"), summary("mid_ru"), summary("news"),
                             summary("khovar", reason="shutdown", responses=0)], sites)
    assert statuses == {"akorda": "ok", "baonga": "NO RUN", "khovar": "FAILED", "mid_ru": "ok",
                        "paruskg": "ok", "vov_vn": "ok"}
    table = format_demo_table(
        {"akorda": {"new": 3, "irrelevant": 1, "error": 1, "blocked": 1},
         "mid_ru": {"unchanged": 2, "not_modified": 4, "duplicate": 1, "changed": 1, "gone": 1},
         "paruskg": {"new": 2}},
        statuses)
    lines = table.splitlines()
    assert lines[0].split() == ["site", "fetched", "new", "changed", "unchanged", "irrelevant",
                                "gone", "errors", "status"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:] if not line.startswith("-")}
    assert list(rows) == [*sites, "total"]
    assert rows["akorda"] == ["6", "3", "0", "0", "1", "0", "2", "ok"]
    assert rows["mid_ru"] == ["9", "0", "1", "7", "0", "1", "0", "ok"]
    assert rows["baonga"] == ["0", "0", "0", "0", "0", "0", "0", "NO", "RUN"]
    assert rows["khovar"][-1] == "FAILED"
    assert rows["paruskg"] == ["2", "2", "0", "0", "0", "0", "0", "ok"]
    assert rows["total"] == ["17", "5", "1", "7", "1", "1", "2"]


def test_sites_of_expands_a_dispatching_spider_into_its_configured_sites():
    from csto_crawler.sites import site_classes, spider_classes

    sites = sites_of(sorted(spider_classes()))
    assert set(sites) == set(site_classes())
    assert all(spider in spider_classes() for spider in sites.values())


def test_datasette_command_serves_the_archive_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    assert _datasette_command(PROJECT_ROOT / "archive" / "archive.db").endswith("datasette archive/")
    other = tmp_path / "elsewhere.db"
    assert _datasette_command(other).endswith(f"datasette {other}")


def test_archive_counts_of_a_missing_archive(tmp_path):
    assert archive_counts(tmp_path / "none.db") == {"sites": 0, "documents": 0, "versions": 0,
                                                     "added": 0}


def run_demo(db: Path) -> tuple[str, float]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CSTO_") and k != "SCRAPY_SETTINGS_MODULE"}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "csto_crawler", "demo", "--offline", "--db", str(db)],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=DEMO_BUDGET_SECONDS + 60)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout, elapsed


@pytest.mark.e2e
def test_demo_archives_every_site_and_a_second_run_adds_no_version(tmp_path):
    from csto_crawler.sites import site_classes, spider_classes

    spiders = sorted(spider_classes())
    db = tmp_path / "archive.db"
    out, elapsed = run_demo(db)
    assert elapsed < DEMO_BUDGET_SECONDS
    conn = sqlite3.connect(db)
    try:
        with_documents = {row[0] for row in conn.execute(
            "SELECT DISTINCT r.spider FROM runs r JOIN fetches f ON f.run_id = r.id "
            "WHERE f.document_id IS NOT NULL")}
        versions = conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
    finally:
        conn.close()
    assert set(spiders) <= with_documents, f"no document from {set(spiders) - with_documents}"
    for slug in site_classes():  # every site has a row, with documents
        row = re.search(rf"^{re.escape(slug)}\s+(\d+)\s+(\d+)", out, re.M)
        assert row and int(row.group(2)) > 0, f"{slug}: no new document in\n{out}"
    assert f"this run added {versions} versions" in out
    assert "datasette" in out

    again, elapsed = run_demo(db)
    assert elapsed < DEMO_BUDGET_SECONDS
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == versions
    finally:
        conn.close()
    assert "this run added 0 versions" in again
    total = re.search(r"^total\s+(\d+)\s+(\d+)\s+(\d+)", again, re.M)
    assert total and total.group(2) == total.group(3) == "0"  # no new, no changed


def _args(*argv):
    from csto_crawler.cli import build_parser

    return build_parser().parse_args(["demo", *argv])


def test_demo_goes_live_only_when_the_sites_can_be_reached():
    from csto_crawler.commands.demo import choose_mode

    asked = []

    def reachable(hosts):
        asked.append(list(hosts))
        return True

    assert choose_mode(_args(), ["akorda", "khovar"], probe=reachable) == "live"
    assert asked == [["www.akorda.kz", "khovar.tj"]]
    assert choose_mode(_args(), ["akorda"], probe=lambda hosts: False) == "offline"
    # asked for explicitly: no probe at all
    assert choose_mode(_args("--offline"), ["akorda"], probe=lambda hosts: 1 / 0) == "offline"
    assert choose_mode(_args("--live"), ["akorda"], probe=lambda hosts: 1 / 0) == "live"
    assert choose_mode(_args("--fixtures", "/tmp/x"), ["akorda"], probe=lambda hosts: 1 / 0) == "offline"


def test_the_probe_connects_and_says_whether_anything_answered():
    import socket

    from csto_crawler.commands.demo import sites_reachable

    with socket.socket() as listening:  # loopback only: no network is touched
        listening.bind(("127.0.0.1", 0))
        listening.listen(1)
        port = listening.getsockname()[1]
        assert sites_reachable(["127.0.0.1"], timeout=1, port=port)
    assert not sites_reachable(["127.0.0.1"], timeout=1, port=port)  # closed now: refused
