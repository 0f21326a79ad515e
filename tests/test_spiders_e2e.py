"""End to end: each site spider crawls its fixtures over real loopback HTTP.

The mirror (``csto_crawler.mirror.MirrorServer``) serves every fixture page at its real URL's
mirror address; ``scrapy crawl <slug>`` runs unchanged in a subprocess with ``CSTO_MIRROR``
set, exporting items (``-O``) and writing a fresh archive. Checked: the exported items and the
archive hold exactly the site's CSTO-related article fixtures, with the fields the fixtures
expect; no article that is not about the CSTO is archived; a challenge or error page linked
from a listing is a fetch record, not a document; the coverage report reaches ``runs.stats``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES, load_sidecar, sidecars

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
SITES = ("akorda", "baonga", "khovar", "mid_ru", "mfa_by", "mfa_tj", "odkb", "asiaplus", "kaktus", "kg24", "inform_kz", "belta")
FIELDS = ("site", "language", "title", "published_at", "text", "canonical_url")


@pytest.fixture(scope="module")
def mirror():
    from csto_crawler.mirror import MirrorServer

    with MirrorServer(FIXTURES) as server:
        yield server


def crawl(slug: str, mirror, tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[dict], Path]:
    out, db = tmp_path / "items.jsonl", tmp_path / "archive.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", slug, "-O", str(out),
         "-s", f"CSTO_MIRROR={mirror.base_url}", "-s", f"CSTO_ARCHIVE_DB={db}", "-s", "LOG_LEVEL=INFO", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return proc, items, db


def article_fixtures(slug: str) -> list[dict]:
    return [load_sidecar(p) for p in sidecars(slug, "article")]


@pytest.mark.parametrize("slug", SITES)
def test_crawl_archives_exactly_the_csto_articles(slug, mirror, tmp_path):
    proc, items, db = crawl(slug, mirror, tmp_path)
    fixtures = article_fixtures(slug)
    relevant = {f["url"]: f for f in fixtures if f["relevant"]}
    irrelevant = {f["url"] for f in fixtures if not f["relevant"]}
    assert relevant and irrelevant

    by_url = {item["url"]: item for item in items}
    assert set(by_url) == set(relevant), "exported items are the site's CSTO-related articles"
    for url, item in by_url.items():
        expected = relevant[url]["expected"]
        for name in FIELDS:
            assert item[name] == expected[name], f"{url}: {name}"

    with sqlite3.connect(db) as con:
        documents = {row[0]: row[1:] for row in con.execute("SELECT url, site, language FROM documents")}
        outcomes = dict(con.execute("SELECT url, outcome FROM fetches"))
        stats = json.loads(con.execute("SELECT stats FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert set(documents) == {f["expected"]["canonical_url"] for f in relevant.values()}
    for f in relevant.values():
        assert documents[f["expected"]["canonical_url"]] == (slug, f["expected"]["language"])
    for url in irrelevant:
        assert outcomes.get(url) == "irrelevant", f"{url} should be fetched and recorded as irrelevant"
    assert stats["csto/coverage/items"] == len(fixtures)  # every article fixture is linked from an entry page
    assert stats["csto/coverage/title"] == 1.0 and stats["csto/coverage/text"] == 1.0
    assert "Field coverage (" + slug in proc.stderr


def test_error_page_linked_from_a_listing_is_a_fetch_record(mirror, tmp_path):
    _, items, db = crawl("akorda", mirror, tmp_path, "-a", "lang=ru")
    soft404 = next(load_sidecar(p)["url"] for p in sidecars("akorda", "challenge"))
    with sqlite3.connect(db) as con:
        assert dict(con.execute("SELECT url, outcome FROM fetches"))[soft404] == "error"
        assert not con.execute("SELECT 1 FROM documents WHERE url = ?", (soft404,)).fetchone()
    assert {item["language"] for item in items} == {"ru"}


def test_urls_argument_fetches_only_those(mirror, tmp_path):
    wanted = "https://eng.khovar.tj/2021/09/csto-collective-security-council-session-held-in-dushanbe/"
    mirror.clear_requests()
    _, items, _ = crawl("khovar", mirror, tmp_path, "-a", f"urls={wanted}")
    assert [item["url"] for item in items] == [wanted]
    assert sorted(r.path for r in mirror.requests()) == [
        "/eng.khovar.tj/2021/09/csto-collective-security-council-session-held-in-dushanbe/",
        "/eng.khovar.tj/robots.txt",
    ]
