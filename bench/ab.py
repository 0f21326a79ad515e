"""``python -m bench.ab OTHER``: this checkout's crawl against another checkout's, interleaved.

On a shared machine the CPU's speed drifts by a third within minutes, so two benchmark runs made
one after the other compare the minutes as much as the code. This runs the crawls of both in one
session, one after another, on one synthetic site and one mirror: each cycle crawls with bare
Scrapy, then the two checkouts' projects in alternating order (so neither always goes first),
``--cycles`` times. It prints every crawl and the medians, each against bare Scrapy's median::

    git worktree add /tmp/before <ref>
    .venv/bin/python -m bench.ab /tmp/before --steal 0.3 --cycles 4

``OTHER`` is any checkout with ``bench/crawl.py`` (the code crawls from its own folder, with this
environment's packages). ``--steal`` and ``--busy`` load the cores, ``--cpu-share`` caps every
process, as in ``python -m bench``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import _check_cpu_share, busy_loops, table
from bench.cpucap import cpu_cap
from bench.crawl import ROOT, CrawlResult, run_crawl
from bench.synthetic import generate_site

__all__ = ["main"]


def _row(cycle: int, name: str, crawl: CrawlResult) -> list:
    pages = max(1, crawl.responses)
    return [cycle, name, round(crawl.pages_per_second, 1), round(1000 * crawl.crawl_cpu / pages, 2),
            round(1000 * float(crawl.stats.get("bench/reactor_cpu_s") or 0) / pages, 2),
            round(1000 * float(crawl.stats.get("bench/workers_cpu_s") or 0) / pages, 2)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="the other checkout (e.g. a git worktree of a ref)")
    parser.add_argument("--n", type=int, default=2000, help="articles of the synthetic site (default 2000)")
    parser.add_argument("--cycles", type=int, default=4, help="bare/this/other cycles (default 4)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--steal", type=float, default=0.0, help="share of each core taken, as python -m bench")
    parser.add_argument("--busy", type=int, default=0, help="whole cores taken, as python -m bench")
    parser.add_argument("--cpu-share", type=float, default=None,
                        help="every process capped at this share of one core, as python -m bench")
    parser.add_argument("--workdir", type=Path, help="keep the site and archives here")
    args = parser.parse_args(argv)
    other = args.other.resolve()
    if not (other / "bench" / "crawl.py").is_file():
        parser.error(f"{other} is not a checkout of this project (no bench/crawl.py)")
    if args.cycles < 1 or args.n < 1:
        parser.error("--n and --cycles must be at least 1")
    if not 0 <= args.steal <= 0.9:
        parser.error("--steal must be 0 to 0.9")
    if args.cpu_share is not None:
        _check_cpu_share(parser, args.cpu_share)

    from csto_crawler.mirror import MirrorServer

    work = args.workdir or Path(tempfile.mkdtemp(prefix="csto-ab-"))
    site = generate_site(work / f"site-{args.n}", args.n, seed=args.seed)
    sides = {"this": ROOT, "other": other}
    rows, results = [], {"bare": [], "this": [], "other": []}
    with MirrorServer(fixtures_dir=site.web_dir) as mirror:
        mirror.precompress()
        with busy_loops(args.busy, args.steal), cpu_cap(args.cpu_share) as cap:
            for cycle in range(1, args.cycles + 1):
                order = ["this", "other"] if cycle % 2 else ["other", "this"]
                for name in ["bare", *order]:
                    if name == "bare":
                        crawl = run_crawl("bare", work / "runs", mirror=mirror.base_url, host=site.host, cap=cap)
                    else:
                        db = work / f"archive-{name}.db"
                        for old in work.glob(f"archive-{name}.db*"):
                            old.unlink()
                        crawl = run_crawl("full", work / "runs", mirror=mirror.base_url, seeds=site.seeds_dir,
                                          db=db, root=sides[name], cap=cap)
                    results[name].append(crawl)
                    rows.append(_row(cycle, name, crawl))
                    print(f"[{time.strftime('%H:%M:%S')}] cycle {cycle} {name}: "
                          f"{crawl.pages_per_second:.1f} pages/s", file=sys.stderr, flush=True)
    print(f"this: {ROOT}; other: {other}; N = {args.n}; steal {args.steal:g}, busy {args.busy}, "
          f"cpu share {args.cpu_share or 'no cap'}\n")
    print(table(["cycle", "crawl", "pages/s", "CPU ms/page", "reactor ms/page", "workers ms/page"], rows))
    bare = statistics.median(c.pages_per_second for c in results["bare"])
    summary = []
    for name, crawls in results.items():
        rate = statistics.median(c.pages_per_second for c in crawls)
        cpu = statistics.median(1000 * c.crawl_cpu / max(1, c.responses) for c in crawls)
        summary.append([name, round(rate, 1), f"{100 * rate / bare:.0f} %", round(cpu, 2)])
    print()
    print(table(["crawl", "median pages/s", "of bare Scrapy's median", "median CPU ms/page"], summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
