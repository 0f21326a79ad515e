"""Fixture pages as data: read a sidecar, build the Scrapy response, compute ``expected``.

A fixture is a page file plus a ``.json`` sidecar (``tests/fixtures/README.md``). The same
functions serve the tests (``tests/helpers.file_response``), ``csto fixtures regen`` (rewrite
``expected`` from the current parser, for review) and ``csto fixtures record`` (save real
pages when a network is available).
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from csto_crawler import PROJECT_ROOT
from csto_crawler.items import ArticleItem, FetchRecord

__all__ = [
    "EXPECTED_EXCLUDED",
    "FIXTURES_DIR",
    "body_file",
    "expected_of",
    "fixture_name",
    "fixture_response",
    "parse_fixture",
    "read_sidecar",
    "sidecar_paths",
    "write_sidecar",
]

#: Where fixtures live: ``tests/fixtures/<slug>/``.
FIXTURES_DIR = PROJECT_ROOT / "tests" / "fixtures"
#: Item fields that are not the parser's (pipelines fill them), so not in ``expected``.
EXPECTED_EXCLUDED = ("content_hash", "short_hash", "capture_id")


def read_sidecar(path: str | Path) -> dict:
    """The sidecar JSON of a fixture."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_sidecar(path: str | Path, data: dict) -> None:
    """Write a sidecar the way the convention says: sorted keys, UTF-8, not ASCII-escaped."""
    Path(path).write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n", encoding="utf-8")


def body_file(sidecar_path: str | Path) -> Path | None:
    """The page file next to a sidecar (same stem, another single extension; a JSON body is
    ``<stem>.body.json``, as the sidecar owns ``<stem>.json``), or None."""
    sidecar_path = Path(sidecar_path)
    stem = sidecar_path.name[: -len(".json")]
    json_body = sidecar_path.with_name(stem + ".body.json")
    if json_body.is_file():
        return json_body
    for candidate in sorted(sidecar_path.parent.glob(glob_escape(stem) + ".*")):
        rest = candidate.name[len(stem) + 1:]
        if candidate != sidecar_path and rest and "." not in rest:
            return candidate
    return None


def glob_escape(text: str) -> str:
    """``text`` with glob metacharacters escaped."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def sidecar_paths(slug: str | None = None, kinds: tuple[str, ...] = (), root: Path = FIXTURES_DIR) -> list[Path]:
    """Page sidecars under ``root/<slug>/`` (every folder when None), optionally of some kinds."""
    folders = [root / slug] if slug else sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    found = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            try:
                data = read_sidecar(path)
            except (OSError, json.JSONDecodeError):
                continue
            if isinstance(data, dict) and isinstance(data.get("url"), str) and (not kinds or data.get("kind") in kinds):
                found.append(path)
    return found


def fixture_response(sidecar_path: str | Path, meta: dict | None = None, callback=None) -> Response:
    """The Scrapy response a spider gets for a fixture page: right class, real URL, status, headers."""
    sidecar = read_sidecar(sidecar_path)
    page = body_file(sidecar_path)
    body = page.read_bytes() if page else b""
    headers = Headers(sidecar.get("headers") or {})
    if sidecar.get("content_type"):
        headers["Content-Type"] = sidecar["content_type"]
    url = sidecar["url"]
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    request = Request(url, meta=dict(meta or {}), callback=callback)
    return cls(url=url, status=int(sidecar.get("status") or 200), headers=headers, body=body, request=request)


def parse_fixture(sidecar_path: str | Path, spider) -> ArticleItem | FetchRecord | None:
    """What ``spider.parse_article`` yields for a fixture page (its first item)."""
    for result in spider.parse_article(fixture_response(sidecar_path)):
        if isinstance(result, ArticleItem | FetchRecord):
            return result
    return None


def expected_of(result: ArticleItem | FetchRecord | None) -> dict:
    """The ``expected`` block for a parse result: every parser field of an article, or the
    outcome and detail of a fetch record."""
    if result is None:
        return {}
    if isinstance(result, FetchRecord):
        return {"outcome": result.outcome, "detail": result.detail}
    data = dataclasses.asdict(result)
    return {k: v for k, v in data.items() if k not in EXPECTED_EXCLUDED}


def fixture_name(url: str, kind: str, language: str | None, day: str) -> str:
    """A file stem for a recorded page: ``<lang>_<kind>_<day>_<last path segment>``."""
    segment = [s for s in re.split(r"[/?&=]+", url.split("://", 1)[-1]) if s][-1] if "/" in url.split("://", 1)[-1] else "home"
    segment = re.sub(r"[^A-Za-z0-9-]+", "-", segment).strip("-")[:40] or "page"
    return f"{language or 'xx'}_{kind}_{day}_{segment}"
