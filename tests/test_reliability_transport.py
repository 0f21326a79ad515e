"""Transport faults through the real crawl path: ``scrapy crawl news`` against the loopback mirror.

One generated site is archived once (the baseline); then one crawl fetches, with ``-a urls=``,
known articles and new ones while the mirror answers each with a different fault: 5xx then
success, 429 with ``Retry-After`` (short, and too long), timeouts, connection resets (before
and in the middle of the body), truncated bodies, redirect loops, redirects to another site,
to internal addresses and to ``file://``, oversized answers (announced and not) and a gzip
bomb. Each test then checks what the archive holds: the fetch's outcome and detail, the
documents and versions (nothing earlier lost or altered), and the file's integrity. A last
crawl finds the mirror gone (connection refused).
"""

from __future__ import annotations

import socket
import zlib

import pytest
from reliability import (
    PEAK_RSS,
    TestSite,
    assert_kept,
    assert_sound,
    crawl,
    crawl_ok,
    document,
    last_run,
    mirror_hits,
    outcomes,
    peak_mb,
    query,
    snapshot,
)

from csto_crawler.mirror import MirrorServer
from csto_crawler.settings import DOWNLOAD_MAXSIZE

pytestmark = pytest.mark.e2e

BACKOFF = 0.3
#: The crawl's settings: a short timeout, a small backoff, Retry-After honoured up to 30 s. The
#: timeout leaves room for a busy machine: an answer that waits longer for the CPU (the crawl's,
#: the mirror's) becomes a timeout and its request goes missing from the mirror's log.
SETTINGS = ("DOWNLOAD_TIMEOUT=2", f"CSTO_RETRY_BACKOFF={BACKOFF}", "CSTO_RETRY_BACKOFF_MAX=2",
            "CSTO_RETRY_AFTER_MAX=30", "RETRY_TIMES=3")
KNOWN = range(1, 7)


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzip-compressed (about a thousandth of the size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    return b"".join(packer.compress(chunk) for _ in range(size >> 20)) + packer.flush()


#: article number -> (fault kind, options) for the faulted crawl; known articles are 1-6.
FAULTS = {
    1: ("500_then_ok", {"times": 2}),
    2: ("status", {"status": 429, "headers": {"Retry-After": "3600"}}),
    3: ("reset", {}),
    4: ("body", {"content_type": "text/html; charset=utf-8", "headers": {"Content-Encoding": "gzip"}}),
    11: ("500_then_ok", {"times": 2}),
    12: ("status", {"status": 429, "headers": {"Retry-After": "2"}, "times": 1}),
    13: ("status", {"status": 503}),
    14: ("slow", {"delay": 5}),
    15: ("slow", {"delay": 5, "times": 1}),
    16: ("reset_body", {}),
    17: ("reset_body", {"times": 1}),
    18: ("truncate", {}),
    19: ("redirect_loop", {}),
    20: ("redirect", {"location": "http://169.254.169.254/latest/meta-data/"}),
    21: ("redirect", {"location": "https://evil.example/news/21-odkb-novost"}),
    22: ("redirect", {"location": "http://localhost:8080/admin"}),
    23: ("redirect", {"location": "file:///etc/passwd"}),
    24: ("huge", {}),
    25: ("huge", {"announce": False}),
    26: ("redirect", {"location": "https://www.rel-site.example/news/27-odkb-novost"}),
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("transport")
    site = TestSite(root)
    for n in KNOWN:
        site.article(n)
    for n in range(11, 28):
        site.article(n, linked=False)
    site.write()
    db = root / "archive.db"
    with MirrorServer(site.web) as mirror:
        crawl_ok(mirror.base_url, db, site)
        before = snapshot(db)
        baseline_run = last_run(db)
        for n, (kind, options) in FAULTS.items():
            options = dict(options)
            if kind == "body":
                options["body"] = gzip_bomb(64 << 20)
            mirror.fault(site.articles[n].url, kind, **options)
        urls = ",".join(site.articles[n].url for n in FAULTS)
        mirror.clear_requests()
        proc = crawl_ok(mirror.base_url, db, site, *SETTINGS, args=("-a", f"urls={urls}"),
                        wrapper=PEAK_RSS)
        log = {n: mirror_hits(mirror, site.articles[n].url) for n in FAULTS}
    yield {"site": site, "db": db, "before": before, "run": baseline_run, "log": log,
           "stderr": proc.stderr, "peak_mb": peak_mb(proc)}


def fetched(world, n: int) -> list[tuple[str, str | None]]:
    return outcomes(world["db"], world["site"].articles[n].url, world["run"])


def gaps(records) -> list[float]:
    return [round(b.at - a.at, 3) for a, b in zip(records, records[1:], strict=False)]


def test_nothing_archived_before_is_lost_or_altered(world):
    after = assert_kept(world["before"], world["db"])
    assert_sound(world["db"])
    # the known articles hit by a fault keep their one version, text and status
    for n in (2, 3, 4):
        doc = document(world["db"], world["site"].articles[n].url)
        assert doc["versions"] == 1 and doc["text"].startswith(f"Статья {n}:")
    assert len(after["documents"]) == len(world["before"]["documents"]) + 5  # 11, 12, 15, 17, 26


def test_5xx_then_success_is_retried_with_backoff(world):
    for n, expected in ((1, "unchanged"), (11, "new")):
        records = world["log"][n]
        assert [r.status for r in records] == [500, 500, 200]
        first, second = gaps(records)
        assert first >= BACKOFF * 0.9 and second >= 2 * BACKOFF * 0.9, gaps(records)
        assert fetched(world, n) == [(expected, None)]
    assert document(world["db"], world["site"].articles[11].url)["versions"] == 1


def test_a_5xx_that_persists_is_an_error_after_growing_waits(world):
    records = world["log"][13]
    assert [r.status for r in records] == [503] * 4
    # each wait at least the doubled backoff (other requests of the site may add to it)
    for attempt, wait in enumerate(gaps(records)):
        assert wait >= BACKOFF * 2 ** attempt * 0.9, gaps(records)
    ((outcome, detail),) = fetched(world, 13)
    assert outcome == "error" and detail == "HTTP 503"
    assert document(world["db"], world["site"].articles[13].url) is None


def test_429_retry_after_is_honoured(world):
    records = world["log"][12]
    assert [r.status for r in records] == [429, 200]
    assert gaps(records)[0] >= 1.9
    assert fetched(world, 12) == [("new", None)]


def test_a_retry_after_beyond_the_maximum_is_not_waited_for_and_blocks(world):
    assert [r.status for r in world["log"][2]] == [429]
    assert fetched(world, 2) == [("blocked", "HTTP 429")]
    doc = document(world["db"], world["site"].articles[2].url)
    assert doc["versions"] == 1 and doc["status"] == "blocked"
    assert "Retry-After 3600 s is longer than CSTO_RETRY_AFTER_MAX" in world["stderr"]


def test_timeouts_are_retried_then_recorded(world):
    ((outcome, detail),) = fetched(world, 14)
    assert outcome == "error" and detail.startswith("DownloadTimeoutError") and "2.0 seconds" in detail
    assert fetched(world, 15) == [("new", None)]


@pytest.mark.parametrize(("failing", "recovering"), [(16, 17)])
def test_a_connection_reset_mid_body_is_retried_then_recorded(world, failing, recovering):
    assert [r.fault for r in world["log"][failing]] == ["reset_body"] * 4
    assert fetched(world, failing) == [("error", "ResponseDataLossError")]
    assert [r.fault for r in world["log"][recovering]] == ["reset_body", None]
    assert fetched(world, recovering) == [("new", None)]


def test_a_reset_before_any_answer_keeps_the_known_version(world):
    ((outcome, detail),) = fetched(world, 3)
    assert outcome == "error" and "Connection" in detail
    assert document(world["db"], world["site"].articles[3].url)["status"] == "live"


def test_a_truncated_body_is_never_parsed(world):
    assert len(world["log"][18]) == 4
    assert fetched(world, 18) == [("error", "ResponseDataLossError")]
    assert document(world["db"], world["site"].articles[18].url) is None


def test_a_redirect_loop_is_recorded_not_lost(world):
    url = world["site"].articles[19].url
    assert len(world["log"][19]) == 1
    assert fetched(world, 19) == [("error", f"redirect loop: {url} -> {url}")]


@pytest.mark.parametrize(("n", "why"), [
    (20, "169.254.169.254 is not one of the site's domains"),
    (21, "evil.example is not one of the site's domains"),
    (22, "port 8080 is not the site's"),
    (23, "scheme 'file' is not fetched"),
])
def test_a_redirect_off_the_site_is_not_followed_and_is_recorded(world, n, why):
    ((outcome, detail),) = fetched(world, n)
    location = FAULTS[n][1]["location"]
    assert outcome == "error" and detail.startswith(f"redirect to {location} not followed: {why}")
    assert len(world["log"][n]) == 1


def test_a_redirect_within_the_site_is_followed(world):
    site = world["site"]
    assert fetched(world, 26) == [("new", None)]
    assert [r.status for r in world["log"][26]] == [302]
    # stored under the canonical URL the page declares: the redirect's target
    doc = document(world["db"], site.articles[27].url)
    assert doc is not None and doc["title"] == site.articles[27].title


def test_nothing_is_requested_off_the_site(world):
    hosts = {r["url"].split("/")[2] for r in query(world["db"], "SELECT url FROM fetches")}
    assert hosts == {"www.rel-site.example"}
    assert "csto/guard/redirects_refused': 5" in world["stderr"]


@pytest.mark.parametrize("n", [24, 25])
def test_an_oversized_answer_is_dropped_with_a_clear_record(world, n):
    ((outcome, detail),) = fetched(world, n)
    assert outcome == "error"
    assert detail.startswith(f"response larger than {DOWNLOAD_MAXSIZE} bytes"), detail
    assert document(world["db"], world["site"].articles[n].url) is None


def test_a_gzip_bomb_is_cut_at_the_size_limit(world):
    ((outcome, detail),) = fetched(world, 4)
    assert (outcome, detail) == ("error", f"response larger than {DOWNLOAD_MAXSIZE} bytes "
                                          "(when decompressed; DOWNLOAD_MAXSIZE); dropped")
    assert document(world["db"], world["site"].articles[4].url)["versions"] == 1
    # 64 MiB of zeros never sat in memory, nor did the 32 MiB pages
    assert world["peak_mb"] < 400, world["peak_mb"]


def test_the_size_limits_are_set_explicitly():
    from csto_crawler import settings

    assert settings.DOWNLOAD_MAXSIZE == 16 * 1024 * 1024
    assert settings.DOWNLOAD_WARNSIZE == 4 * 1024 * 1024
    assert settings.DOWNLOAD_FAIL_ON_DATALOSS is True


def test_connection_refused_records_errors_and_loses_nothing(world, tmp_path):
    db = tmp_path / "archive.db"
    db.write_bytes(world["db"].read_bytes())
    before, run = snapshot(db), last_run(db)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    proc = crawl(closed, db, world["site"], "CSTO_RECHECK_SCHEDULE=*:0s", "RETRY_TIMES=1")
    # the only tracebacks are Scrapy's robots.txt middleware logging its failed download
    robots_errors = proc.stderr.count("[scrapy.downloadermiddlewares.robotstxt] ERROR")
    assert proc.returncode == 0 and proc.stderr.count("Traceback (most recent") <= 2 * robots_errors
    rows = query(db, "SELECT url, outcome, detail FROM fetches WHERE run_id > ?", (run,))
    assert rows and {r["outcome"] for r in rows} == {"error"}
    assert all("refused" in r["detail"].lower() for r in rows), rows[:3]
    rechecked = {r["url"] for r in rows}
    assert {world["site"].articles[n].url for n in KNOWN} <= rechecked
    assert_kept(before, db)
    assert {r["status"] for r in query(db, "SELECT status FROM documents WHERE url LIKE '%/1-%'")} == {"live"}
    assert_sound(db)


def test_retry_after_reads_seconds_and_http_dates():
    from datetime import UTC, datetime

    from csto_crawler.guards import retry_after_seconds

    now = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120", now) == 120.0
    assert retry_after_seconds("Sun, 22 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Sun, 22 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None) is None


def test_mirror_fault_options_are_checked():
    mirror = MirrorServer()
    url = "https://www.akorda.kz/ru/news"
    with pytest.raises(ValueError, match="takes no option"):
        mirror.fault(url, "slow", status=500)
    with pytest.raises(ValueError, match="needs location"):
        mirror.fault(url, "redirect")
    mirror.fault(url, "status", status=429, headers={"Retry-After": "1"}, times=1)
