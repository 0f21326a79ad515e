"""``csto refresh`` end to end on the sample web: the real command, the real archive.

One mirror and one archive go through a refresh's life: the first run archives everything; an
immediate second one pages no listing beyond the first and re-checks only conditionally; then
edits, furniture-only changes, new and removed articles; then two refreshes at once and a
refresh killed with SIGKILL.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import query

from csto_crawler import PROJECT_ROOT
from csto_crawler.mirror import MirrorServer
from csto_crawler.sites import spider_classes

pytestmark = pytest.mark.e2e

RECHECK_ALL = "CSTO_RECHECK_SCHEDULE=*:0s"
TIMEOUT = 240


def refresh(mirror: MirrorServer, db: Path, *settings: str, wait: bool = True):
    """Run ``csto refresh`` in a subprocess against the mirror."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
    argv = [sys.executable, "-m", "csto_crawler", "refresh", "--mirror", mirror.base_url,
            "--db", str(db)]
    for setting in settings:
        argv += ["-s", setting]
    proc = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if not wait:
        return proc
    out, err = proc.communicate(timeout=TIMEOUT)
    return proc.returncode, out, err


def scalar(db: Path, sql: str, params=()):
    return next(iter(query(db, sql, params)[0].values()))


def run_stats(db: Path, after: int) -> dict[str, dict]:
    return {r["spider"]: json.loads(r["stats"]) for r in
            query(db, "SELECT spider, stats FROM runs WHERE id > ?", (after,))}


def total(stats: dict[str, dict], key: str) -> int:
    return sum(int(s.get(key, 0)) for s in stats.values())


@pytest.fixture(scope="module")
def mirror():
    server = MirrorServer(port=0).start()
    yield server
    server.stop()


def editable_word(text: str) -> str:
    """A long word of the article body to edit on the mirror."""
    words = [w for w in re.findall(r"\w{7,}", text) if not w.isdigit()]
    return words[len(words) // 2]


def test_refresh_lifecycle(mirror, tmp_path):
    db = tmp_path / "archive.db"

    # 1. the first refresh archives every site
    code, out, err = refresh(mirror, db)
    assert code == 0, err[-2000:]
    assert {r["spider"] for r in query(db, "SELECT spider FROM runs")} == set(spider_classes())
    versions_after_first = scalar(db, "SELECT COUNT(*) FROM versions")
    assert versions_after_first > 40
    first_stats = run_stats(db, 0)
    assert "requests by kind" in out

    # 2. an immediate second refresh: no version, no listing page beyond the first, and every
    #    request for a known document is conditional
    last = scalar(db, "SELECT MAX(id) FROM runs")
    mirror.clear_requests()
    code, out, err = refresh(mirror, db)
    assert code == 0, err[-2000:]
    assert scalar(db, "SELECT COUNT(*) FROM versions") == versions_after_first
    second_stats = run_stats(db, last)
    assert total(first_stats, "csto/requests/deeper_pages") > 0
    assert total(second_stats, "csto/requests/deeper_pages") == 0
    assert total(second_stats, "csto/requests/listings") > 0
    known = {r["url"] for r in query(db, "SELECT url FROM fetches WHERE document_id IS NOT NULL")}
    for record in mirror.requests():
        if record.url in known:
            assert record.conditional, f"unconditional re-fetch of {record.url}"
    print("second refresh requests by kind:",
          {k: total(second_stats, f"csto/requests/{k}") for k in
           ("robots", "feeds", "sitemaps", "listings", "search", "article", "recheck")})

    # 3. everything due: all documents re-checked with conditional requests, all 304
    last = scalar(db, "SELECT MAX(id) FROM runs")
    live = scalar(db, "SELECT COUNT(*) FROM documents WHERE status = 'live'")
    code, out, err = refresh(mirror, db, RECHECK_ALL)
    assert code == 0, err[-2000:]
    stats = run_stats(db, last)
    # every re-check request is conditional; a page re-check answers 304, an API record (which
    # the list API hands back anyway, at no extra request) is unchanged
    assert total(stats, "csto/requests/recheck") > 0
    assert total(stats, "csto/requests/recheck") == total(stats, "csto/requests/conditional")
    outcomes = query(db, "SELECT document_id, outcome FROM fetches WHERE run_id > ? "
                         "AND document_id IS NOT NULL", (last,))
    assert len({r["document_id"] for r in outcomes}) == live
    assert {r["outcome"] for r in outcomes} <= {"not_modified", "unchanged"}
    assert sum(r["outcome"] == "not_modified" for r in outcomes) == total(
        stats, "csto/requests/recheck")
    assert scalar(db, "SELECT COUNT(*) FROM versions") == versions_after_first

    # 4. edit 3, furniture on 10, add 2 to a feed, remove 1
    docs = query(db, """SELECT d.id, d.site, c.text,
                          (SELECT url FROM fetches f WHERE f.document_id = d.id ORDER BY f.id LIMIT 1) AS fetched
                        FROM documents d JOIN versions v ON v.id = d.current_version_id
                        JOIN contents c ON c.hash = v.content_hash ORDER BY d.site, d.id""")
    by_site: dict[str, list[dict]] = {}
    for doc in docs:
        by_site.setdefault(doc["site"], []).append(doc)
    edited = []
    for site_docs in by_site.values():  # one per site, from three sites
        doc = site_docs[0]
        word = editable_word(doc["text"])
        try:
            mirror.edit_article(doc["fetched"], word, "изменено")
        except ValueError:
            continue
        edited.append(doc["id"])
        if len(edited) == 3:
            break
    assert len(edited) == 3
    furnished = []
    for doc in docs:
        if doc["id"] in edited or len(furnished) == 10:
            continue
        before = mirror.tree.page(doc["fetched"]).body
        if mirror.change_furniture(doc["fetched"]).body != before:
            furnished.append(doc["id"])
    assert len(furnished) == 10
    removed = next(d for d in docs if d["id"] not in edited + furnished)
    mirror.remove(removed["fetched"], 410)
    feed = "https://khovar.tj/rus/feed/"
    for n in (1, 2):
        mirror.add_article("khovar.tj", f"https://khovar.tj/rus/2026/11/odkb-novost-{n}/",
                           f"Новость {n} об учениях ОДКБ",
                           f"<p>ДУШАНБЕ, 22.11.2026 /НИАТ «Ховар»/. Сообщение {n} об учениях "
                           "Организации Договора о коллективной безопасности в Таджикистане.</p>",
                           "2026-11-22T10:00:00+05:00", "ru", feed_url=feed)
    last = scalar(db, "SELECT MAX(id) FROM runs")
    documents_before = scalar(db, "SELECT COUNT(*) FROM documents")
    code, out, err = refresh(mirror, db, RECHECK_ALL)
    assert code == 0, err[-2000:]
    changed = query(db, "SELECT document_id FROM fetches WHERE run_id > ? AND outcome = 'changed'",
                    (last,))
    assert sorted(r["document_id"] for r in changed) == sorted(edited)
    assert scalar(db, "SELECT COUNT(*) FROM versions") == versions_after_first + 3 + 2
    for doc_id in furnished:
        assert scalar(db, "SELECT versions FROM documents WHERE id = ?", (doc_id,)) == 1
    assert scalar(db, "SELECT COUNT(*) FROM documents") == documents_before + 2
    new = query(db, "SELECT url FROM fetches WHERE run_id > ? AND outcome = 'new'", (last,))
    assert sorted(r["url"] for r in new) == [f"https://khovar.tj/rus/2026/11/odkb-novost-{n}/"
                                             for n in (1, 2)]
    assert scalar(db, "SELECT status FROM documents WHERE id = ?", (removed["id"],)) == "live"

    # 5. the second miss makes the removed article gone; its versions stay
    code, out, err = refresh(mirror, db, RECHECK_ALL)
    assert code == 0, err[-2000:]
    assert scalar(db, "SELECT status FROM documents WHERE id = ?", (removed["id"],)) == "gone"
    assert scalar(db, "SELECT COUNT(*) FROM versions WHERE document_id = ?", (removed["id"],)) >= 1
    assert scalar(db, "SELECT COUNT(*) FROM fetches WHERE document_id = ? AND outcome = 'gone'",
                  (removed["id"],)) == 2

    # 6. two refreshes at once: one runs, one refuses
    mirror.fault("https://khovar.tj/rus/feed/", "slow", delay=4, times=1)
    first = refresh(mirror, db, wait=False)
    time.sleep(1.5)
    code, out, err = refresh(mirror, db)
    assert code == 75 and "another refresh is running" in err
    out, err = first.communicate(timeout=TIMEOUT)
    assert first.returncode == 0, err[-2000:]

    # 7. SIGKILL in the middle of a crawl; the next refresh completes and the file is sound
    for doc in docs[:6]:
        mirror.fault(doc["fetched"], "slow", delay=3, times=1)
    last = scalar(db, "SELECT MAX(id) FROM runs")
    victim = refresh(mirror, db, RECHECK_ALL, wait=False)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if scalar(db, "SELECT COUNT(*) FROM fetches WHERE run_id > ?", (last,)) > 20:
            break
        time.sleep(0.2)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    mirror.clear_faults()
    assert scalar(db, "PRAGMA integrity_check") == "ok"
    code, out, err = refresh(mirror, db)
    assert code == 0, err[-2000:]
    assert scalar(db, "PRAGMA integrity_check") == "ok"
    assert query(db, """SELECT id FROM documents d WHERE versions !=
                        (SELECT COUNT(*) FROM versions v WHERE v.document_id = d.id)""") == []
