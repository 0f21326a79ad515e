"""``python -m bench``: every benchmark in one run, printed as Markdown tables.

For each size N (default 1,000 and 5,000 articles) a synthetic site is generated
(``bench/synthetic.py``) and served by the loopback mirror in this process; every crawl runs in
a child process (``bench/crawl.py``), so its peak RSS and CPU are its own. Then:

1. **throughput**: the bare Scrapy spider and the full project (``news`` spider, every
   pipeline, the SQLite archive) crawl the same pages, alternately, ``--rounds`` times; pages
   per second from Scrapy's own ``elapsed_time_seconds``; the best round of each and their
   ratio (the target: the project at ≥ 60 % of the bare spider), and CPU ms per page;
2. **memory**: peak RSS of each crawl process (its ``VmHWM``; see ``bench/crawl.py``);
3. **refresh cost** on the archive of the last full crawl: an unchanged refresh with the default
   schedule (nothing due), one with ``CSTO_RECHECK_SCHEDULE=*:0s`` (every document due, all
   conditional, 304), and one after 10 articles were edited on the mirror: requests by kind,
   bytes, time, rows written;
4. **storage**: archive bytes per article after the first crawl, and bytes added by each refresh;
   raw captures (``bench/storage.py``): WARC bytes per article, crawl time with and without
   captures, and what an unchanged refresh adds (revisits only);
5. **extraction**: median and p95 ms per page of the page check, the extraction (site rules,
   generic) and the clean pipeline alone (``bench/extraction.py``);
6. **profile** of one full crawl under pyinstrument (``bench/profile.py``): time by component
   and the functions with the most self time.

``--quick`` runs N=30, one round, a small extraction sample (a smoke run, about 20 s). Results
depend on the machine and its load: compare ratios measured in the same run. ``--busy K`` runs K
processes spinning on the CPU beside the throughput crawls: a machine with K cores' worth less
to spare (bare Scrapy waits on the network and hardly notices; a CPU-bound crawl does);
``--steal F`` runs one process per core that spins F of every 10 ms: every core with ``1 - F``
of its time to spare, the way a slower CPU of the same core count looks to both crawls.
``--cpu-share S`` (root, Linux CPU cgroups: ``bench/cpucap.py``) caps the mirror, each
throughput crawl and each of its extraction workers at S of one core: every step of every
process ``1/S`` times slower, as on a slower CPU, where ``--steal`` only takes what its spinners
win from the scheduler.

``python -m bench extraction --evalset DIR`` is a separate benchmark: bow F1 and median/p95 ms
per page of ``csto extract``'s extraction and trafilatura's precision mode on the same real pages
(``bench/extraction.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.crawl import CrawlResult, run_crawl  # noqa: E402
from bench.storage import measure as capture_storage  # noqa: E402
from bench.storage import report as capture_report  # noqa: E402
from bench.synthetic import SyntheticSite, generate_site  # noqa: E402

TABLES = ("documents", "versions", "contents", "fetches", "runs")
REQUEST_KINDS = ("robots", "feeds", "sitemaps", "listings", "article", "recheck")
EDITS = 10


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown pipe table (numbers right-aligned)."""
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if numeric[i] else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(row, widths, strict=True))) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if numeric[i] else ("-" * (w + 2))
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- the machine ------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    import lxml.etree
    import scrapy
    import trafilatura

    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpus (nproc)": str(os.cpu_count()),
            "cpu": cpu, "memory": memory, "python": platform.python_version(), "scrapy": scrapy.__version__,
            "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)), "trafilatura": trafilatura.__version__,
            "sqlite": sqlite3.sqlite_version, "os": platform.platform(), "load average at start": load}


# --- archive facts ----------------------------------------------------------------------------
def archive_facts(db: Path) -> dict[str, int]:
    """Row counts and on-disk bytes (database + WAL) of an archive."""
    facts = {"bytes": sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists())}
    with sqlite3.connect(db) as conn:
        for name in TABLES:
            facts[name] = conn.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]  # noqa: S608
        facts["text_bytes"] = conn.execute("SELECT COALESCE(SUM(LENGTH(CAST(text AS BLOB))), 0) FROM contents").fetchone()[0]
    conn.close()
    return facts


# --- one size -----------------------------------------------------------------------------------
#: A spinner taking ``share`` of every 10 ms period of one core and sleeping the rest.
_DUTY_SPINNER = """import sys, time
share, period = float(sys.argv[1]), 0.010
clock = time.perf_counter
while True:
    begin = clock()
    while clock() - begin < share * period:
        pass
    time.sleep(max(0.0, period - (clock() - begin)))
"""


@contextlib.contextmanager
def busy_loops(count: int, steal: float = 0.0):
    """``count`` processes spinning on the CPU until the block ends (killed and reaped then), and
    with ``steal`` > 0 one more per core spinning that share of every 10 ms (a machine whose cores
    each have ``1 - steal`` of their time for the crawl, as a slower CPU would)."""
    commands = [[sys.executable, "-c", "while True: pass"]] * max(0, count)
    if steal > 0:
        commands += [[sys.executable, "-c", _DUTY_SPINNER, repr(steal)]] * (os.cpu_count() or 1)
    spinners = [subprocess.Popen(command) for command in commands]
    try:
        yield spinners
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()


def _check_cpu_share(parser: argparse.ArgumentParser, share: float) -> None:
    """Fail before any work when ``--cpu-share`` is out of range or cannot be applied here."""
    from bench.cpucap import CpuCap, CpuCapUnavailable

    if not 0.05 <= share <= 1:
        parser.error("--cpu-share must be between 0.05 and 1")
    try:
        CpuCap(share).close()
    except CpuCapUnavailable as err:
        parser.error(f"--cpu-share: {err}")


def measure_size(n: int, work: Path, rounds: int, seed: int, log, inline: bool = False,
                 busy: int = 0, steal: float = 0.0, cpu_share: float | None = None) -> dict:
    from bench.cpucap import cpu_cap
    from csto_crawler.mirror import MirrorServer

    result: dict = {"n": n}
    started = time.perf_counter()
    site = generate_site(work / f"site-{n}", n, seed=seed)
    result["generate_s"] = time.perf_counter() - started
    result["site"] = {"articles": n, "relevant": site.relevant, "pages": site.pages, "mb": site.bytes / 1e6,
                      "kb_per_article": site.bytes / site.pages / 1024}
    log(f"N={n}: {site.summary()} in {result['generate_s']:.1f} s")
    started = time.perf_counter()
    with MirrorServer(fixtures_dir=site.web_dir) as mirror:
        result["mirror_load_s"] = time.perf_counter() - started
        mirror.precompress()  # every crawl then finds the mirror's gzip done (a server's CPU, not ours)
        modes = ("bare", "full", "inline") if inline else ("bare", "full")
        runs: dict[str, list[CrawlResult]] = {mode: [] for mode in modes}
        db = work / f"archive-{n}.db"
        # spinning / capped only while the throughput crawls run
        with busy_loops(busy, steal), cpu_cap(cpu_share) as cap:
            for index in range(rounds):
                for mode in modes:
                    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
                        path.unlink(missing_ok=True)
                    # "inline": the project extracting on the reactor thread (no worker processes)
                    crawl = run_crawl("bare" if mode == "bare" else "full", work / f"runs-{n}", mirror=mirror.base_url,
                                      seeds=site.seeds_dir, db=db, host=site.host,
                                      settings={"CSTO_EXTRACT_WORKERS": 0} if mode == "inline" else None,
                                      cap=cap)
                    runs[mode].append(crawl)
                    log(f"N={n} round {index + 1} {mode}: {crawl.responses} pages in {crawl.elapsed:.1f} s, "
                        f"{crawl.pages_per_second:.1f} pages/s, peak RSS {crawl.maxrss_mb:.0f} MB")
        result["throughput"] = {mode: [_crawl_facts(c) for c in crawls] for mode, crawls in runs.items()}
        result["refresh"], result["storage"] = refresh_costs(site, mirror, db, work / f"runs-{n}", log)
    return result


def _crawl_facts(crawl: CrawlResult) -> dict:
    return {"pages": crawl.responses, "elapsed": crawl.elapsed, "pages_per_s": crawl.pages_per_second,
            "cpu_ms_per_page": 1000 * crawl.crawl_cpu / max(1, crawl.responses), "wall": crawl.wall,
            "reactor_cpu_ms_per_page": 1000 * float(crawl.stats.get("bench/reactor_cpu_s") or crawl.crawl_cpu)
            / max(1, crawl.responses),
            "workers_cpu_ms_per_page": 1000 * float(crawl.stats.get("bench/workers_cpu_s") or 0.0) / max(1, crawl.responses),
            "mirror_cpu_ms_per_page": 1000 * crawl.here_cpu / max(1, crawl.responses),
            "maxrss_mb": crawl.maxrss_mb, "memusage_mb": crawl.memusage_mb,
            "stored": {k.rsplit("/", 1)[1]: v for k, v in crawl.stats.items() if k.startswith("csto/store/")}}


def refresh_costs(site: SyntheticSite, mirror, db: Path, work: Path, log) -> tuple[list[dict], dict]:
    """Three refreshes of the crawled archive; returns their rows and the storage facts."""
    first = archive_facts(db)
    storage = {"after_crawl": first}
    rows = []
    cases = [("unchanged, default schedule", {}, False),
             ("unchanged, *:0s (all due)", {"CSTO_RECHECK_SCHEDULE": "*:0s"}, False),
             (f"{EDITS} articles edited, *:0s", {"CSTO_RECHECK_SCHEDULE": "*:0s"}, True)]
    for label, settings, edit in cases:
        if edit:
            edited = 0
            for article in (a for a in site.articles if a.relevant):
                if edited == EDITS:
                    break
                phrase = article.first_sentence
                mirror.edit_article(article.url, phrase, phrase + " Информация дополнена редакцией")
                edited += 1
        before = archive_facts(db)
        due = before["documents"] if settings else 0
        seen = len(mirror.requests())
        crawl = run_crawl("full", work, mirror=mirror.base_url, seeds=site.seeds_dir, db=db, settings=settings)
        served = mirror.requests()[seen:]
        after = archive_facts(db)
        stats = crawl.stats
        kinds = {k: int(stats.get(f"csto/requests/{k}", 0)) for k in REQUEST_KINDS}
        requests = sum(kinds.values())
        entry = kinds["robots"] + kinds["feeds"] + kinds["sitemaps"] + kinds["listings"]
        row = {"case": label, "requests": requests, **kinds,
               "conditional": int(stats.get("csto/requests/conditional", 0)),
               "304": int(stats.get("downloader/response_status_count/304", 0)),
               "200": int(stats.get("downloader/response_status_count/200", 0)),
               "deeper_pages": int(stats.get("csto/requests/deeper_pages", 0)),
               "body_bytes": sum(r.bytes for r in served), "response_bytes": int(stats.get("downloader/response_bytes", 0)),
               "elapsed": crawl.elapsed, "due": due, "entry": entry,
               "added": {k: after[k] - before[k] for k in (*TABLES, "bytes")}}
        row["target_ok"] = (requests <= due + entry and kinds["listings"] <= 1 and row["deeper_pages"] == 0
                            and row["added"]["versions"] == (EDITS if edit else 0))
        rows.append(row)
        storage[label] = row["added"]
        log(f"refresh {label}: {requests} requests ({row['304']} answered 304), {row['added']['versions']} new versions")
    return rows, storage


# --- report -------------------------------------------------------------------------------------
def stage_costs(reactor_ms: float, components: dict[str, float], workers_ms: float,
                extraction: dict[str, float], mirror_ms: float) -> list[tuple[str, str, float]]:
    """``(process, stage, CPU ms a page)`` rows: the crawl process's measured CPU a page split by
    each component's share of the profiled crawl's busy samples (its idle wait left out), the
    workers' measured CPU a page split into the in-process means of the page check and the
    site-rules extraction and the rest (their start-up, the hand-off of each page, and the
    slowdown of sharing the cores and caches with the crawl), and the mirror's. Estimates: the
    profile's shares come from another crawl, under the profiler."""
    from bench.profile import WAITING

    busy = {name: seconds for name, seconds in components.items() if name != WAITING and seconds > 0}
    total = sum(busy.values())
    rows = [("crawl process", name, reactor_ms * seconds / total)
            for name, seconds in sorted(busy.items(), key=lambda kv: -kv[1])] if total else []
    check, extract = extraction.get("page check", 0.0), extraction.get("extract, site rules", 0.0)
    rows += [("workers", "page check", check), ("workers", "extraction (site rules)", extract),
             ("workers", "start-up, hand-off, sharing the cores (the rest)", workers_ms - check - extract),
             ("benchmark's mirror", "serving the pages (same cores)", mirror_ms)]
    return rows


def _stage_table(results: dict) -> list[str]:
    profile, extraction, sizes = results.get("profile") or {}, results.get("extraction"), results["sizes"]
    if not profile.get("components") or not extraction or not sizes:
        return []
    size = max(sizes, key=lambda s: s["n"])
    crawls = size["throughput"]["full"]
    rows = stage_costs(statistics.median(c["reactor_cpu_ms_per_page"] for c in crawls), profile["components"],
                       statistics.median(c["workers_cpu_ms_per_page"] for c in crawls),
                       {name: statistics.fmean(v) for name, v in extraction["stages"].items()},
                       statistics.median(c["mirror_cpu_ms_per_page"] for c in crawls))
    total = sum(ms for process, _, ms in rows if process != "benchmark's mirror")
    return [f"## CPU per page by stage (≈; project crawls at N={size['n']:,})", "",
            f"The crawl process's measured CPU a page split by the shares of the profiled crawl (N={profile['n']:,}, "
            "idle wait left out); the workers' measured CPU a page split by the in-process means of the stages above "
            "(the rest: their start-up, each page's hand-off, and running beside the crawl rather than alone).", "",
            table(["process", "stage", "≈ CPU ms/page"], [[p, stage, ms] for p, stage, ms in rows]
                  + [["project", "total (crawl process and workers)", total]]), ""]


def report(results: dict) -> str:
    out = ["## Machine", "", table(["", "value"], [[k, v] for k, v in results["machine"].items()]), ""]
    sizes = results["sizes"]
    out += ["## Synthetic site", "", table(
        ["N", "relevant", "pages", "MB", "KB/page", "generated in s", "mirror loaded in s"],
        [[s["n"], s["site"]["relevant"], s["site"]["pages"], s["site"]["mb"], s["site"]["kb_per_article"],
          s["generate_s"], s["mirror_load_s"]] for s in sizes]), ""]
    rows = []
    for s in sizes:
        bare = max(s["throughput"]["bare"], key=lambda c: c["pages_per_s"])
        full = max(s["throughput"]["full"], key=lambda c: c["pages_per_s"])
        ratio = full["pages_per_s"] / bare["pages_per_s"] if bare["pages_per_s"] else 0.0
        rows.append([s["n"], len(s["throughput"]["full"]), full["pages"], bare["pages_per_s"], full["pages_per_s"],
                     f"{100 * ratio:.0f} %", "ok" if ratio >= 0.6 else "MISSED",
                     statistics.median(c["cpu_ms_per_page"] for c in s["throughput"]["bare"]),
                     statistics.median(c["cpu_ms_per_page"] for c in s["throughput"]["full"]),
                     " ".join(f"{c['pages_per_s']:.0f}" for c in s["throughput"]["bare"]),
                     " ".join(f"{c['pages_per_s']:.0f}" for c in s["throughput"]["full"])])
    out += ["## Throughput (best round of each; target: project ≥ 60 % of bare)", "", table(
        ["N", "rounds", "pages", "bare pages/s", "project pages/s", "project/bare", "target",
         "bare CPU ms/page", "project CPU ms/page", "bare, every round", "project, every round"], rows), ""]
    rows = []
    for s in sizes:
        for mode, label in (("bare", "bare Scrapy"), ("full", "project, extraction in worker processes"),
                            ("inline", "project, extraction inline (CSTO_EXTRACT_WORKERS=0)")):
            crawls = s["throughput"].get(mode)
            if crawls:
                rows.append([s["n"], label, max(c["pages_per_s"] for c in crawls),
                             statistics.median(c["reactor_cpu_ms_per_page"] for c in crawls),
                             statistics.median(c["workers_cpu_ms_per_page"] for c in crawls),
                             statistics.median(c["cpu_ms_per_page"] for c in crawls),
                             statistics.median(c["mirror_cpu_ms_per_page"] for c in crawls)])
    out += ["## CPU per page: the crawl process (reactor thread) and its extraction workers", "", table(
        ["N", "crawl", "best pages/s", "reactor process CPU ms/page", "workers CPU ms/page", "total CPU ms/page",
         "mirror CPU ms/page (same cores)"], rows), ""]
    out += ["## Memory (peak RSS of the crawl process, VmHWM; target < 300 MB at 5,000)", "", table(
        ["N", "project peak RSS MB", "bare peak RSS MB", "project memusage/max MB (Scrapy)", "target"],
        [[s["n"], max(c["maxrss_mb"] for c in s["throughput"]["full"]),
          max(c["maxrss_mb"] for c in s["throughput"]["bare"]),
          max(c["memusage_mb"] for c in s["throughput"]["full"]),
          "ok" if max(c["maxrss_mb"] for c in s["throughput"]["full"]) < 300 else "MISSED"] for s in sizes]), ""]
    rows = []
    for s in sizes:
        for r in s["refresh"]:
            rows.append([s["n"], r["case"], r["requests"], r["robots"], r["feeds"], r["sitemaps"], r["listings"],
                         r["article"], r["recheck"], r["conditional"], r["304"], r["body_bytes"] / 1e6,
                         r["elapsed"], r["added"]["versions"], r["added"]["contents"], r["added"]["fetches"],
                         f"≤ {r['due']} + {r['entry']}", "ok" if r["target_ok"] else "MISSED"])
    out += ["## Refresh cost after a full crawl", "", table(
        ["N", "refresh", "requests", "robots", "feeds", "sitemaps", "listings", "article", "recheck",
         "conditional", "304", "body MB", "s", "+versions", "+contents", "+fetches", "allowed (due + entry)",
         "target"], rows), ""]
    rows = []
    for s in sizes:
        st = s["storage"]
        first = st["after_crawl"]
        rows.append([s["n"], first["documents"], first["bytes"] / 1e6, first["bytes"] / max(1, first["documents"]),
                     first["text_bytes"] / max(1, first["documents"]),
                     *(st[label]["bytes"] for label in list(st)[1:]),
                     st[list(st)[-1]]["contents"]])
    labels = list(sizes[0]["storage"])[1:] if sizes else []
    out += ["## Storage", "", table(
        ["N", "documents", "archive MB", "bytes/article", "text bytes/article",
         *(f"+bytes: {label}" for label in labels), "+contents (edits)"], rows), ""]
    if results.get("captures"):
        out += [capture_report(results["captures"])]
    extraction = results.get("extraction")
    if extraction:
        out += [f"## Extraction per page ({extraction['pages']} synthetic articles × {extraction['rounds']} rounds)", "",
                table(["stage", "median ms", "p95 ms"],
                      [[name, statistics.median(v), p95(v)] for name, v in extraction["stages"].items()]), ""]
    if results.get("profile"):
        out += [f"## Profile: one project crawl of N={results['profile']['n']} under pyinstrument", "",
                "```", results["profile"]["text"], "```", ""]
        out += _stage_table(results)
    out.append(f"Total time of this run: {results['seconds']:.0f} s.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["extraction"]:
        from bench.extraction import evalset_main

        return evalset_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000", help="article counts (default 1000,5000)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="bare/project pairs per size (default 2; --quick: 1)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: N=30, one round, small samples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="keep sites, archives and logs here (default: a temporary folder)")
    parser.add_argument("--no-profile", action="store_true", help="skip the pyinstrument run")
    parser.add_argument("--profile-n", type=int, default=1000, help="articles in the profiled crawl (default 1000)")
    parser.add_argument("--extraction-sample", type=int, default=200)
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--busy", type=int, default=0, metavar="K",
                        help="K processes spinning on the CPU beside the throughput crawls (default 0)")
    parser.add_argument("--steal", type=float, default=0.0, metavar="F",
                        help="one process per core spinning F (0 to 0.9) of every 10 ms beside the throughput"
                             " crawls: cores with 1 - F of their time to spare, like a slower CPU (default 0)")
    parser.add_argument("--cpu-share", type=float, default=None, metavar="S",
                        help="run the mirror, every throughput crawl and its workers each capped at S (0.05 to 1)"
                             " of one core (Linux CPU cgroup, root): a CPU 1/S times slower (bench/cpucap.py)")
    parser.add_argument("--inline", action="store_true",
                        help="also crawl with the extraction inline (CSTO_EXTRACT_WORKERS=0) in every round")
    args = parser.parse_args(argv)
    if args.busy < 0:
        parser.error("--busy must be 0 or more")
    if not 0 <= args.steal <= 0.9:
        parser.error("--steal must be between 0 and 0.9")
    if args.cpu_share is not None:
        _check_cpu_share(parser, args.cpu_share)
    sizes = [30] if args.quick else [int(x) for x in args.sizes.split(",") if x.strip()]
    sample = 20 if args.quick else args.extraction_sample
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="csto-bench-") as temporary:
        work = Path(args.workdir or temporary)
        work.mkdir(parents=True, exist_ok=True)
        results: dict = {"machine": {**machine(), "busy loops beside the throughput crawls": str(args.busy),
                                       "share of each core taken beside them (--steal)": f"{args.steal:g}",
                                       "each process capped at this share of a core (--cpu-share)":
                                           f"{args.cpu_share:g}" if args.cpu_share else "no cap"},
                         "sizes": []}
        for n in sizes:
            rounds = args.rounds or (1 if args.quick else 2)
            results["sizes"].append(measure_size(n, work, rounds, args.seed, log, inline=args.inline,
                                                 busy=args.busy, steal=args.steal, cpu_share=args.cpu_share))
        results["captures"] = capture_storage(work, min(sizes[0], 300), seed=args.seed, log=log)
        results["extraction"] = extraction_stages(work / f"site-{sizes[0]}", sample, 1 if args.quick else 3)
        log("extraction measured")
        if not args.no_profile:
            results["profile"] = profile_crawl(work, 30 if args.quick else args.profile_n, args.seed, log)
        results["seconds"] = time.perf_counter() - started
        text = report(results)
        print(text)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


def extraction_stages(site_dir: Path, sample: int, rounds: int) -> dict:
    from bench.extraction import synthetic_stages
    from csto_crawler.spiders.news import load_sites

    rules = next(iter(load_sites(site_dir / "seeds" / "news_sites.yml").values())).rules
    stages = synthetic_stages(site_dir / "web", sample, rounds, rules)
    return {"pages": len(stages["page check"]) // rounds, "rounds": rounds, "stages": stages}


def profile_crawl(work: Path, n: int, seed: int, log) -> dict | None:
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        log("pyinstrument is not installed (pip install -e '.[bench]'); no profile")
        return None
    from bench.profile import format_profile
    from csto_crawler.mirror import MirrorServer

    site_dir = work / f"site-{n}"
    if not (site_dir / "seeds" / "news_sites.yml").exists():  # same N and seed: same bytes
        generate_site(site_dir, n, seed=seed)
    db = work / f"profile-{n}.db"
    db.unlink(missing_ok=True)
    session = work / f"profile-{n}.pyisession"
    with MirrorServer(fixtures_dir=site_dir / "web") as mirror:
        crawl = run_crawl("full", work / "runs-profile", mirror=mirror.base_url, seeds=site_dir / "seeds", db=db,
                          profile=session)
    log(f"profiled crawl: {crawl.responses} pages in {crawl.elapsed:.1f} s under the profiler")
    from bench.profile import summarise

    _, components, _ = summarise(str(session))
    return {"n": n, "text": format_profile(str(session), top=15), "components": dict(components)}


if __name__ == "__main__":
    sys.exit(main())
