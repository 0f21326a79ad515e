"""``csto extract PAGE… [--url URL] [--json] [--jsonl OUT] [--jobs N]``: extract saved pages.

One file: prints the article's clean text, or with ``--json`` the item's fields (sorted keys,
UTF-8). With ``--url`` matching a site module that site's rules apply
(``csto_crawler.sites``); otherwise only the generic layers run. The fields are the crawl's own:
the spider's ``article_item`` maps the extraction to the item (canonical URL included), here and
in a crawl alike.

Many files or a folder (every ``*.html`` / ``*.htm`` under it): one JSON line per page to
``--jsonl OUT`` (``-`` for stdout), in input order, with the page's ``file`` added, or its
``error``; the extraction runs in ``--jobs`` worker processes of
``csto_crawler.extraction_pool`` (0: in this process), started once, each page under the
``--timeout`` budget. A page's URL comes from its sidecar: ``PAGE.json`` beside it, else a
``meta.json`` in its folder, with a ``"url"`` key; without one it is the file's ``file://`` URL
(generic layers only). A progress bar goes to stderr when it is a terminal (or with
``--progress``).

The page-to-fields work is ``csto_crawler.saved_pages`` (library code, also used by ``bench``),
whose ``page_text(html, url=None)`` is the same extraction as a plain function returning the
text, for scorers that call a Python function (``score.py --python
csto_crawler.saved_pages:page_text``).

Exit status: 0 when every page gave article text, 1 when some did not (each still has its
line, with ``text`` null or an ``error``: unreadable, "extraction timeout", …), 2 for a usage
error, a single page that cannot be read, or a folder holding no page.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

from csto_crawler.config import project_settings
from csto_crawler.extract import extract
from csto_crawler.extraction_pool import DEFAULT_FUNCTION, ExtractionPool, load_function
from csto_crawler.saved_pages import SavedPages, sidecar_url

logger = logging.getLogger(__name__)

_PAGE_SUFFIXES = (".html", ".htm")


def register(sub) -> None:
    parser = sub.add_parser(
        "extract",
        help="extract the article of saved pages (clean text, --json fields, or --jsonl for many)",
        description="Run the layered extraction on saved HTML pages: one file prints the article's "
                    "clean text (or --json fields); many files or a folder write one JSON line per "
                    "page to --jsonl OUT, extracted in --jobs worker processes.",
    )
    parser.add_argument("pages", nargs="+", metavar="PAGE", help="saved pages (HTML, any encoding) or folders of them")
    parser.add_argument("--url", help="the page's URL (one page only): selects the site's rules and resolves relative links")
    parser.add_argument("--json", action="store_true", help="one page: print the item's fields as JSON instead of the text")
    parser.add_argument("--jsonl", metavar="OUT", help="write one JSON line per page to OUT ('-': stdout)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes for many pages (default: the CPU count, at most 4; 0: this process)")
    parser.add_argument("--timeout", type=float, default=None, metavar="S",
                        help="seconds one page may take in a worker (default: CSTO_EXTRACT_TIMEOUT)")
    parser.add_argument("--progress", action="store_true", help="show the progress bar even when stderr is not a terminal")
    parser.add_argument("--encoding", help="the pages' encoding when a file does not declare it")
    parser.set_defaults(func=run)


# --- the command -------------------------------------------------------------------------------
def run(args) -> int:
    pages: list[Path] = []
    for name in args.pages:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in _PAGE_SUFFIXES and p.is_file())
            if not found:
                return _fail(f"no *.html or *.htm page under {name}")
            pages += found
        else:
            pages.append(path)
    batch = len(pages) > 1 or args.jsonl is not None or any(Path(n).is_dir() for n in args.pages)
    if not batch:
        return _one(pages[0], args)
    if args.url:
        return _fail("--url names the URL of one page; for many, put each URL in a sidecar (PAGE.json or meta.json)")
    if args.json:
        return _fail("--json prints one page; for many use --jsonl OUT")
    if not args.jsonl:
        return _fail(f"{len(pages)} pages: give --jsonl OUT (or '-' for stdout)")
    return _batch(pages, args)


def _fail(message: str) -> int:
    print(f"csto extract: {message}", file=sys.stderr)
    return 2


def _one(path: Path, args) -> int:
    try:
        page = path.read_bytes()
    except OSError as err:
        return _fail(f"cannot read {path}: {err.strerror or err}")
    if args.url and not urlsplit(args.url).scheme:
        return _fail(f"--url {args.url!r}: expected an absolute URL (https://…)")
    url = args.url or path.resolve().as_uri()
    sites = SavedPages()
    call_args, kwargs = sites.call(page, url, args.url, args.encoding)
    result = extract(*call_args, **kwargs)
    if args.json:
        print(json.dumps(sites.fields(result, url, args.url), ensure_ascii=False, sort_keys=True, indent=2))
    elif result.text:
        print(result.text)
    else:
        print(f"csto extract: no article text found in {path}", file=sys.stderr)
        return 1
    return 0


def _batch(pages: list[Path], args) -> int:
    settings = project_settings()
    jobs = args.jobs if args.jobs is not None else _default_jobs()
    timeout = args.timeout or settings.getfloat("CSTO_EXTRACT_TIMEOUT", 20.0)
    function = settings.get("CSTO_EXTRACT_FUNCTION") or DEFAULT_FUNCTION
    out = sys.stdout if args.jsonl == "-" else None
    try:
        out = out or open(args.jsonl, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    except OSError as err:
        return _fail(f"cannot write {args.jsonl}: {err.strerror or err}")
    progress = Progress(len(pages), enabled=args.progress or sys.stderr.isatty())
    pool = ExtractionPool(jobs, timeout, function) if jobs > 0 else None
    try:
        missed = _extract_all(pages, args.encoding, pool or load_function(function), out, progress)
    except BrokenPipeError:  # the reader stopped (``| head``): not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    finally:
        if pool is not None:
            pool.close()
        progress.done()
        if out is not sys.stdout:
            out.close()
    if missed:
        print(f"csto extract: {missed} of {len(pages)} pages gave no article text", file=sys.stderr)
    return 1 if missed else 0


def _default_jobs() -> int:
    import os

    return max(1, min(4, os.cpu_count() or 1))


def _extract_all(pages: list[Path], encoding: str | None, extractor, out, progress: Progress) -> int:
    """Extract every page with ``extractor`` (an ``ExtractionPool``, or the function itself to
    extract in this process), a few per worker in flight; write the lines in input order;
    returns how many gave no text."""
    from concurrent.futures import Future

    pool = extractor if isinstance(extractor, ExtractionPool) else None
    sites = SavedPages()
    window = 8 * (pool.workers if pool else 1)
    pending: deque[tuple[Path, str, str | None, Future | None, str | None]] = deque()
    missed = 0

    def write_oldest() -> None:
        nonlocal missed
        path, url, site_url, future, error = pending.popleft()
        line: dict = {"file": str(path)}
        if error is None:
            try:
                extraction = future.result()
                line.update(sites.fields(extraction, url, site_url))
            except Exception as exc:  # noqa: BLE001 (the page's error, written on its line)
                error = "extraction timeout" if type(exc).__name__ == "ExtractionTimeout" else f"{type(exc).__name__}: {exc}"
        if error is not None:
            line["error"] = error
        missed += not line.get("text")
        out.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
        progress.step()

    for path in pages:
        site_url = sidecar_url(path)
        url = site_url or path.resolve().as_uri()
        future, error = None, None
        try:
            call_args, kwargs = sites.call(path.read_bytes(), url, site_url, encoding)
            future = pool.submit(*call_args, **kwargs) if pool else _done(extractor, call_args, kwargs)
        except OSError as err:
            error = f"cannot read: {err.strerror or err}"
        pending.append((path, url, site_url, future, error))
        while len(pending) > window or (pending and pending[0][3] is not None and pending[0][3].done()):
            write_oldest()
    while pending:
        write_oldest()
    return missed


def _done(function, args: tuple, kwargs: dict):
    """A finished Future of ``function(*args, **kwargs)`` (extraction in this process)."""
    from concurrent.futures import Future

    future: Future = Future()
    try:
        future.set_result(function(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 (kept on the page's line)
        future.set_exception(exc)
    return future


class Progress:
    """A one-line progress bar on stderr: ``[#####.....] 120/200 pages, 35.2 pages/s``."""

    def __init__(self, total: int, *, enabled: bool, width: int = 30) -> None:
        import time

        self.total, self.enabled, self.width = total, enabled, width
        self.count, self.started, self._clock = 0, time.perf_counter(), time.perf_counter
        self._shown = 0.0

    def step(self) -> None:
        self.count += 1
        now = self._clock()
        if self.enabled and (now - self._shown >= 0.1 or self.count == self.total):
            self._shown = now
            filled = self.width * self.count // max(1, self.total)
            rate = self.count / max(1e-9, now - self.started)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] "
                             f"{self.count}/{self.total} pages, {rate:.1f} pages/s")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled and self.count:
            sys.stderr.write("\n")
            sys.stderr.flush()
