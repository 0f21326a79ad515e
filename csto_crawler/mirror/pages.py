"""Pages of the offline sample web, and how they are loaded from the test fixtures.

Every fixture sidecar ``tests/fixtures/**/<name>.json`` that has a ``url`` names one page; its
body is the sibling file with the same stem and any other extension (``<name>.html``,
``.xml``, ``.txt`` …; a JSON body is ``<name>.body.json``, as the sidecar owns ``<name>.json``). The sidecar says how the page is served (``status``, ``content_type``,
``headers``). A redirect (3xx) or an error page may have no body file.

A page is addressed by its *key*: ``host/path?query`` of its real URL, host lower-cased,
path and query percent-decoded, so ``/ru/Минск`` and ``/ru/%D0%9C%D0%B8%D0%BD%D1%81%D0%BA``
are one page. The mirror serves it at ``http://127.0.0.1:PORT/<key>``.

Pages are immutable values; the site tree replaces a page to change it.
"""

from __future__ import annotations

import dataclasses
import email.utils
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = [
    "EPOCH",
    "Page",
    "charset_of",
    "default_robots",
    "http_date",
    "load_fixture_pages",
    "split_url",
]

logger = logging.getLogger(__name__)

#: Last-Modified of every fixture page whose sidecar gives none: fixed, so every run serves
#: the same validators. A mutation moves a page's Last-Modified forward from it.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

_DEFAULT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}
#: The body file of a JSON page (``api.json`` is the sidecar, ``api.body.json`` the body).
_JSON_BODY = ".body.json"
_FEED_TYPE = "application/rss+xml; charset=utf-8"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.I)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
#: Sidecar headers the server computes itself (a sidecar Last-Modified sets the base time).
_COMPUTED_HEADERS = {"content-type", "content-length", "etag", "last-modified",
                     "content-encoding", "transfer-encoding", "connection", "date"}


def split_url(url: str) -> tuple[str, str]:
    """``(scheme, key)`` of a real URL: ``https://Host/a%20b?q=1`` → ``("https", "host/a b?q=1")``."""
    parts = urlsplit(url.strip())
    if not parts.netloc:
        raise ValueError(f"not an absolute URL: {url!r}")
    path = unquote(parts.path or "/")
    query = unquote(parts.query)
    return (parts.scheme or "https").lower(), parts.netloc.lower() + path + (f"?{query}" if query else "")


def http_date(moment: datetime) -> str:
    """An HTTP date (``Thu, 01 Jan 2026 00:00:00 GMT``)."""
    return email.utils.format_datetime(moment.astimezone(UTC), usegmt=True)


def charset_of(content_type: str, body: bytes = b"") -> str:
    """The charset a page is encoded in: its Content-Type's, else a ``<meta charset>``, else UTF-8."""
    match = _CHARSET.search(content_type or "")
    if match:
        return match.group(1).lower()
    match = _META_CHARSET.search(body[:4096])
    if match:
        return match.group(1).decode("ascii").lower()
    return "utf-8"


@dataclass(frozen=True)
class Page:
    """One page as the mirror serves it."""

    url: str  #: the real URL
    kind: str  #: the sidecar's kind (``article``, ``feed``, ``listing``, ``robots`` …)
    status: int
    content_type: str
    body: bytes
    #: extra response headers from the sidecar (``Location`` of a redirect …), in order
    headers: tuple[tuple[str, str], ...] = ()
    #: Last-Modified before any mutation (from the sidecar, else ``EPOCH``)
    base_modified: datetime = EPOCH
    #: how many times a mutation changed this page (moves Last-Modified forward)
    generation: int = 0
    #: where the page came from (a fixture path, or what made it)
    source: str = ""
    #: the sidecar (``expected`` fields tell a template its title, text and date)
    sidecar: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)
    #: the HTTP method it answers (``GET`` also answers HEAD; a ``POST`` page only POST)
    method: str = "GET"

    @property
    def slot(self) -> tuple[str, str]:
        """Where the tree keeps it: ``(scheme, key)``, a POST page's key prefixed ``POST ``."""
        return (self.scheme, self.key if self.method == "GET" else f"{self.method} {self.key}")

    @property
    def scheme(self) -> str:
        return split_url(self.url)[0]

    @property
    def key(self) -> str:
        return split_url(self.url)[1]

    @property
    def host(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def charset(self) -> str:
        return charset_of(self.content_type, self.body)

    @property
    def etag(self) -> str:
        """A strong ETag: a hash of the body (identical bodies, identical tags)."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'

    @property
    def last_modified(self) -> datetime:
        return self.base_modified + timedelta(minutes=self.generation)

    def text(self) -> str:
        """The body decoded with the page's charset."""
        return self.body.decode(self.charset, errors="replace")

    def with_text(self, text: str, *, bump: int) -> Page:
        """A copy with a new body (encoded in the page's own charset) at generation ``bump``."""
        body = text.encode(self.charset, errors="xmlcharrefreplace")
        return dataclasses.replace(self, body=body, generation=bump)


def _content_type(sidecar: dict, body_path: Path | None) -> str:
    declared = sidecar.get("content_type")
    if declared:
        return str(declared)
    suffix = body_path.suffix.lower() if body_path else ".html"
    if sidecar.get("kind") in ("feed",) and suffix == ".xml":
        return _FEED_TYPE
    return _DEFAULT_TYPES.get(suffix, "application/octet-stream")


def _base_modified(headers: dict) -> datetime:
    for name, value in headers.items():
        if name.lower() == "last-modified":
            try:
                return email.utils.parsedate_to_datetime(str(value)).astimezone(UTC)
            except (TypeError, ValueError):
                logger.warning("unparsable Last-Modified %r in a fixture sidecar; using the epoch", value)
    return EPOCH


def _body_file(sidecar_path: Path) -> Path | None:
    """``<stem>.<ext>`` next to ``<stem>.json``; a JSON body is ``<stem>.body.json``."""
    stem = sidecar_path.name[: -len(".json")]
    candidates = sorted(
        p for p in sidecar_path.parent.iterdir()
        if p.is_file() and p != sidecar_path and p.name.startswith(stem + ".")
        and ("." not in p.name[len(stem) + 1:] or p.name == f"{stem}{_JSON_BODY}")
    )
    if len(candidates) > 1:
        logger.warning("fixture %s has several bodies %s; serving %s", sidecar_path,
                       [p.name for p in candidates], candidates[0].name)
    return candidates[0] if candidates else None


def page_from_sidecar(sidecar_path: Path, root: Path | None = None) -> Page | None:
    """The page a sidecar describes, or None when the file is not a page sidecar."""
    try:
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        logger.warning("skipping unreadable fixture sidecar %s: %s", sidecar_path, exc)
        return None
    if not isinstance(sidecar, dict) or not isinstance(sidecar.get("url"), str):
        return None
    url = sidecar["url"]
    if urlsplit(url).scheme not in ("http", "https"):
        logger.warning("skipping fixture %s: url %r is not http(s)", sidecar_path, url)
        return None
    status = int(sidecar.get("status") or 200)
    body_path = _body_file(sidecar_path)
    if body_path is None and status < 300:
        logger.warning("skipping fixture %s: no page file next to it", sidecar_path)
        return None
    headers = sidecar.get("headers") or {}
    body = body_path.read_bytes() if body_path else b""
    shown = sidecar_path.relative_to(root) if root else sidecar_path
    return Page(
        url=url,
        kind=str(sidecar.get("kind") or "other"),
        status=status,
        content_type=_content_type(sidecar, body_path),
        body=body,
        headers=tuple((str(k), str(v)) for k, v in headers.items()
                      if str(k).lower() not in _COMPUTED_HEADERS),
        base_modified=_base_modified(headers),
        source=str(body_path.relative_to(root) if (root and body_path) else shown),
        sidecar=sidecar,
        method=str(sidecar.get("method") or "GET").upper(),
    )


def load_fixture_pages(fixtures_dir: str | Path) -> dict[tuple[str, str], Page]:
    """Every page of the fixtures folder by ``(scheme, key)``.

    When two fixtures share a URL (an old and a new layout side by side), the one whose path
    sorts last (the newest dated file name) is served.
    """
    root = Path(fixtures_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"fixtures folder not found: {root}")
    pages: dict[tuple[str, str], Page] = {}
    for sidecar_path in sorted(root.rglob("*.json")):
        if sidecar_path.name.endswith(_JSON_BODY):
            continue
        page = page_from_sidecar(sidecar_path, root)
        if page is None:
            continue
        slot = page.slot
        if slot in pages:
            logger.info("%s and %s have the same URL; serving %s", pages[slot].source,
                        page.source, page.source)
        pages[slot] = page
    logger.info("mirror: %d fixture pages on %d hosts from %s", len(pages),
                len({p.host for p in pages.values()}), root)
    return pages


def default_robots(host: str, pages: list[Page]) -> Page:
    """The robots.txt of a host that has no robots fixture: allow all, list its sitemaps (not a
    dated one answering ``any_value``: its own URL is only one of the dates it stands for)."""
    lines = ["# Served by the csto-archive offline mirror (no robots.txt fixture for this host).",
             "User-agent: *", "Allow: /", ""]
    sitemaps = sorted(p.url for p in pages if p.kind == "sitemap" and p.status == 200
                      and not (p.sidecar or {}).get("any_value"))
    lines += [f"Sitemap: {url}" for url in sitemaps]
    body = ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")
    return Page(url=f"https://{host}/robots.txt", kind="robots", status=200,
                content_type="text/plain; charset=utf-8", body=body, source="default robots.txt")
