"""All settings of the project, Scrapy's and our own (``CSTO_*``), in one module.

Environment variables are read here and nowhere else: every ``CSTO_*`` key can be set as an
environment variable of the same name, or per run with ``scrapy crawl … -s KEY=VALUE``.
Per-site overrides belong in that spider's ``custom_settings``.
"""

from __future__ import annotations

import os

from csto_crawler import __version__
from csto_crawler.packaged import data_root, seeds_dir
from pipelines import ITEM_PIPELINES as _ITEM_PIPELINES


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


# --- Scrapy project -------------------------------------------------------------------------
BOT_NAME = "csto_crawler"
SPIDER_MODULES = ["csto_crawler.spiders"]
NEWSPIDER_MODULE = "csto_crawler.spiders"
#: ``scrapy crawl`` also exits with status 1 when the archive could not be written.
COMMANDS_MODULE = "csto_crawler.scrapy_commands"

# --- Politeness: one request at a time per site, a delay, AutoThrottle, robots.txt obeyed -----
#: Where operators can reach us; shown in the User-Agent.
CSTO_CONTACT = _env("CSTO_CONTACT", "see the csto-archive README")
USER_AGENT = f"csto-archive/{__version__} (research news archive; {CSTO_CONTACT})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
#: Items (and requests) of one response processed in parallel. Scrapy starts this many asyncio
#: workers for every response; the pipelines are synchronous and an article page yields one
#: item, so 8 does the same work as the default 100 at about 1.5 ms less per page
#: (docs/benchmarks.md).
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 2.0
#: Each delay is DOWNLOAD_DELAY × a random factor in [1 - jitter, 1 + jitter].
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
#: Scrapy 2.19's remote control (on by default) starts an HTTP server per crawl that runs any
#: Python code sent with its token, and writes the token to a job file under the user's state
#: folder, left behind whenever a crawl is killed. A scheduled archive crawl needs neither
#: (and does not import aiohttp for it).
REMOTE_CONTROL_ENABLED = False

# --- Size limits (also bound decompression: gzip bombs are cut at DOWNLOAD_MAXSIZE) ----------
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
#: A body cut short (fewer bytes than its Content-Length) is an error, retried, never parsed.
DOWNLOAD_FAIL_ON_DATALOSS = True

# --- Guards against broken and hostile answers (csto_crawler/guards.py, docs/reliability.md) --
#: Only the site's own pages (scheme, domains, ports, no internal address, whatever the
#: request's dont_filter), redirects that leave the site or loop fail the fetch instead of
#: vanishing, retries wait (backoff, Retry-After), wrong charsets are re-detected.
DOWNLOADER_MIDDLEWARES = {
    "csto_crawler.guards.SiteGuardMiddleware": 40,
    # robots.txt checked for every request queued while it is fetched (Scrapy's checks one)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "csto_crawler.middlewares.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "csto_crawler.guards.BackoffRetryMiddleware": 550,
    "csto_crawler.guards.RefreshGuardMiddleware": 585,
    # Scrapy's, reading the head of a page instead of decoding all of it (same answers)
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "csto_crawler.guards.MetaRefreshMiddleware": 580,
    "csto_crawler.guards.CharsetMiddleware": 588,
    "csto_crawler.guards.RedirectGuardMiddleware": 610,
    # next to the download handler: raw responses, every redirect hop (docs/captures.md)
    "csto_crawler.capture.middleware.CaptureMiddleware": 950,
}
#: Ports fetched besides the scheme's default (80, 443): none.
CSTO_ALLOWED_PORTS: list[int] = []
#: The wait before the first retry (seconds); it doubles with every further attempt, up to
#: CSTO_RETRY_BACKOFF_MAX. 0 retries at once.
CSTO_RETRY_BACKOFF = float(_env("CSTO_RETRY_BACKOFF", "1.0"))
CSTO_RETRY_BACKOFF_MAX = float(_env("CSTO_RETRY_BACKOFF_MAX", "30"))
#: A Retry-After (429/503) is waited for up to this many seconds; a longer one is not retried
#: (the page is recorded as blocked or error and tried again on a later run).
CSTO_RETRY_AFTER_MAX = float(_env("CSTO_RETRY_AFTER_MAX", "120"))

# --- Output ---------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
#: Non-article items and irrelevant pages are dropped on purpose: log them at DEBUG.
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"
LOG_LEVEL = _env("CSTO_LOG_LEVEL", "INFO")

ITEM_PIPELINES = dict(_ITEM_PIPELINES)

# --- The project's own keys -----------------------------------------------------------------
#: The SQLite archive. A relative path given by the user is relative to the working folder.
#: The default is ``archive/archive.db`` in the checkout; run from a package (a Scrapyd egg),
#: in the working folder; on Scrapyd set it per job (docs/scheduling.md).
CSTO_ARCHIVE_DB = _env("CSTO_ARCHIVE_DB", str(data_root() / "archive" / "archive.db"))
#: ``csto`` (default): archive only CSTO-related articles; ``all``: archive everything.
CSTO_RELEVANCE = _env("CSTO_RELEVANCE", "csto")
#: The multilingual CSTO term list (data, editable without code).
CSTO_RELEVANCE_TERMS = _env("CSTO_RELEVANCE_TERMS", str(seeds_dir() / "relevance_terms.yml"))
#: Site definitions and extra entry points (data, editable without code): the checkout's
#: ``seeds/``, or the copy a built package (a Scrapyd egg, a wheel) carries.
CSTO_SEEDS_DIR = _env("CSTO_SEEDS_DIR", str(seeds_dir()))
#: A loopback mirror, e.g. ``http://127.0.0.1:8800``: every request for ``https://HOST/PATH``
#: is fetched from ``<mirror>/HOST/PATH`` instead; items keep the original URL.
CSTO_MIRROR = _env("CSTO_MIRROR")

# --- Site framework: mirror, discovery limits, field coverage --------------------------------
#: ``MirrorAddon`` fetches from ``CSTO_MIRROR`` when it is set and then drops the delays (no
#: pause on loopback); without a mirror it does nothing.
ADDONS = {"csto_crawler.middlewares.MirrorAddon": 0}
#: The per-run field-coverage report (stats ``csto/coverage/*``, one INFO line at close).
EXTENSIONS = {
    "csto_crawler.extensions.CoverageReport": 500,
    "csto_crawler.refresh.RequestKindStats": 510,
    # starts the extraction workers with the first new article scheduled (CSTO_EXTRACT_WORKERS)
    "csto_crawler.extraction_pool.PoolStarter": 520,
    # fewer young-generation garbage collections while the engine runs (CSTO_GC_THRESHOLD)
    "csto_crawler.collector.CollectorThreshold": 530,
    # no log record made below the lowest level any handler takes (csto_crawler.logfloor)
    "csto_crawler.logfloor.LogLevelFloor": 540,
}
#: The garbage collector's first threshold during a crawl (``csto_crawler.collector``):
#: 10,000 new container objects between young-generation collections instead of Python's
#: 700 (the event loop's GC time 0.37–0.44 -> 0.13–0.24 ms a page); 0 keeps Python's.
CSTO_GC_THRESHOLD = int(_env("CSTO_GC_THRESHOLD", "10000"))
#: Listing pages followed per listing entry point in a normal (incremental) crawl.
CSTO_MAX_PAGES = int(_env("CSTO_MAX_PAGES", "3"))
#: The guard on listing pages per entry point when back-filling with ``-a since=``.
CSTO_BACKFILL_MAX_PAGES = int(_env("CSTO_BACKFILL_MAX_PAGES", "300"))
#: Extra entry points per site (feeds, listings, sitemaps, article URLs), editable without code.
CSTO_ENTRY_POINTS = _env("CSTO_ENTRY_POINTS", str(seeds_dir() / "entry_points.yml"))
#: Coverage report: the fields counted, and the share below which a WARNING is logged (once at
#: least CSTO_COVERAGE_MIN_ITEMS articles were seen).
CSTO_COVERAGE_FIELDS = ["title", "published_at", "text", "language"]
CSTO_COVERAGE_MIN_SHARE = float(_env("CSTO_COVERAGE_MIN_SHARE", "0.8"))
CSTO_COVERAGE_MIN_ITEMS = int(_env("CSTO_COVERAGE_MIN_ITEMS", "5"))

# --- Incremental refresh --------------------------------------------------------------------
#: Re-check intervals by article age (AGE:INTERVAL, youngest first, then ``*:INTERVAL`` or
#: ``*:never``): within a day every 4 hours, then daily for a week, weekly for a month, then
#: monthly. ``*:0s`` re-checks every known article on every run.
CSTO_RECHECK_SCHEDULE = _env("CSTO_RECHECK_SCHEDULE", "1d:4h,7d:1d,30d:7d,*:30d")
#: A document becomes ``gone`` after this many consecutive 404/410 answers.
CSTO_GONE_AFTER = int(_env("CSTO_GONE_AFTER", "2"))
#: ``False`` fetches every discovered article again, ignoring what the archive knows.
CSTO_INCREMENTAL = _env("CSTO_INCREMENTAL", "true").lower() not in ("0", "false", "no")

# --- Extraction off the event loop (csto_crawler/extraction_pool.py, docs/benchmarks.md) ------
#: Worker processes that extract article pages during a crawl, so no page's extraction runs on
#: the reactor thread (one huge page never stalls the other downloads). Two, so a page stuck
#: until its budget runs out does not hold up the others; each takes ~50 MB. 0 extracts
#: inline, on the reactor thread, with no time budget. The crawls of one ``csto refresh``
#: share them.
CSTO_EXTRACT_WORKERS = int(_env("CSTO_EXTRACT_WORKERS", "2"))
#: Seconds one page may take in a worker (default 20; a news page takes 5–50 ms). A page over
#: the budget is recorded as an ``error`` fetch ("extraction timeout"), archives nothing, and
#: is fetched again on the next run; its worker is killed and replaced.
CSTO_EXTRACT_TIMEOUT = float(_env("CSTO_EXTRACT_TIMEOUT", "20"))
#: The function the workers call, ``module:function`` with the signature of
#: ``csto_crawler.pagecheck.check_then_extract`` (``extract()``'s, plus the answer's ``status``
#: and ``headers``; for experiments and tests): the default checks the page, then extracts it.
CSTO_EXTRACT_FUNCTION = _env("CSTO_EXTRACT_FUNCTION", "csto_crawler.pagecheck:check_then_extract")
#: How much lower the workers' CPU priority is than the crawl's (``nice``; 0 keeps it equal).
#: The crawl's event loop (downloads, captures, the archive) is the bound of a busy crawl:
#: when it waits for a core behind an extraction it fetches nothing; lowered workers take
#: what CPU the loop leaves (``python -m bench``: 64-66 % of bare Scrapy's pages/s instead of
#: 56 % on a 2-core machine, docs/benchmarks.md). Extraction still never waits long, as the
#: loop itself needs at most one core.
CSTO_EXTRACT_NICE = int(_env("CSTO_EXTRACT_NICE", "10"))

# --- Raw captures in WARC files (docs/captures.md) -----------------------------------------------
#: What is captured: ``articles`` (default: article fetches and re-checks, with their redirect
#: chains), ``all`` (also feeds, sitemaps, listings, search pages) or ``off``.
CSTO_CAPTURE = _env("CSTO_CAPTURE", "articles")
#: Where the WARC files go (default: ``warc/`` beside the archive, i.e. ``archive/warc/``).
CSTO_WARC_DIR = _env("CSTO_WARC_DIR")
#: A WARC file is closed and the next one started once it reaches this size (bytes; 1 GB).
CSTO_WARC_MAX_BYTES = int(_env("CSTO_WARC_MAX_BYTES", str(10**9)))
#: fsync every captured exchange (survives a power cut too; by default a flush, which survives
#: a crash of the crawler, like the archive's ``synchronous=NORMAL``).
CSTO_WARC_FSYNC = _env("CSTO_WARC_FSYNC", "false").lower() in ("1", "true", "yes")
#: The largest raw capture Datasette serves (bytes); a larger one is cut, as text/plain.
CSTO_CAPTURE_VIEW_MAX_BYTES = int(_env("CSTO_CAPTURE_VIEW_MAX_BYTES", str(5 * 1024 * 1024)))
