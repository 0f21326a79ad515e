"""``python -m bench.load [N …]``: the reliability load check (issue 9): a crawl of a synthetic site
of N articles completes with bounded memory and no errors.

For each N (default 5,000) the synthetic site (``bench/synthetic.py``) is generated and served
by the loopback mirror in this process; one full crawl (``scrapy crawl news`` with the
project's settings, every pipeline, the SQLite archive: ``bench/crawl.py``'s ``full`` mode)
runs in a child process. Printed: wall time, Scrapy's elapsed time, pages per second, peak RSS
of the crawl process, the archive's documents against the relevant articles, fetch outcomes,
ERROR log lines, and ``PRAGMA integrity_check``. ``check_load`` is what
``tests/test_reliability_load.py`` runs for N=1,000.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.crawl import run_crawl  # noqa: E402
from bench.synthetic import generate_site  # noqa: E402
from csto_crawler.mirror import MirrorServer  # noqa: E402

__all__ = ["check_load", "main"]


def check_load(n_articles: int, workdir: Path, *, seed: int = 1) -> dict:
    """Generate N articles, crawl them once into a fresh archive, and report what happened."""
    started = time.perf_counter()
    site = generate_site(workdir / "site", n_articles, seed=seed)
    generated = time.perf_counter() - started
    db = workdir / "archive.db"
    with MirrorServer(fixtures_dir=site.web_dir) as mirror:
        result = run_crawl("full", workdir / "crawl", mirror=mirror.base_url, seeds=site.seeds_dir, db=db)
    conn = sqlite3.connect(db)
    try:
        documents = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        outcomes = dict(conn.execute("SELECT outcome, COUNT(*) FROM fetches GROUP BY outcome").fetchall())
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        reason = conn.execute("SELECT finish_reason FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    return {
        "articles": n_articles,
        "relevant": sum(1 for a in site.articles if a.relevant),
        "generate_s": round(generated, 1),
        "wall_s": round(result.wall, 1),
        "elapsed_s": round(result.elapsed, 1),
        "pages_per_s": round(result.pages_per_second, 1),
        "peak_rss_mb": round(result.maxrss_mb, 1),
        "responses": result.responses,
        "documents": documents,
        "outcomes": outcomes,
        "errors_logged": int(result.stats.get("log_count/ERROR", 0)),
        "finish_reason": reason,
        "integrity": integrity,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[5000], help="article counts (default 5000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    failed = False
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="csto-load-") as tmp:
            report = check_load(n, Path(tmp), seed=args.seed)
        sys.stdout.write(json.dumps(report, ensure_ascii=False, sort_keys=True) + "\n")
        failed |= (report["errors_logged"] > 0 or report["integrity"] != "ok"
                   or report["documents"] != report["relevant"] or report["finish_reason"] != "finished"
                   or bool(report["outcomes"].get("error")))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
