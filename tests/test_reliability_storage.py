"""Storage faults at the crawl level: ``scrapy crawl news`` writing a real archive.

A full disk in the middle of a crawl (``RLIMIT_FSIZE``: the archive's files cannot grow,
which also works as root) and a read-only archive (a read-only bind mount in a private mount
namespace as root, file permissions otherwise) stop the crawl with one clear ERROR and exit
status 1, leave nothing half-written and lose nothing; SIGKILL in the middle of a crawl,
two crawls writing one archive at once and Datasette reading during a crawl leave a sound,
complete archive; an archive made by an older schema is migrated by the crawl. Every test
ends with ``PRAGMA integrity_check`` and the consistency checks of ``test_archive_faults``.
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability import (
    FAST,
    TestSite,
    assert_kept,
    assert_sound,
    crawl,
    crawl_ok,
    document,
    last_run,
    mirror_hits,
    paragraphs,
    query,
    snapshot,
)

from csto_crawler import PROJECT_ROOT
from csto_crawler.mirror import MirrorServer

pytestmark = pytest.mark.e2e

LINKED = 5
UNLINKED = range(100, 250)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """The site: five articles in the feed, 150 long ones reachable with ``-a urls``."""
    site = TestSite(tmp_path_factory.mktemp("storage"))
    for n in range(1, LINKED + 1):
        site.article(n)
    for n in UNLINKED:
        site.article(n, linked=False, text=paragraphs(n) * 6)
    site.write()
    with MirrorServer(site.web) as mirror:
        yield site, mirror


@pytest.fixture
def archived(web, tmp_path):
    """A fresh archive holding the five linked articles."""
    site, mirror = web
    db = tmp_path / "data" / "archive.db"
    db.parent.mkdir()
    crawl_ok(mirror.base_url, db, site)
    assert query(db, "SELECT COUNT(*) AS n FROM documents")[0]["n"] == LINKED
    return db


def unlinked_urls(site: TestSite) -> str:
    return ",".join(site.url(n) for n in UNLINKED)


def archive_files(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


# --- a full disk ---------------------------------------------------------------------------
def test_a_full_disk_stops_the_crawl_clearly_with_nothing_half_written(web, archived):
    site, mirror = web
    before, run = snapshot(archived), last_run(archived)
    limit = archive_files(archived) + 96 * 1024  # room for a handful of articles, no more

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    mirror.clear_requests()
    proc = crawl(mirror.base_url, archived, site, args=("-a", f"urls={unlinked_urls(site)}"),
                 preexec_fn=small_disk)
    requested = sum(bool(mirror_hits(mirror, site.url(n))) for n in UNLINKED)

    assert proc.returncode == 1, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if "] ERROR:" in line]
    assert len(errors) == 1 and "cannot be written" in errors[0] and "stopping the crawl" in errors[0]
    assert "Traceback" not in proc.stderr
    assert "Closing spider (archive_error)" in proc.stderr
    # it stopped: a third of the articles or more were never even requested (the extraction runs
    # in worker processes, so downloads run ahead of the store by the pages in flight)
    stored = query(archived, "SELECT COUNT(*) AS n FROM fetches WHERE run_id > ?", (run,))[0]["n"]
    assert stored < 30 and requested < 100, (stored, requested)
    assert_kept(before, archived)
    assert_sound(archived)
    # every document stored before the failure is whole; the disk freed, the next crawl goes on
    crawl_ok(mirror.base_url, archived, site, args=("-a", f"urls={unlinked_urls(site)}"))
    assert query(archived, "SELECT COUNT(*) AS n FROM documents")[0]["n"] == LINKED + len(UNLINKED)
    assert query(archived, "SELECT MAX(versions) AS n FROM documents")[0]["n"] == 1
    assert_sound(archived)


# --- a read-only archive ---------------------------------------------------------------------
def _read_only_wrapper(folder: Path) -> tuple[tuple[str, ...], object]:
    """How to run a crawl that sees ``folder`` read-only: (command prefix, cleanup)."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.iterdir()]}
        for path in modes:
            path.chmod(0o555 if path.is_dir() else 0o444)
        return (), lambda: [p.chmod(m) for p, m in modes.items()]
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.fail("running as root, a read-only archive needs a private mount namespace "
                    f"(unshare -m): {probe.stderr.decode(errors='replace').strip()}")
    script = f'mount -o bind,ro "{folder}" "{folder}" && exec "$0" "$@"'
    return ("unshare", "-m", "sh", "-c", script), lambda: None


def test_a_read_only_archive_fails_clearly_and_is_not_touched(web, archived):
    site, mirror = web
    before = snapshot(archived)
    files = {p.name: p.read_bytes() for p in archived.parent.iterdir() if p.is_file()}
    wrapper, restore = _read_only_wrapper(archived.parent)
    try:
        mirror.clear_requests()
        proc = crawl(mirror.base_url, archived, site, args=("-a", f"urls={unlinked_urls(site)}"),
                     wrapper=wrapper)
    finally:
        restore()
    assert proc.returncode == 1, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if "] ERROR:" in line]
    assert len(errors) == 1 and "readonly database" in errors[0] and "cannot be written" in errors[0]
    assert "Traceback" not in proc.stderr
    assert not [r for r in mirror.requests() if r.url and "/news/" in r.url]  # nothing fetched
    assert {p.name: p.read_bytes() for p in archived.parent.iterdir() if p.is_file()} == files
    assert snapshot(archived) == before
    assert_sound(archived)


# --- SIGKILL, two writers, a reader ----------------------------------------------------------
def _start(mirror_url: str, db: Path, site: TestSite, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
    argv = [sys.executable, "-m", "scrapy", "crawl", "news", "-s", f"CSTO_MIRROR={mirror_url}",
            "-s", f"CSTO_ARCHIVE_DB={db}", "-s", f"CSTO_SEEDS_DIR={site.seeds}",
            "-s", "CSTO_ENTRY_POINTS=", "-s", "LOG_LEVEL=INFO"]
    for setting in FAST:
        argv += ["-s", setting]
    return subprocess.Popen([*argv, *args], cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def _slow_down(site: TestSite, mirror: MirrorServer, delay: float) -> None:
    for n in UNLINKED:
        mirror.fault(site.url(n), "slow", delay=delay, times=1)


def test_sigkill_during_a_crawl_leaves_a_sound_archive_that_the_next_crawl_completes(web, archived):
    site, mirror = web
    before, run = snapshot(archived), last_run(archived)
    _slow_down(site, mirror, 0.05)
    victim = _start(mirror.base_url, archived, site, "-a", f"urls={unlinked_urls(site)}")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and victim.poll() is None:
        if query(archived, "SELECT COUNT(*) AS n FROM fetches WHERE run_id > ?", (run,))[0]["n"] >= 20:
            break
        time.sleep(0.05)
    assert victim.poll() is None, "the crawl ended before it could be killed"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    mirror.clear_faults()
    assert_kept(before, archived)
    assert_sound(archived)
    killed = query(archived, "SELECT finished_at FROM runs WHERE id = ?", (run + 1,))[0]
    assert killed["finished_at"] is None  # the run row says it never finished
    crawl_ok(mirror.base_url, archived, site, args=("-a", f"urls={unlinked_urls(site)}"))
    assert query(archived, "SELECT COUNT(*) AS n FROM documents")[0]["n"] == LINKED + len(UNLINKED)
    assert_sound(archived)


def test_two_crawls_writing_one_archive_at_once_lose_nothing(web, archived):
    site, mirror = web
    before, run = snapshot(archived), last_run(archived)
    _slow_down(site, mirror, 0.01)
    procs = [_start(mirror.base_url, archived, site, "-a", f"urls={unlinked_urls(site)}")
             for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0 and "Traceback" not in err, err[-3000:]
    mirror.clear_faults()
    assert_kept(before, archived)
    assert_sound(archived)
    assert query(archived, "SELECT COUNT(*) AS n FROM documents")[0]["n"] == LINKED + len(UNLINKED)
    assert query(archived, "SELECT MAX(versions) AS n FROM documents")[0]["n"] == 1
    outcomes = query(archived, "SELECT outcome, COUNT(*) AS n FROM fetches WHERE run_id > ? "
                               "GROUP BY outcome", (run,))
    assert {r["outcome"]: r["n"] for r in outcomes} == {"new": len(UNLINKED), "unchanged": len(UNLINKED)}


def test_datasette_reads_consistent_data_during_a_crawl(web, archived, tmp_path):
    from datasette.app import Datasette

    from csto_crawler.commands import serve

    site, mirror = web
    config = serve.config_dir_for(archived, tmp_path / "config")
    _slow_down(site, mirror, 0.02)
    crawler = _start(mirror.base_url, archived, site, "-a", f"urls={unlinked_urls(site)}")
    orphan_sql = ("select count(*) as n from documents d where versions != "
                  "(select count(*) from versions v where v.document_id = d.id) "
                  "or current_version_id is null")

    async def read_while_it_writes():
        ds = Datasette(config_dir=config)
        await ds.invoke_startup()
        seen = []
        while crawler.poll() is None:
            articles = await ds.client.get("/archive/articles.json?_shape=array&_size=max&_col=url")
            assert articles.status_code == 200, articles.text[:500]
            check = await ds.client.get("/archive.json?_shape=array&sql=" + orphan_sql.replace(" ", "+"))
            assert check.status_code == 200 and check.json() == [{"n": 0}], check.text[:500]
            seen.append(len(articles.json()))
            await asyncio.sleep(0.05)
        return seen

    seen = asyncio.run(read_while_it_writes())
    _, err = crawler.communicate(timeout=60)
    mirror.clear_faults()
    assert crawler.returncode == 0, err[-3000:]
    assert len(seen) >= 5 and seen == sorted(seen) and seen[0] < seen[-1], seen
    assert_sound(archived)


# --- an older schema -------------------------------------------------------------------------
def test_an_archive_of_an_older_schema_is_migrated_by_the_crawl(web, tmp_path):
    import sqlite3

    from sqlite_utils import Database

    from pipelines.fingerprint import content_hash, short_hash
    from pipelines.schema import MIGRATIONS, pending_migrations

    site, mirror = web
    db_path = tmp_path / "old.db"
    old = Database(sqlite3.connect(db_path, isolation_level=None))
    MIGRATIONS.apply(old, stop_before="002_fetch_site_and_document_facts")
    article = site.articles[1]
    text = "\n\n".join(article.text)
    digest = content_hash(article.title, text)
    old.execute("INSERT INTO sites (slug, name) VALUES ('relsite', 'Reliability test site')")
    old.execute("INSERT INTO runs (id, spider, started_at, finished_at, finish_reason) "
                "VALUES (1, 'news', '2025-01-01T00:00:00+00:00', '2025-01-01T00:01:00+00:00', 'finished')")
    old.execute("INSERT INTO contents (hash, short_hash, title, text, chars) VALUES (?, ?, ?, ?, ?)",
                (digest, short_hash(digest), article.title, text, len(text)))
    old.execute("INSERT INTO documents (id, site, url, language, first_seen, last_checked, last_changed, "
                "versions) VALUES (1, 'relsite', ?, 'ru', '2025-01-01T00:00:00+00:00', "
                "'2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00', 1)", (article.url,))
    old.execute("INSERT INTO versions (id, document_id, number, content_hash, fetched_at, run_id, "
                "published_at) VALUES (1, 1, 1, ?, '2025-01-01T00:00:00+00:00', 1, "
                "'2026-06-21T10:15:00+06:00')", (digest,))
    old.execute("UPDATE documents SET current_version_id = 1 WHERE id = 1")
    old.execute("INSERT INTO fetches (run_id, url, fetched_at, http_status, outcome, document_id, "
                "version_id) VALUES (1, ?, '2025-01-01T00:00:00+00:00', 200, 'new', 1, 1)", (article.url,))
    old.close()
    before = snapshot(db_path)
    assert "002_fetch_site_and_document_facts" in pending_migrations(Database(db_path))

    proc = crawl_ok(mirror.base_url, db_path, site)
    assert "applied migrations 002_fetch_site_and_document_facts" in proc.stderr
    assert pending_migrations(Database(db_path)) == []
    assert_kept(before, db_path)
    doc = document(db_path, article.url)
    assert doc["versions"] == 1 and doc["etag"]  # unchanged text; the new column is filled
    assert query(db_path, "SELECT COUNT(*) AS n FROM documents")[0]["n"] == LINKED
    assert_sound(db_path)
