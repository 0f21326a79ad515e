"""Entry points: where a site's articles are discovered, from its module and from ``seeds/``.

A site module declares its feeds, listings, sitemaps and search pages per language edition
(class attributes of ``NewsSpider``); operators add more without code in the YAML file named
by ``CSTO_ENTRY_POINTS`` (``seeds/entry_points.yml``), keyed by site slug::

    akorda:
      feeds:
        en: [https://www.akorda.kz/en/rss]
      listings:
        ru: ["https://www.akorda.kz/ru/addresses?page={page}"]
      urls:
        - https://www.akorda.kz/ru/some-article-123456

Keys: ``feeds``, ``listings`` (a ``{page}`` in the URL pages through it), ``sitemaps``,
``search`` (a ``{query}`` in the URL is filled with each of the site's search terms), each
mapping a language code to URLs; ``urls`` lists article URLs fetched on every run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["ENTRY_KINDS", "EntryPoint", "SeedEntries", "entry_points_from", "load_seed_entries"]

logger = logging.getLogger(__name__)

#: The kinds of entry points, in the order a crawl starts them.
ENTRY_KINDS = ("feeds", "sitemaps", "listings", "search")


@dataclass(frozen=True)
class EntryPoint:
    """One place articles are discovered from."""

    kind: str  #: one of ``ENTRY_KINDS``
    url: str  #: may hold ``{page}`` (listings, search) or ``{query}`` (search)
    language: str | None = None  #: the language edition it lists, when known


@dataclass(frozen=True)
class SeedEntries:
    """What ``seeds/`` adds to one site: entry points and article URLs."""

    entry_points: tuple[EntryPoint, ...] = ()
    urls: tuple[str, ...] = ()


def entry_points_from(kind: str, by_language: Mapping[str, Sequence[str] | str]) -> list[EntryPoint]:
    """``EntryPoint``s of one kind from a ``{language: [url, …]}`` mapping."""
    points = []
    for language, urls in by_language.items():
        for url in [urls] if isinstance(urls, str) else urls:
            points.append(EntryPoint(kind, str(url), str(language) if language else None))
    return points


def load_seed_entries(path: str | Path | None, slug: str, languages: Iterable[str] = ()) -> SeedEntries:
    """The entries ``seeds/entry_points.yml`` declares for ``slug`` (empty when none).

    Raises ValueError naming the file and the problem when the entry is malformed.
    """
    if not path or not Path(path).is_file():
        return SeedEntries()
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of site slugs, got {type(data).__name__}")
    entry = data.get(slug)
    if not entry:
        return SeedEntries()
    if not isinstance(entry, dict):
        raise ValueError(f"{path}: {slug}: expected a mapping with {', '.join(ENTRY_KINDS)} or urls")
    unknown = set(entry) - set(ENTRY_KINDS) - {"urls"}
    if unknown:
        raise ValueError(f"{path}: {slug}: unknown keys {sorted(unknown)}; expected {', '.join(ENTRY_KINDS)} or urls")
    known_languages = set(languages)
    points: list[EntryPoint] = []
    for kind in ENTRY_KINDS:
        by_language = entry.get(kind) or {}
        if not isinstance(by_language, dict):
            raise ValueError(f"{path}: {slug}.{kind}: expected a mapping of language code to URLs")
        bad = set(map(str, by_language)) - known_languages if known_languages else set()
        if bad:
            raise ValueError(f"{path}: {slug}.{kind}: unknown language(s) {sorted(bad)}; the site has {sorted(known_languages)}")
        points.extend(entry_points_from(kind, by_language))
    urls = entry.get("urls") or []
    if isinstance(urls, str) or not isinstance(urls, list):
        raise ValueError(f"{path}: {slug}.urls: expected a list of article URLs")
    logger.debug("Seeds add %d entry points and %d URLs to %s", len(points), len(urls), slug)
    return SeedEntries(tuple(points), tuple(str(u) for u in urls))
