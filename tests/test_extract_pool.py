"""The extraction pool (``csto_crawler.extraction_pool``): extraction off the reactor thread,
with a per-page budget (``CSTO_EXTRACT_TIMEOUT``).

Unit tests drive the pool directly (same results as inline extraction, a stuck worker killed
and replaced, failures reported, no pile-up of runaway calls). The e2e tests run the real
``scrapy crawl news`` against the loopback mirror with an extraction that never returns for one
page: the page becomes an ``error`` fetch ("extraction timeout"), the other pages are downloaded
and archived meanwhile, nothing archived changes, and the next run fetches the page again.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from helpers import FIXTURES, load_sidecar
from reliability import (
    TestSite,
    assert_kept,
    crawl_ok,
    document,
    last_run,
    outcomes,
    query,
    snapshot,
)

from csto_crawler.extract import extract
from csto_crawler.extraction_pool import (
    ExtractionError,
    ExtractionPool,
    ExtractionTimeout,
    PoolStarter,
    pool_for,
    pool_key,
)
from csto_crawler.sites import rules_for_url


def _page(slug: str, name: str) -> tuple[bytes, str]:
    sidecar = FIXTURES / slug / f"{name}.json"
    return sidecar.with_suffix(".html").read_bytes(), load_sidecar(sidecar)["url"]


def test_the_pool_extracts_exactly_what_inline_extraction_does():
    pages = [_page("khovar", "ar_article_2021-08-23"), _page("generic", next(
        p.stem for p in sorted((FIXTURES / "generic").glob("*.json"))
        if load_sidecar(p).get("kind") == "article"))]
    with ExtractionPool(workers=2, timeout=30) as pool:
        futures = [pool.submit(body, url, rules_for_url(url), encoding=None) for body, url in pages]
        got = [f.result() for f in futures]
    assert got == [extract(body, url, rules_for_url(url)) for body, url in pages]
    assert all(g.text for g in got)


def test_a_call_over_budget_is_killed_and_its_worker_replaced():
    with ExtractionPool(workers=1, timeout=1.0, function="pool_functions:pid_or_sleep") as pool:
        first = pool()
        started = time.perf_counter()
        with pytest.raises(ExtractionTimeout):
            pool(30)
        assert time.perf_counter() - started < 10
        second = pool()
        assert second != first
        assert not Path(f"/proc/{first}").exists()  # killed and reaped, not left running
        assert (pool.timeouts, pool.restarts) == (1, 1)


def test_a_busy_loop_is_stopped_too_and_runaway_calls_never_pile_up():
    with ExtractionPool(workers=1, timeout=0.5, function="pool_functions:spin") as pool:
        futures = [pool.submit(60) for _ in range(3)] + [pool.submit(0.01)]
        for future in futures[:3]:
            with pytest.raises(ExtractionTimeout):
                future.result(timeout=30)
        assert futures[3].result(timeout=30) > 0
        assert pool.timeouts == 3


def test_a_failing_or_dying_extraction_is_reported_and_the_pool_goes_on():
    with ExtractionPool(workers=1, timeout=10, function="pool_functions:fail") as pool:
        with pytest.raises(ExtractionError, match="ValueError: bad page"):
            pool("bad page")
    with ExtractionPool(workers=1, timeout=10, function="pool_functions:die") as pool:
        with pytest.raises(ExtractionError, match="died.*exit status 3"):
            pool(3)
        with pytest.raises(ExtractionError, match="exit status 4"):
            pool(4)  # a fresh worker took the call
    with ExtractionPool(workers=1, timeout=10, function="no_such_module:extract") as pool:
        with pytest.raises(ExtractionError, match="could not start"):
            pool()


def test_bad_pool_parameters_are_refused():
    with pytest.raises(ValueError, match="at least one worker"):
        ExtractionPool(workers=0)
    with pytest.raises(ValueError, match="positive"):
        ExtractionPool(timeout=0)
    for nice in (-1, 20):
        with pytest.raises(ValueError, match="0 to 19"):
            ExtractionPool(nice=nice)


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("CSTO_EXTRACT_NICE", "25", "CSTO_EXTRACT_NICE must be 0 to 19, got 25"),
    ("CSTO_EXTRACT_NICE", "-5", "CSTO_EXTRACT_NICE must be 0 to 19, got -5"),
    ("CSTO_EXTRACT_TIMEOUT", "0", "CSTO_EXTRACT_TIMEOUT must be a positive number of seconds, got 0"),
])
def test_a_pool_setting_no_pool_can_take_stops_the_crawl_before_it_starts(setting, value, message):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    with pytest.raises(ValueError, match=message):
        PoolStarter.from_crawler(get_crawler(Spider, {setting: value}))
    assert pool_key(get_crawler(Spider, {setting: value, "CSTO_EXTRACT_WORKERS": 0}).settings) is None


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
def test_workers_run_at_the_lowered_priority_they_are_given():
    own = os.nice(0)
    with ExtractionPool(workers=1, timeout=10, function="pool_functions:niceness", nice=7) as pool:
        assert pool() == min(19, own + 7)
    with ExtractionPool(workers=1, timeout=10, function="pool_functions:niceness") as pool:
        assert pool() == own  # the class's default: the caller's own priority


def test_no_pool_outside_a_running_crawl(make_spider):
    from csto_crawler.spiders.khovar import KhovarSpider

    spider = make_spider(KhovarSpider)
    assert pool_for(spider.crawler) is None  # a test crawler that is not crawling: inline
    assert pool_for(None) is None


# --- through a real crawl ---------------------------------------------------------------------
STALLED_KNOWN = 2


@pytest.mark.e2e
def test_a_page_over_budget_is_an_error_the_others_go_on_and_the_next_run_retries(tmp_path, monkeypatch):
    from csto_crawler.mirror import MirrorServer

    site = TestSite(tmp_path / "site")
    for n in range(1, 7):
        site.article(n)
    site.write()
    db = tmp_path / "archive.db"
    stall = ("CSTO_EXTRACT_FUNCTION=pool_functions:stall_on", "CSTO_EXTRACT_TIMEOUT=4",
             "CSTO_EXTRACT_WORKERS=2")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]))
    with MirrorServer(site.web) as mirror:
        # run 1: the first article page extracted never finishes
        monkeypatch.setenv("POOL_TEST_STALL_FIRST", str(tmp_path / "stalled-once"))
        started = time.perf_counter()
        proc = crawl_ok(mirror.base_url, db, site, *stall)
        assert time.perf_counter() - started < 90
        rows = query(db, "SELECT url, outcome, detail, id FROM fetches ORDER BY id")
        errors = [r for r in rows if r["outcome"] == "error"]
        assert len(errors) == 1 and errors[0]["detail"].startswith("extraction timeout"), rows
        stalled = errors[0]["url"]
        assert document(db, stalled) is None
        assert "extraction timeout" in proc.stderr
        assert "nice 10 (CSTO_EXTRACT_NICE)" in proc.stderr  # the crawl's default
        # the five others were downloaded, extracted and stored while that page was stuck
        others = [r for r in rows if r["outcome"] == "new"]
        assert len(others) == 5 and all(r["id"] < errors[0]["id"] for r in others), rows

        # run 2: the page is fetched again and archived; a known article whose changed page
        # now stalls is an error too, and everything archived stays as it was
        before, run = snapshot(db), last_run(db)
        changed = site.articles[STALLED_KNOWN if site.url(STALLED_KNOWN) != stalled else STALLED_KNOWN + 1]
        page = (site.web / "relsite" / f"article_{changed.n:05d}.html").read_text(encoding="utf-8")
        mirror.fault(changed.url, "body", body=page.replace(f"Статья {changed.n}:", f"Статья {changed.n} (обновлено):"),
                     content_type="text/html; charset=utf-8")
        monkeypatch.setenv("POOL_TEST_STALL_URLS", changed.url)
        crawl_ok(mirror.base_url, db, site, *stall, "CSTO_RECHECK_SCHEDULE=*:0s")
    assert [o for o, _ in outcomes(db, stalled, run)] == ["new"]
    assert document(db, stalled)["text"].startswith("Статья ")
    recheck = outcomes(db, changed.url, run)
    assert [o for o, _ in recheck] == ["error"] and recheck[0][1].startswith("extraction timeout")
    assert_kept(before, db)
    assert document(db, changed.url)["versions"] == 1


def test_what_the_extraction_logs_in_a_worker_is_logged_in_this_process(caplog):
    with ExtractionPool(workers=1, timeout=10, function="pool_functions:log_and_return") as pool:
        assert pool("a date that does not parse") == 1
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records if r.name == "pool_functions"] == [
        ("pool_functions", "WARNING", "from the worker: a date that does not parse")]


@pytest.mark.e2e
def test_workers_start_with_the_first_new_article_and_not_for_a_refresh_with_nothing_new(tmp_path):
    from csto_crawler.mirror import MirrorServer

    site = TestSite(tmp_path / "site")
    for n in range(1, 4):
        site.article(n)
    site.write()
    db = tmp_path / "archive.db"
    started = "extracting articles in 2 worker process(es)"
    with MirrorServer(site.web) as mirror:
        first = crawl_ok(mirror.base_url, db, site, "CSTO_EXTRACT_WORKERS=2")
        assert first.stderr.count(started) == 1
        assert len(query(db, "SELECT id FROM documents")) == 3
        run = last_run(db)
        # nothing due, then every article re-checked and answered 304: no extraction, no worker
        quiet = crawl_ok(mirror.base_url, db, site, "CSTO_EXTRACT_WORKERS=2")
        rechecked = crawl_ok(mirror.base_url, db, site, "CSTO_EXTRACT_WORKERS=2", "CSTO_RECHECK_SCHEDULE=*:0s")
        assert started not in quiet.stderr and started not in rechecked.stderr
        statuses = [r["http_status"] for r in query(
            db, "SELECT http_status FROM fetches WHERE run_id > ? AND url IN (SELECT url FROM documents)", (run,))]
        assert statuses and set(statuses) == {304}, statuses
        # a re-checked page that changed starts the pool when it is extracted, and is archived
        changed = site.articles[1]
        page = (site.web / "relsite" / f"article_{changed.n:05d}.html").read_text(encoding="utf-8")
        mirror.fault(changed.url, "body", body=page.replace(f"Статья {changed.n}:", f"Статья {changed.n} (обновлено):"),
                     content_type="text/html; charset=utf-8")
        edited = crawl_ok(mirror.base_url, db, site, "CSTO_EXTRACT_WORKERS=2", "CSTO_RECHECK_SCHEDULE=*:0s")
    assert edited.stderr.count(started) == 1
    assert document(db, changed.url)["versions"] == 2
