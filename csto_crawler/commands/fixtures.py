"""``csto fixtures``: record real pages as fixtures, and regenerate ``expected`` for review.

``csto fixtures record URL… --slug S`` fetches each URL once (robots.txt obeyed, the project's
User-Agent), saves the body exactly as served into ``tests/fixtures/S/`` with a sidecar
(url, kind, origin "recorded <date>", status, content_type, Last-Modified/ETag headers) and, for
an article, the ``expected`` block from the current parser. ``relevant`` is left for the
reviewer to set.

``csto fixtures regen [SLUG…]`` re-parses every article and challenge fixture (of those sites,
default all) and rewrites the ``expected`` blocks that changed; review with ``git diff``
before committing. ``--check`` only reports differences (exit status 1 when there are any).
"""

from __future__ import annotations

import logging
import sys
import urllib.error
import urllib.request
import urllib.robotparser
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from csto_crawler.fixtures import (
    FIXTURES_DIR,
    expected_of,
    fixture_name,
    parse_fixture,
    read_sidecar,
    sidecar_paths,
    write_sidecar,
)
from csto_crawler.sites import site_classes

from ._common import project_settings

logger = logging.getLogger(__name__)

_EXTENSIONS = {"html": ".html", "xml": ".xml", "rss": ".xml", "atom": ".xml", "json": ".json", "plain": ".txt"}
_KEPT_HEADERS = ("Last-Modified", "ETag", "Location")


def register(sub) -> None:
    parser = sub.add_parser(
        "fixtures",
        help="record real pages as test fixtures; regenerate expected output for review",
        description="Fixtures are a page file plus a .json sidecar in tests/fixtures/<slug>/ "
        "(see tests/fixtures/README.md and docs/spiders.md).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    record = actions.add_parser(
        "record",
        help="fetch URLs once and save them as fixtures (needs a network)",
        description="Fetch each URL once (robots.txt obeyed) and save body + sidecar into "
        "tests/fixtures/<slug>/; an article's expected block comes from the current parser.",
    )
    record.add_argument("urls", nargs="+", metavar="URL", help="page URL(s) to record")
    record.add_argument("--slug", required=True, help="the site slug (spider name)")
    record.add_argument("--kind", choices=("article", "feed", "sitemap", "listing", "robots", "challenge", "other"),
                        help="what the pages are (default: guessed from the URL and the body)")
    record.add_argument("--name", help="file stem (one URL only; default <lang>_<kind>_<date>_<segment>)")
    record.add_argument("--dir", default=str(FIXTURES_DIR), help="fixtures root (default: tests/fixtures)")
    record.add_argument("--timeout", type=float, default=30.0, help="seconds per fetch (default 30)")
    record.set_defaults(func=run_record)

    regen = actions.add_parser(
        "regen",
        help="rewrite the expected blocks of article/challenge fixtures from the current parser",
        description="Re-parse fixtures and rewrite expected blocks that changed (review the "
        "diff before committing). With --check, only report.",
    )
    regen.add_argument("slugs", nargs="*", metavar="SLUG", help="sites to regenerate (default: all)")
    regen.add_argument("--check", action="store_true", help="report differences, write nothing, exit 1 if any")
    regen.add_argument("--dir", default=str(FIXTURES_DIR), help="fixtures root (default: tests/fixtures)")
    regen.set_defaults(func=run_regen)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def _spider(slug: str):
    classes = site_classes()
    if slug not in classes:
        raise SystemExit(f"csto fixtures: no spider {slug!r}; known: {', '.join(sorted(classes))}")
    return classes[slug]()


def _guess_kind(spider, url: str, content_type: str, body: bytes) -> str:
    if url.rstrip("/").endswith("robots.txt"):
        return "robots"
    if spider.is_article_url(url):
        return "article"
    head = body[:2048]
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or "xml" in content_type:
        return "feed"
    return "listing"


def _extension(content_type: str) -> str:
    subtype = content_type.split(";", 1)[0].split("/")[-1].split("+")[-1].strip().lower()
    return _EXTENSIONS.get(subtype, ".html")


def _allowed(url: str, user_agent: str, timeout: float) -> bool:
    parts = urlsplit(url)
    robots = urllib.robotparser.RobotFileParser(f"{parts.scheme}://{parts.netloc}/robots.txt")
    try:
        request = urllib.request.Request(robots.url, headers={"User-Agent": user_agent})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only)
            robots.parse(response.read().decode("utf-8", "replace").splitlines())
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            return False
        return True  # no robots.txt: allowed
    except OSError as exc:
        logger.warning("robots.txt of %s unreadable (%s); recording anyway", parts.netloc, exc)
        return True
    return robots.can_fetch(user_agent, url)


def _fetch(url: str, user_agent: str, timeout: float) -> tuple[str, int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept-Language": "*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only)
            return response.geturl(), response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return url, exc.code, dict(exc.headers.items()), exc.read()


def run_record(args) -> int:
    settings = project_settings()
    user_agent = settings.get("USER_AGENT")
    spider = _spider(args.slug)
    if args.name and len(args.urls) > 1:
        print("csto fixtures record: --name needs exactly one URL", file=sys.stderr)
        return 2
    folder = Path(args.dir) / args.slug
    folder.mkdir(parents=True, exist_ok=True)
    day = date.today().isoformat()
    failures = 0
    for url in args.urls:
        if urlsplit(url).scheme not in ("http", "https"):
            print(f"csto fixtures record: not an http(s) URL: {url}", file=sys.stderr)
            failures += 1
            continue
        if not _allowed(url, user_agent, args.timeout):
            print(f"csto fixtures record: robots.txt forbids {url}; not recorded", file=sys.stderr)
            failures += 1
            continue
        try:
            final_url, status, headers, body = _fetch(url, user_agent, args.timeout)
        except OSError as exc:
            print(f"csto fixtures record: {url}: {exc}", file=sys.stderr)
            failures += 1
            continue
        if final_url != url:
            print(f"note: {url} redirected to {final_url}; recorded under the final URL")
        content_type = headers.get("Content-Type", "text/html; charset=utf-8")
        kind = args.kind or _guess_kind(spider, final_url, content_type, body)
        stem = args.name or fixture_name(final_url, kind, spider.language_for(final_url), day)
        page_path = folder / (stem + _extension(content_type))
        sidecar_path = folder / (stem + ".json")
        sidecar = {
            "url": final_url,
            "kind": kind,
            "origin": f"recorded {day} from {final_url} with csto fixtures record",
            "status": status,
            "content_type": content_type,
        }
        kept = {name: headers[name] for name in _KEPT_HEADERS if name in headers}
        if kept:
            sidecar["headers"] = kept
        page_path.write_bytes(body)
        if kind in ("article", "challenge"):
            write_sidecar(sidecar_path, sidecar)
            sidecar["expected"] = expected_of(parse_fixture(sidecar_path, spider))
            if kind == "article":
                sidecar["relevant"] = None  # the reviewer decides
        write_sidecar(sidecar_path, sidecar)
        print(f"recorded {final_url} -> {page_path} ({status}, {kind})")
    return 1 if failures else 0


def run_regen(args) -> int:
    root = Path(args.dir)
    folders = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    slugs = args.slugs or [slug for slug in folders if slug in site_classes()]
    changed = 0
    for slug in slugs:
        spider = _spider(slug)
        for path in sidecar_paths(slug, ("article", "challenge"), root=root):
            sidecar = read_sidecar(path)
            expected = expected_of(parse_fixture(path, spider))
            old = sidecar.get("expected")
            if old == expected:
                continue
            changed += 1
            fields = sorted(k for k in set(old or {}) | set(expected) if (old or {}).get(k) != expected.get(k))
            print(f"{'differs' if args.check else 'rewrote'} {path.relative_to(root)}: {', '.join(fields)}")
            if not args.check:
                sidecar["expected"] = expected
                write_sidecar(path, sidecar)
    if not changed:
        print("every expected block matches the parser")
    elif not args.check:
        print(f"{changed} sidecar(s) rewritten: review with git diff before committing")
    return 1 if (changed and args.check) else 0
