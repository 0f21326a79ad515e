"""One measured crawl in a child process: the full project, or a bare Scrapy spider.

The parent (``run_crawl``) starts ``python -m bench.crawl MODE …``; the child writes Scrapy's
stats as JSON, with its CPU time during the crawl and its peak RSS: ``VmHWM`` of
``/proc/self/status``, the high-water mark of the crawl process's own memory. (``ru_maxrss``, from
``os.wait4`` or ``getrusage`` in the child, and Scrapy's ``memusage/max`` built on it, are not
used: Linux carries the high-water mark of the memory the child borrowed from its parent before
``exec`` into it, here the parent's mirror holding every page.)

* ``full``: the project as ``csto refresh`` runs it: the project's settings, the generic ``news``
  spider on the synthetic site's ``news_sites.yml`` (``CSTO_SEEDS_DIR``), every pipeline and the
  SQLite archive, fetching through ``CSTO_MIRROR`` (which drops the delays);
* ``bare``: a plain ``scrapy.Spider`` with Scrapy's default settings and the project's
  concurrency (``CONCURRENT_REQUESTS``, ``CONCURRENT_REQUESTS_PER_DOMAIN``,
  ``CONCURRENT_ITEMS``, no delay): it fetches
  the same pages straight from the mirror (robots.txt, feed, sitemap, the first listing pages,
  every article the sitemap names) and stores nothing.

``--profile FILE`` runs the child under pyinstrument and saves its session for
``bench.profile``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["CrawlResult", "run_crawl"]


@dataclass
class CrawlResult:
    """What one child crawl reported."""

    mode: str
    stats: dict
    wall: float  #: seconds, process start to exit (imports included)
    maxrss_mb: float  #: peak resident set size of the crawl process (VmHWM)
    cpu: float  #: user + system CPU seconds of the child (start-up included)
    extra: dict = field(default_factory=dict)
    #: CPU seconds this (the benchmark's) process spent while the child ran: the loopback
    #: mirror's, when it serves from here; on the same cores as the crawl, not part of it
    here_cpu: float = 0.0

    @property
    def elapsed(self) -> float:
        """Seconds from spider open to close (Scrapy's ``elapsed_time_seconds``)."""
        return float(self.stats.get("elapsed_time_seconds") or 0.0)

    @property
    def responses(self) -> int:
        return int(self.stats.get("downloader/response_count", 0))

    @property
    def pages_per_second(self) -> float:
        return self.responses / self.elapsed if self.elapsed else 0.0

    @property
    def crawl_cpu(self) -> float:
        """CPU seconds of the crawl itself (from the crawler's start to its end, no imports),
        its extraction worker processes included."""
        return float(self.stats.get("bench/crawl_cpu_s") or self.cpu)

    @property
    def memusage_mb(self) -> float:
        """Scrapy's ``memusage/max`` (bytes) in MB."""
        return float(self.stats.get("memusage/max", 0)) / 2**20


def run_crawl(mode: str, workdir: Path, *, mirror: str, settings: dict | None = None,
              seeds: Path | None = None, db: Path | None = None, host: str | None = None,
              listing_pages: int = 3, profile: Path | None = None, timeout: float = 900,
              root: Path = ROOT, cap=None) -> CrawlResult:
    """Run one crawl in a child process and return its stats, time and resource usage;
    ``root`` is the checkout whose code crawls (another one: ``bench.ab``); with a
    ``bench.cpucap.CpuCap`` the crawl and every process it starts run capped."""
    workdir.mkdir(parents=True, exist_ok=True)
    stats_path = workdir / f"{mode}-{time.monotonic_ns()}.stats.json"
    argv = [sys.executable, "-m", "bench.crawl", mode, "--mirror", mirror, "--stats", str(stats_path)]
    if mode == "full":
        argv += ["--seeds", str(seeds), "--db", str(db)]
    else:
        argv += ["--host", str(host), "--listing-pages", str(listing_pages)]
    for key, value in (settings or {}).items():
        argv += ["-s", f"{key}={value}"]
    if profile is not None:
        argv += ["--profile", str(profile)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CSTO_")}
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    log_path = workdir / f"{mode}.log"
    here_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    start = time.perf_counter()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        if cap is not None:
            cap.confine(proc.pid)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if cap is not None:
                cap.confine_children(proc.pid)  # its extraction workers, each capped on its own
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05 if cap is None else 0.01)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    wall = time.perf_counter() - start
    here_cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - here_before
    if proc.returncode != 0 or not stats_path.exists():
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"bench crawl {mode} failed (exit {proc.returncode}); log {log_path}:\n{tail}")
    stats = json.loads(stats_path.read_text(encoding="utf-8"))
    peak_kb = stats.get("bench/vmhwm_kb") or usage.ru_maxrss
    return CrawlResult(mode=mode, stats=stats, wall=wall, maxrss_mb=peak_kb / 1024,
                       cpu=usage.ru_utime + usage.ru_stime, extra={"wait4_maxrss_mb": usage.ru_maxrss / 1024},
                       here_cpu=here_cpu)


# --- the child ------------------------------------------------------------------------------
def _bare_spider_class():
    import scrapy
    from scrapy.utils.sitemap import Sitemap

    class BareSpider(scrapy.Spider):
        """Fetches the synthetic site's pages from the mirror; extracts links, stores nothing."""

        name = "bare"

        def __init__(self, mirror: str, host: str, listing_pages: int = 3, **kwargs):
            super().__init__(**kwargs)
            self.base = f"{mirror.rstrip('/')}/{host}"
            self.listing_pages = int(listing_pages)

        async def start(self):
            yield scrapy.Request(f"{self.base}/robots.txt", callback=self.ignore)
            yield scrapy.Request(f"{self.base}/feed/", callback=self.parse_feed)
            yield scrapy.Request(f"{self.base}/sitemap.xml", callback=self.parse_sitemap)
            for page in range(1, int(self.listing_pages) + 1):
                yield scrapy.Request(f"{self.base}/news/page/{page}/", callback=self.parse_listing)

        def article(self, url: str):
            return scrapy.Request(self.base + re.sub(r"^https?://[^/]+", "", url), callback=self.ignore)

        def parse_feed(self, response):
            for url in re.findall(rb"<link>(https?://[^<]+)</link>", response.body)[1:]:
                yield self.article(url.decode())

        def parse_sitemap(self, response):
            for entry in Sitemap(response.body):
                yield self.article(entry["loc"])

        def parse_listing(self, response):
            for url in response.css("div.td_module_wrap h3 a::attr(href)").getall():
                yield self.article(url)

        def ignore(self, response):
            return None

    return BareSpider


def _vmhwm_kb() -> int | None:
    """This process's peak resident set size in KB (``VmHWM``), None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _child(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One benchmark crawl (run by bench.crawl.run_crawl).")
    parser.add_argument("mode", choices=("full", "bare"))
    parser.add_argument("--mirror", required=True)
    parser.add_argument("--stats", required=True)
    parser.add_argument("--seeds")
    parser.add_argument("--db")
    parser.add_argument("--host")
    parser.add_argument("--listing-pages", type=int, default=3)
    parser.add_argument("-s", "--set", action="append", default=[])
    parser.add_argument("--profile")
    args = parser.parse_args(argv)
    overrides = dict(pair.split("=", 1) for pair in args.set)

    from scrapy.crawler import AsyncCrawlerProcess
    from scrapy.settings import Settings

    from csto_crawler.config import project_settings

    project = project_settings()
    if args.mode == "full":
        settings = project_settings({
            "CSTO_MIRROR": args.mirror, "CSTO_SEEDS_DIR": args.seeds, "CSTO_ARCHIVE_DB": args.db,
            "CSTO_ENTRY_POINTS": "", "LOG_LEVEL": "WARNING", **overrides})
        target, kwargs = "news", {}
    else:
        settings = Settings()
        settings.setdict({
            "CONCURRENT_REQUESTS": project.getint("CONCURRENT_REQUESTS"),
            "CONCURRENT_REQUESTS_PER_DOMAIN": project.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            "CONCURRENT_ITEMS": project.getint("CONCURRENT_ITEMS"),
            "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False,
            "USER_AGENT": project.get("USER_AGENT"), "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "WARNING", **overrides}, priority="cmdline")
        target = _bare_spider_class()
        kwargs = {"mirror": args.mirror, "host": args.host, "listing_pages": args.listing_pages}
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(target)
    process.crawl(crawler, **kwargs)
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    cpu_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    children_before = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
    process.start()
    crawl_cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu_before
    # the extraction workers (csto_crawler.extraction_pool), reaped when the engine stopped
    workers_cpu = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]) - children_before
    if profiler is not None:
        profiler.stop()
        profiler.last_session.save(args.profile)
    stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in crawler.stats.get_stats().items()}
    stats["bench/self_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stats["bench/crawl_cpu_s"] = crawl_cpu + workers_cpu
    stats["bench/reactor_cpu_s"] = crawl_cpu
    stats["bench/workers_cpu_s"] = workers_cpu
    stats["bench/vmhwm_kb"] = _vmhwm_kb()
    Path(args.stats).write_text(json.dumps(stats, sort_keys=True, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_child())
