"""The spider arguments every site supports (``-a urls=``, ``-a since=``, ``-a lang=``), checked.

A bad value raises ``SpiderArgumentError`` with one line saying what is wrong; ``scrapy crawl``
(``csto_crawler.scrapy_commands.crawl``) checks the arguments before the crawl starts, prints
that line and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from scrapy.exceptions import UsageError

from csto_crawler.urls import on_site

__all__ = ["SpiderArgumentError", "SpiderArguments"]


class SpiderArgumentError(UsageError, ValueError):
    """A bad ``-a`` argument: ``scrapy crawl`` prints the message, exit status 2."""


def _items(value: str | Sequence[str]) -> list[str]:
    return [x.strip() for x in (value.split(",") if isinstance(value, str) else value) if x and x.strip()]


@dataclass(frozen=True)
class SpiderArguments:
    """The checked arguments of one site's crawl."""

    langs: tuple[str, ...]
    since: date | None
    urls: tuple[str, ...]

    @classmethod
    def parse(cls, name: str, languages: Sequence[str], domains: Sequence[str], *,
              urls: str | Sequence[str] | None = None, since: str | date | None = None,
              lang: str | Sequence[str] | None = None) -> SpiderArguments:
        """Check the arguments of site ``name``; ``SpiderArgumentError`` says what is wrong."""
        return cls(_langs(name, languages, lang), _since(name, since), _urls(name, domains, urls))


def _langs(name: str, languages: Sequence[str], lang: str | Sequence[str] | None) -> tuple[str, ...]:
    if not lang:
        return tuple(languages)
    wanted = _items(lang)
    unknown = [x for x in wanted if x not in languages]
    if unknown or not wanted:
        raise SpiderArgumentError(f"{name}: -a lang={lang!r}: unknown language edition(s) {unknown}; "
                                  f"this site has {', '.join(languages)}")
    return tuple(wanted)


def _since(name: str, since: str | date | None) -> date | None:
    if since is None or since == "":
        return None
    if isinstance(since, date):
        return since
    try:
        return date.fromisoformat(str(since).strip())
    except ValueError:
        raise SpiderArgumentError(f"{name}: -a since={since!r}: expected a date as YYYY-MM-DD") from None


def _urls(name: str, domains: Sequence[str], urls: str | Sequence[str] | None) -> tuple[str, ...]:
    if not urls:
        return ()
    items = _items(urls)
    bad = [u for u in items if urlsplit(u).scheme not in ("http", "https") or not on_site(u, domains)]
    if bad:
        raise SpiderArgumentError(f"{name}: -a urls: {', '.join(bad)} not an http(s) URL on this site's "
                                  f"domains ({', '.join(domains)})")
    return tuple(items)
