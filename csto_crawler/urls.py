"""Canonical URLs and the loopback-mirror URL mapping.

A document is named by its canonical URL: the page's ``<link rel=canonical>`` when it points
to the same site, else the fetched URL cleaned of what does not change the document:

* tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``yclid`` … as known to courlan,
  plus the few listed in ``EXTRA_TRACKING_PARAMS``);
* cache busters (``clear_cache=Y`` …, ``CACHE_BUSTERS``) and the fragment;
* the query sorted, host lower-cased, default port dropped (courlan);
* host aliases a site declares (``mirror.akorda.kz`` → ``www.akorda.kz``), and optionally
  the scheme the site is served with.

The parsing is courlan's and w3lib's; this module only decides what to keep. Nothing here
names a site: aliases and schemes come from the site module.

The mirror mapping (``to_mirror``/``from_mirror``) is the one shape the loopback mirror
serves: ``https://HOST/PATH?QUERY`` ↔ ``<mirror>/HOST/PATH?QUERY``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan import normalize_url
from w3lib.url import safe_url_string

__all__ = [
    "CACHE_BUSTERS",
    "EXTRA_TRACKING_PARAMS",
    "canonical_url",
    "canonicalize",
    "from_mirror",
    "host_of",
    "on_site",
    "to_mirror",
]

#: Query parameters that only defeat caches; the document is the same without them.
CACHE_BUSTERS = frozenset({"clear_cache", "nocache", "no_cache", "cachebuster", "_"})

#: Tracking parameters courlan's list does not cover (matched case-insensitively, whole name).
EXTRA_TRACKING_PARAMS = re.compile(r"^(?:_openstat|from|_ga|_gl|yclid|ysclid|etext|spm|share)$", re.I)


def host_of(url: str) -> str:
    """The lower-cased host name of a URL ('' when it has none)."""
    return (urlsplit(url).hostname or "").lower()


def _domain_matches(host: str, domain: str) -> bool:
    domain = domain.lower()
    return host == domain or host.endswith("." + domain)


def on_site(url: str, domains: Iterable[str]) -> bool:
    """Whether the URL's host is one of the domains or a subdomain of one."""
    host = host_of(url)
    return bool(host) and any(_domain_matches(host, d) for d in domains)


def _clean_query(query: str) -> str:
    pairs = [
        (key, value)
        for key, value in parse_qsl(query, keep_blank_values=True)
        if key.lower() not in CACHE_BUSTERS and not EXTRA_TRACKING_PARAMS.match(key)
    ]
    return urlencode(pairs)


def canonicalize(
    url: str,
    *,
    host_aliases: Mapping[str, str] | None = None,
    scheme: str | None = None,
) -> str:
    """The URL without trackers, cache busters and fragment, with the site's canonical host.

    ``host_aliases`` maps alias hosts to the canonical host (lower case); ``scheme``, when
    given, replaces the URL's scheme (a site served over https only).
    """
    parts = urlsplit(safe_url_string(url.strip()))
    host = (parts.hostname or "").lower()
    netloc = parts.netloc.lower()
    if host_aliases and host in host_aliases:
        netloc = netloc.replace(host, host_aliases[host].lower(), 1)
    parts = parts._replace(
        scheme=(scheme or parts.scheme).lower(),
        netloc=netloc,
        query=_clean_query(parts.query),
        fragment="",
    )
    # courlan: lower-cased host, default port dropped, dot segments resolved, trackers removed.
    return normalize_url(urlunsplit(parts), strict=False)


def canonical_url(
    url: str,
    declared: str | None = None,
    *,
    domains: Iterable[str] = (),
    host_aliases: Mapping[str, str] | None = None,
    scheme: str | None = None,
) -> str:
    """The canonical URL of a page fetched at ``url``.

    ``declared`` is the page's ``<link rel=canonical>`` (relative or absolute); it is used
    when it points to the same site (one of ``domains``, aliases included), else ignored.
    """
    domains = list(domains)
    if declared and declared.strip():
        absolute = urljoin(url, declared.strip())
        host = host_of(absolute)
        if host and urlsplit(absolute).scheme in ("http", "https"):
            alias_target = (host_aliases or {}).get(host, host)
            if not domains or on_site(f"//{alias_target}/", domains) or on_site(absolute, domains):
                return canonicalize(absolute, host_aliases=host_aliases, scheme=scheme)
    return canonicalize(url, host_aliases=host_aliases, scheme=scheme)


def to_mirror(url: str, mirror: str) -> str:
    """``https://HOST/PATH?QUERY`` as served by the mirror: ``<mirror>/HOST/PATH?QUERY``."""
    parts = urlsplit(url)
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{mirror.rstrip('/')}/{parts.netloc}{path}{query}"


def from_mirror(url: str, mirror: str, scheme: str = "https") -> str | None:
    """The original URL of a mirror URL (None when ``url`` is not under the mirror).

    The mirror does not keep the scheme; the caller passes the one of the original request.
    """
    prefix = mirror.rstrip("/") + "/"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix):]
    netloc, slash, tail = rest.partition("/")
    if not netloc:
        return None
    return f"{scheme}://{netloc}{slash or '/'}{tail}"
