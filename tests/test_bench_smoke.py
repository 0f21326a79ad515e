"""Smoke test of the benchmark harness (``python -m bench --quick``): it runs end to end on a
30-article synthetic site and prints every table. Nothing here checks timings.

Also: the synthetic site generator is deterministic and its pages extract to their sidecars'
``expected`` fields (the load tests and benchmarks rely on both).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import generate_site  # noqa: E402
from csto_crawler.extract import extract  # noqa: E402
from csto_crawler.spiders.news import load_sites  # noqa: E402

#: It generates sites and runs real crawls (the quick bench): end to end, not a unit test.
pytestmark = pytest.mark.e2e


def test_generator_is_deterministic_and_pages_extract_to_expected(tmp_path):
    one = generate_site(tmp_path / "one", 12, seed=5)
    two = generate_site(tmp_path / "two", 12, seed=5)
    files = sorted(p.relative_to(one.web_dir) for p in one.web_dir.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two.web_dir) for p in two.web_dir.rglob("*") if p.is_file())
    assert all((one.web_dir / f).read_bytes() == (two.web_dir / f).read_bytes() for f in files)
    assert len(one.articles) == 12 and 0 < one.relevant < 12
    rules = load_sites(one.seeds_dir / "news_sites.yml")["bench_wire"].rules
    for article in one.articles:
        sidecar = json.loads((one.web_dir / article.path).with_suffix(".json").read_text(encoding="utf-8"))
        body = (one.web_dir / article.path).read_bytes()
        assert 60 * 1024 <= len(body) <= 112 * 1024
        got = extract(body, article.url, rules)
        expected = sidecar["expected"]
        assert (got.title, got.text, got.published_at) == (expected["title"], expected["text"], expected["published_at"])
        assert ("ОДКБ" in got.title + got.text) == sidecar["relevant"]


def test_quick_bench_prints_every_table(tmp_path, capsys):
    from bench.__main__ import main

    assert main(["--quick", "--no-profile", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for heading in ("## Machine", "## Synthetic site", "## Throughput", "## Memory", "## Refresh cost",
                    "## Storage", "## Raw captures", "## Extraction per page"):
        assert heading in out
    refresh = [line for line in out.splitlines() if line.startswith("| 30 | ") and "refresh" not in line
               and ("*:0s" in line or "default schedule" in line)]
    assert len(refresh) == 3 and all(line.rstrip(" |").endswith("ok") for line in refresh), refresh
    # the mirror serves from the benchmark's own process, on the crawl's cores: its CPU is shown
    cpu = out.split("## CPU per page")[1].split("## ")[0].splitlines()
    assert "mirror CPU ms/page (same cores)" in cpu[2]
    mirror_cpu = [float(line.strip(" |").split("|")[-1]) for line in cpu if line.startswith("| 30 |")]
    assert len(mirror_cpu) == 2 and all(ms > 0 for ms in mirror_cpu), cpu


def test_ab_crawls_both_checkouts_and_bare_scrapy_in_each_cycle(tmp_path, capsys):
    """``python -m bench.ab`` (here this checkout against itself, one cycle of a tiny site):
    every crawl in the table, then the medians against bare Scrapy's."""
    from bench.ab import main

    assert main([str(ROOT), "--n", "12", "--cycles", "1", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    crawls = [line.split("|")[2].strip() for line in out.splitlines() if line.startswith("|     1 |")]
    assert crawls == ["bare", "this", "other"]
    summary = out.split("median pages/s")[1]
    assert "| bare " in summary and "100 %" in summary and "| other " in summary


def test_ab_refuses_a_folder_that_is_no_checkout(tmp_path, capsys):
    from bench.ab import main

    with pytest.raises(SystemExit):
        main([str(tmp_path)])
    assert "is not a checkout of this project" in capsys.readouterr().err


def test_busy_loops_spin_while_the_block_runs_and_are_gone_after():
    from bench.__main__ import busy_loops

    with busy_loops(2) as spinners:
        time.sleep(0.3)
        assert len(spinners) == 2 and all(s.poll() is None for s in spinners)
        cpu = [_cpu_seconds(s.pid) for s in spinners]
        assert all(seconds > 0.05 for seconds in cpu), cpu  # they spin, not sleep
    assert all(s.poll() is not None for s in spinners)
    with busy_loops(0) as none:
        assert none == []


def test_steal_spins_one_process_per_core_for_part_of_each_period():
    from bench.__main__ import busy_loops

    with busy_loops(0, steal=0.3) as spinners:
        time.sleep(1.0)
        cpu = [_cpu_seconds(s.pid) for s in spinners]
    assert len(spinners) == (os.cpu_count() or 1)
    # each spins about 0.3 s of the second (start-up included), and sleeps between: not a busy loop
    assert all(0.1 < seconds < 0.75 for seconds in cpu), cpu
    assert all(s.poll() is not None for s in spinners)


@pytest.mark.parametrize("steal", ["-0.1", "0.95"])
def test_steal_must_leave_the_cores_some_time(capsys, steal):
    from bench.__main__ import main

    with pytest.raises(SystemExit):
        main(["--steal", steal])
    assert "--steal must be between 0 and 0.9" in capsys.readouterr().err


def test_busy_must_not_be_negative(capsys):
    from bench.__main__ import main

    with pytest.raises(SystemExit):
        main(["--busy", "-1"])
    assert "--busy must be 0 or more" in capsys.readouterr().err


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_profile_components_name_the_capture_and_story_stages_apart_from_storage():
    from bench.profile import component_of

    assert component_of("/x/csto_crawler/capture/log.py") == "raw captures (WARC)"
    assert component_of("/v/site-packages/warcio/warcwriter.py") == "raw captures (WARC)"
    assert component_of("/x/pipelines/stories/index.py") == "story index"
    assert component_of("/x/pipelines/store.py") == "storage (SQLite)"
    assert component_of("/x/pipelines/relevance.py") == "other pipelines"
    assert component_of("/x/csto_crawler/extraction_pool.py") == "extraction hand-off (worker pool)"
    assert component_of("/x/csto_crawler/spiders/base.py") == "spider (discovery, refresh, checks)"


def test_stage_costs_split_the_measured_cpu_by_profile_shares_and_extraction_medians():
    from bench.__main__ import stage_costs
    from bench.profile import WAITING

    rows = stage_costs(10.0, {"storage (SQLite)": 3.0, "Scrapy, Twisted, parsel": 1.0, WAITING: 6.0}, 8.0,
                       {"page check": 1.0, "extract, site rules": 4.5, "clean pipeline alone": 0.5}, 0.9)
    got = {(process, stage): ms for process, stage, ms in rows}
    # the idle wait is not CPU: the crawl process's 10 ms go 3:1 to the two busy components
    assert got[("crawl process", "storage (SQLite)")] == pytest.approx(7.5)
    assert got[("crawl process", "Scrapy, Twisted, parsel")] == pytest.approx(2.5)
    assert ("crawl process", WAITING) not in got
    assert got[("workers", "page check")] == 1.0 and got[("workers", "extraction (site rules)")] == 4.5
    assert got[("workers", "start-up, hand-off, sharing the cores (the rest)")] == pytest.approx(2.5)
    assert got[("benchmark's mirror", "serving the pages (same cores)")] == 0.9
    assert [r[1] for r in rows][:2] == ["storage (SQLite)", "Scrapy, Twisted, parsel"]  # largest first


def test_scrapys_http_client_is_not_charged_to_the_mirror_handler_that_calls_it():
    from bench.profile import _RANK, component_of

    handler = component_of("/v/site-packages/scrapy/core/downloader/handlers/http11.py")
    assert handler == component_of("/v/site-packages/twisted/web/_newclient.py") == "HTTP download (Scrapy, Twisted)"
    # nested under our download handler (the spider's component), the client's frames keep their own
    assert _RANK[handler] > _RANK[component_of("/x/csto_crawler/middlewares.py")]


def test_store_connection_bench_stores_with_two_connections_and_with_one(tmp_path, capsys):
    from bench.store_connection import articles, main, measure

    texts = articles(12)
    assert texts == articles(12) and len({url for url, _, _ in texts}) == 12
    for shared in (False, True):
        cpu, reads = measure(texts, tmp_path, shared)
        assert cpu > 0
    assert main(["--n", "8", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "| two (capture log, store) |" in out and "| one, shared |" in out
