"""The archive under faults: SIGKILL mid-write, two writers at once, a full disk."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from pipelines.archive import Archive

WRITER = textwrap.dedent("""
    import sys
    from pipelines.archive import Archive
    path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with Archive(path) as arch:
        run = arch.start_run(prefix)
        for i in range(count):
            text = "\\n\\n".join(f"Абзац {j} статьи {i} об ОДКБ." for j in range(30))
            arch.store_article({"url": f"https://{prefix}.example/{i}", "site": prefix,
                                "title": f"ОДКБ {i}", "text": text}, run)
            arch.store_article({"url": f"https://{prefix}.example/{i}", "site": prefix,
                                "title": f"ОДКБ {i}", "text": text + " Обновлено."}, run)
            print(i, flush=True)
""")


def consistent(path) -> None:
    """Integrity ok, and every document's pointers and counters agree with its versions."""
    with Archive(path) as arch:
        assert arch.integrity_check() == "ok"
        bad = list(arch.db.query("""
            SELECT d.id FROM documents d
            WHERE d.versions != (SELECT COUNT(*) FROM versions v WHERE v.document_id = d.id)
               OR d.current_version_id IS NULL
               OR d.current_version_id != (SELECT MAX(id) FROM versions v WHERE v.document_id = d.id)
        """))
        assert bad == []
        orphans = list(arch.db.query(
            "SELECT id FROM versions WHERE content_hash NOT IN (SELECT hash FROM contents)"))
        assert orphans == []
        # the rows the full-text index holds (opening the archive indexed what a killed
        # writer left pending); a count of contents_fts would read contents itself
        fts = next(arch.db.query("SELECT COUNT(*) AS n FROM contents_fts_docsize"))["n"]
        assert fts == arch.db["contents"].count


def test_sigkill_during_writes_leaves_a_consistent_archive(tmp_path):
    path = tmp_path / "a.db"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "k", "100000"],
                            stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    seen = 0
    while seen < 40 and time.monotonic() < deadline:  # let it write a while
        if proc.stdout.readline():
            seen += 1
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert seen >= 40
    consistent(path)
    # and the archive takes writes again
    with Archive(path) as arch:
        assert arch.store_article({"url": "https://k.example/after", "site": "k",
                                   "title": "ОДКБ", "text": "После сбоя."}).outcome == "new"
    consistent(path)


def test_two_writers_at_once_lose_nothing(tmp_path):
    path = tmp_path / "a.db"
    Archive(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, "60"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for name in ("a", "b")]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    consistent(path)
    with Archive(path) as arch:
        assert arch.db["documents"].count == 120
        assert arch.db["versions"].count == 240


def test_full_disk_fails_clearly_and_leaves_no_partial_state(tmp_path):
    path = tmp_path / "a.db"
    with Archive(path) as arch:
        arch.store_article({"url": "https://r.example/1", "site": "r", "title": "ОДКБ", "text": "T"})
        pages = next(arch.db.query("PRAGMA page_count"))["page_count"]
        # SQLite's page limit stands in for a full disk: the next big write hits SQLITE_FULL
        arch.db.execute(f"PRAGMA max_page_count = {pages + 2}")
        huge = "\n\n".join(f"Абзац {i} про ОДКБ и безопасность в регионе." * 20 for i in range(400))
        with pytest.raises(sqlite3.OperationalError, match="full"):
            arch.store_article({"url": "https://r.example/2", "site": "r", "title": "ОДКБ 2",
                                "text": huge})
        assert arch.document("https://r.example/2") is None
        assert arch.db["contents"].count == 1
    consistent(path)
