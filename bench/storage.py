"""Storage and cost of raw captures (``python -m bench.storage``; also part of ``python -m bench``).

On a synthetic site of N articles (``bench/synthetic.py``, served by the loopback mirror) the
full project crawls once with ``CSTO_CAPTURE=off`` and once with the default ``articles``, into
separate archives; then, on the capturing archive, two unchanged refreshes:
``CSTO_RECHECK_SCHEDULE=*:0s`` (every article re-checked conditionally: 304 answers) and
``CSTO_INCREMENTAL=false`` (every article fetched again in full, identical bytes). Reported:
WARC bytes and archive bytes per article, crawl time with and without captures, and what each
unchanged refresh adds (target: no new ``response`` record, revisits only).
"""

from __future__ import annotations

import argparse
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

__all__ = ["capture_facts", "measure", "report"]


def capture_facts(db: Path) -> dict[str, int]:
    """Records and bytes of an archive's captures (WARC files beside it) and of the database."""
    facts = {"db_bytes": sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal"))
                             if p.exists())}
    warc = db.parent / "warc"
    facts["warc_bytes"] = sum(p.stat().st_size for p in warc.glob("*.warc.gz")) if warc.is_dir() else 0
    facts["warc_files"] = len(list(warc.glob("*.warc.gz"))) if warc.is_dir() else 0
    with sqlite3.connect(db) as conn:
        for kind in ("response", "revisit"):
            facts[kind] = conn.execute("SELECT COUNT(*) FROM captures WHERE record_type = ?",
                                       (kind,)).fetchone()[0]
        facts["documents"] = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        facts["versions"] = conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        facts["payload_bytes"] = conn.execute(
            "SELECT COALESCE(SUM(payload_length), 0) FROM captures").fetchone()[0]
    conn.close()
    return facts


def measure(work: Path, n: int, *, seed: int = 1, log=print) -> dict:
    """Crawl a synthetic site of ``n`` articles with and without captures, then refresh."""
    from csto_crawler.mirror import MirrorServer

    site = generate_site(work / f"capture-site-{n}", n, seed=seed)
    out: dict = {"n": n, "articles": n, "relevant": site.relevant}
    with MirrorServer(fixtures_dir=site.web_dir) as mirror:
        crawls = {}
        for mode in ("off", "articles"):
            db = work / f"capture-{mode}-{n}" / "archive.db"
            crawl = run_crawl("full", work / "capture-runs", mirror=mirror.base_url,
                              seeds=site.seeds_dir, db=db, settings={"CSTO_CAPTURE": mode})
            crawls[mode] = {"elapsed": crawl.elapsed, "pages": crawl.responses,
                            **capture_facts(db)}
            log(f"captures N={n} CSTO_CAPTURE={mode}: {crawl.responses} pages in "
                f"{crawl.elapsed:.1f} s")
        out["crawls"] = crawls
        db = work / f"capture-articles-{n}" / "archive.db"
        refreshes = []
        for label, settings in (("unchanged, *:0s (304s)", {"CSTO_RECHECK_SCHEDULE": "*:0s"}),
                                ("unchanged, full re-fetch", {"CSTO_INCREMENTAL": "false"})):
            before = capture_facts(db)
            started = time.perf_counter()
            run_crawl("full", work / "capture-runs", mirror=mirror.base_url, seeds=site.seeds_dir,
                      db=db, settings=settings)
            after = capture_facts(db)
            added = {k: after[k] - before[k] for k in after}
            refreshes.append({"case": label, "seconds": time.perf_counter() - started, **added})
            log(f"captures refresh {label}: +{added['response']} response, "
                f"+{added['revisit']} revisit records, +{added['warc_bytes']} WARC bytes")
        out["refreshes"] = refreshes
    return out


def report(result: dict) -> str:
    """The storage results as Markdown."""
    from bench.__main__ import table

    off, on = result["crawls"]["off"], result["crawls"]["articles"]
    docs = max(1, on["documents"])
    rows = [["CSTO_CAPTURE=off", off["pages"], off["elapsed"], off["documents"], 0, 0,
             off["db_bytes"] / max(1, off["documents"]), 0.0],
            ["CSTO_CAPTURE=articles", on["pages"], on["elapsed"], on["documents"], on["response"],
             on["revisit"], on["db_bytes"] / docs, on["warc_bytes"] / docs]]
    out = [f"## Raw captures (N={result['n']}, {result['relevant']} about the CSTO)", "", table(
        ["crawl", "pages", "s", "documents", "response records", "revisit records",
         "db bytes/article", "WARC bytes/article"], rows), "",
        f"Captured payload {on['payload_bytes'] / 1e6:.1f} MB stored as {on['warc_bytes'] / 1e6:.1f} "
        f"MB of WARC (gzip per record, request records included): "
        f"{on['warc_bytes'] / max(1, on['payload_bytes']):.2f} of the payload; crawl time with "
        f"captures {on['elapsed'] / max(0.001, off['elapsed']):.2f}× without.", ""]
    rows = [[r["case"], r["response"], r["revisit"], r["warc_bytes"],
             r["warc_bytes"] / max(1, r["revisit"]), r["versions"],
             "ok" if r["response"] == 0 and r["versions"] == 0 else "MISSED"]
            for r in result["refreshes"]]
    out += ["### What an unchanged refresh adds (target: no response record, revisits only)", "",
            table(["refresh", "+response", "+revisit", "+WARC bytes", "bytes/revisit",
                   "+versions", "target"], rows), ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.storage",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=300, help="articles (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="keep the sites and archives here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="csto-bench-storage-") as temporary:
        work = Path(args.workdir or temporary)
        work.mkdir(parents=True, exist_ok=True)
        print(report(measure(work, args.n, seed=args.seed,
                             log=lambda m: print(m, file=sys.stderr, flush=True))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
