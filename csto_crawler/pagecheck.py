"""Is this response a page at all? Bot challenges, error pages and removed pages, as data.

A response that is not the page asked for must never be archived as an article. ``check``
looks at the HTTP status, a few headers and the start of the body, and says what it is:

* ``gone``: 404/410, the page was removed;
* ``blocked``: the site refused us (401/403/429/451) or served a bot challenge, CAPTCHA or
  JavaScript stub instead of the page (often with status 200);
* ``error``: a server error after the retries, or an error page served with 200 (a "soft
  404": "Страница не найдена", "404 Not Found" …), or not a web page at all (a PDF, an
  image, an archive: ``BINARY_SIGNATURES``, whatever the Content-Type claims).

The patterns below are the whole knowledge; add one when a site shows a new kind of stub.
They are matched case-insensitively against the page's ``<title>`` (``TITLE``) or the first
``HEAD_BYTES`` of the body (``BODY``). Nothing here names a site. Each regex runs only where a
literal it requires is found (ASCII ones in the head's bytes, lower-cased; others in the
casefolded head), and a weak marker is not looked for on a page whose head already holds
``STUB_TEXT_CHARS`` of visible text (it could not block it): the answers are the plain
regexes' (``tests/test_hot_path.py``), at about half the cost.

``check_then_extract`` is what a crawl's extraction workers run (``CSTO_EXTRACT_FUNCTION``):
the check, then the extraction of a page that passed it, so neither costs the reactor thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from csto_crawler.extract import Extraction, SiteRules, extract
from csto_crawler.extract.literals import FOLD_BREAKERS, branches, required_literals

__all__ = [
    "BINARY_SIGNATURES",
    "BLOCK_STATUSES",
    "BODY_CHALLENGES",
    "ERROR_TITLES",
    "GONE_STATUSES",
    "HEADER_CHALLENGES",
    "PageProblem",
    "check",
    "check_then_extract",
    "visible_chars",
]

#: Statuses that mean the page was removed.
GONE_STATUSES = frozenset({404, 410})
#: Statuses that mean the site refused us.
BLOCK_STATUSES = frozenset({401, 403, 429, 451})
#: How much of the body is searched for challenge markers.
HEAD_BYTES = 65536

#: Response headers (lower-case name, value regex) that mark a challenge.
HEADER_CHALLENGES: tuple[tuple[str, str], ...] = (
    ("cf-mitigated", r"challenge"),  # Cloudflare managed challenge
    # DataDome marks the responses it blocked or challenged (1: interstitial, 2: CAPTCHA); its
    # ``X-DataDome: protected`` comes with every page of a protected site, allowed ones too
    ("x-dd-b", r"^\s*[12]\s*$"),
    ("x-sucuri-block", r"."),
)

#: (name, regex, strong) searched in the head of the body: challenge and CAPTCHA stubs. A
#: strong marker always means a challenge; a weak one (a CAPTCHA widget, a "enable
#: JavaScript" notice, which real articles also carry in comment forms and footers) only on
#: a page with less than ``STUB_TEXT_CHARS`` characters of visible text.
BODY_CHALLENGES: tuple[tuple[str, str, bool], ...] = (
    ("JavaScript stub 'Data processing... Please, wait.'", r"Data processing\.{0,3}\s*Please,?\s+wait", True),
    ("bobcmn anti-bot cookie script", r"\bbobcmn\b", True),
    # The challenge page loads its ``…/orchestrate/…`` script and sets ``_cf_chl_opt``; real
    # articles of Cloudflare sites load ``/cdn-cgi/challenge-platform/scripts/jsd/main.js``
    # (its JavaScript detections) and are pages, not challenges.
    ("Cloudflare challenge", r"cdn-cgi/challenge-platform/(?:h/\w+/)?orchestrate/|window\._cf_chl_opt|<title>\s*Just a moment\.\.\.|cf-browser-verification|Attention Required! \| Cloudflare", True),
    # its check page's own script, styles or title; not a link to the vendor (a "protected by" badge)
    ("DDoS-Guard check", r"check\.ddos-guard\.net/|/\.well-known/ddos-guard/(?:js-challenge|ddg-captcha-page|h-captcha)/|<title>\s*DDoS-Guard\s*</title>|Checking your browser before accessing", True),
    ("CAPTCHA page", r"g-recaptcha|hcaptcha\.com|smartcaptcha|captcha\.yandex|captcha-delivery\.com|Please complete the security check|Подтвердите, что (?:вы|запросы отправляли вы)[^<]{0,40}(?:не робот|человек)", False),
    ("cookie/JavaScript check", r"Please enable (?:JavaScript|cookies) (?:and|to) (?:reload|continue)|Для продолжения (?:работы|просмотра) включите JavaScript", False),
    ("access denied page", r"<title>\s*(?:Access denied|Доступ запрещ[её]н|403 Forbidden)", False),
    ("web filter block page 'Web Page Blocked'", r"Web Page Blocked", False),
    ("login wall", r"<input[^<>]+type=[\"']?password|(?:Войдите|Авторизуйтесь|Зарегистрируйтесь),? чтобы (?:продолжить|прочитать|читать)|(?:Sign|Log) in to (?:continue|read)|Subscribe to (?:continue|read)", False),
)
#: (name, leading bytes) of files that are not web pages, recognised by their first bytes.
BINARY_SIGNATURES: tuple[tuple[str, bytes], ...] = (
    ("PDF document", b"%PDF-"),
    ("PNG image", b"\x89PNG\r\n\x1a\n"),
    ("JPEG image", b"\xff\xd8\xff"),
    ("GIF image", b"GIF8"),
    ("WebP image", b"RIFF"),
    ("ZIP archive or office document", b"PK\x03\x04"),
    ("gzip data", b"\x1f\x8b"),
    ("Word 97 document", b"\xd0\xcf\x11\xe0"),
)

#: A page with less visible text than this is a stub, not an article.
STUB_TEXT_CHARS = 1500

#: Regexes of ``<title>``/``<h1>`` texts of error pages served with status 200 (soft 404s).
ERROR_TITLES: tuple[str, ...] = (
    # "404" alone or before punctuation or an error word; not a headline's count ("404 soldiers …")
    r"^\s*(?:Error\s+)?404\s*(?:$|[-–—:|.!,(]|(?:error|page|not found|ошибка|страница)\b)",
    r"\b404 Not Found\b",
    r"\bPage not found\b",
    r"Страница не найдена",
    r"Запрашиваемая страница не (?:найдена|существует)",
    r"Ошибка 404",
    r"Бет табылмады",  # kk
    r"Саҳифа ёфт нашуд",  # tg
    r"Không tìm thấy trang",  # vi
    r"الصفحة غير موجودة",  # ar
    r"صفحه (?:مورد نظر )?(?:یافت نشد|پیدا نشد)",  # fa
    r"^\s*(?:500 )?Internal Server Error\b",
    r"^\s*(?:502 Bad Gateway|503 Service (?:Temporarily )?Unavailable)\b",
)


#: One entry per branch of each challenge pattern, in order: (name, regex, strong, literals).
_BODY_RE = tuple((name, re.compile(branch, re.I), strong, required_literals(branch))
                 for name, rx, strong in BODY_CHALLENGES for branch in branches(rx))
#: Characters that make the literals unreliable (``csto_crawler.extract.literals``).
_FOLD_BREAKERS = FOLD_BREAKERS
#: The non-ASCII characters the regex engine matches case-insensitively with an ASCII one
#: (``ſ`` with ``s``, the Kelvin sign with ``k``, ``ı`` and ``İ`` with ``i``; the tests check
#: every code point). In a head holding none, an ASCII literal of a match is in the head's
#: bytes, lower-cased: no need to casefold the decoded head to look for it.
ASCII_FOLD_BREAKERS = ("\u017f", "\u212a", "\u0131", "\u0130")
#: Where an invisible part of a page begins (its end: ``_INVISIBLE_END``). ASCII case only:
#: Unicode matching would take ``<ſcript`` (long s) for ``<script``, as no browser does.
_INVISIBLE_START = re.compile(r"<(script|style|noscript|template)\b|<!--", re.I | re.A)
_INVISIBLE_END = {name: re.compile(rf"</{name}\s*>", re.I | re.A)
                  for name in ("script", "style", "noscript", "template")}
_COMMENT_END = re.compile("-->")
_ERROR_RE = tuple(re.compile(rx, re.I | re.M) for rx in ERROR_TITLES)
# Bounded, so a page of thousands of unclosed ``<title>`` tags costs linear time, not quadratic
_TITLE_RE = re.compile(rb"<title[^<>]*>(.{0,2000}?)</title\s*>", re.I | re.S)
_H1_RE = re.compile(rb"<h1[^<>]*>(.{0,2000}?)</h1\s*>", re.I | re.S)
_TAG_RE = re.compile(r"<[^<>]+>")


@dataclass(frozen=True)
class PageProblem:
    """What is wrong with a response: a ``fetches.outcome`` and a human-readable detail."""

    outcome: str  #: ``gone``, ``blocked`` or ``error``
    detail: str


def _first_text(regex: re.Pattern[bytes], head: bytes) -> str:
    match = regex.search(head)
    if not match:
        return ""
    text = match.group(1).decode("utf-8", "replace")
    return " ".join(_TAG_RE.sub(" ", text).split())


def visible_chars(text: str, enough: int | None = None) -> int:
    """The non-space characters of ``text`` outside tags, scripts, styles, templates and
    comments; counting stops once it reaches ``enough``. Linear in the text's length, whatever
    the markup: an invisible part left unclosed hides the rest of the page."""
    count, position = 0, 0
    while enough is None or count < enough:
        start = _INVISIBLE_START.search(text, position)
        stop = start.start() if start else len(text)
        count += _visible_in(text, position, stop, None if enough is None else enough - count)
        if start is None:
            break
        end = (_COMMENT_END if start.group(1) is None else _INVISIBLE_END[start.group(1).lower()])
        closed = end.search(text, start.end())
        if closed is None:
            break
        position = closed.end()
    return count


#: Characters of visible markup counted at a time when only ``enough`` of them are wanted.
_VISIBLE_STEP = 4096


def _visible_in(text: str, start: int, stop: int, enough: int | None) -> int:
    """The non-space characters outside tags in ``text[start:stop]`` (no script or comment
    there); with ``enough``, counted a slice at a time until there are that many. A slice ends
    just after a ``>``, which no tag spans (a tag is ``<``, no ``<`` or ``>``, then ``>``), so
    the slices together hold exactly the whole part's tags and text."""
    count = 0
    while start < stop:
        cut = stop
        if enough is not None and stop - start > 2 * _VISIBLE_STEP:
            after = text.find(">", start + _VISIBLE_STEP, stop)
            cut = stop if after < 0 else after + 1
        count += len("".join(_TAG_RE.sub(" ", text[start:cut]).split()))
        if enough is not None and count >= enough:
            break
        start = cut
    return count


@cache
def _ascii_bytes(literals: frozenset[str] | None) -> tuple[bytes, ...] | None:
    """The literals as bytes, when every one is ASCII (searched in the lower-cased head)."""
    if not literals or not all(literal.isascii() for literal in literals):
        return None
    return tuple(literal.encode("ascii") for literal in literals)


def check(status: int, headers: dict[str, str], body: bytes) -> PageProblem | None:
    """The problem with a response, or None when it looks like the page asked for.

    ``headers`` maps lower-case header names to values (first value of each).
    """
    if status in GONE_STATUSES:
        return PageProblem("gone", f"HTTP {status}")
    for name, rx in HEADER_CHALLENGES:
        value = headers.get(name)
        if value is not None and re.search(rx, value, re.I):
            return PageProblem("blocked", f"HTTP {status}, challenge header {name}: {value}")
    head = body[:HEAD_BYTES]
    for name, signature in BINARY_SIGNATURES:
        if head.lstrip(b"\t\r\n ")[: len(signature)] == signature:
            return PageProblem("error", f"HTTP {status}, not a web page: {name} ({headers.get('content-type') or 'no Content-Type'})")
    text = head.decode("utf-8", "replace")
    # The literals decide unless the page holds a character that the regex engine, not
    # casefold, equates with one of theirs.
    prefilter = not any(breaker in text for breaker in _FOLD_BREAKERS)
    in_bytes = prefilter and not any(breaker in text for breaker in ASCII_FOLD_BREAKERS)
    folded: str | None = None  # the head casefolded, for literals not all ASCII
    lowered: bytes | None = None  # the head's bytes lower-cased, for ASCII literals
    head_visible: int | None = None
    visible: int | None = None
    for name, regex, strong, literals in _BODY_RE:
        if not strong:
            # a weak marker blocks a page only when it has little visible text: not this one
            if head_visible is None:
                head_visible = visible_chars(text, STUB_TEXT_CHARS)
            if head_visible >= STUB_TEXT_CHARS:
                continue
        if prefilter and literals is not None:
            ascii_literals = _ascii_bytes(literals) if in_bytes else None
            if ascii_literals is not None:
                if lowered is None:
                    lowered = head.lower()
                if not any(literal in lowered for literal in ascii_literals):
                    continue  # no match possible: skip the slow case-insensitive search
            else:
                if folded is None:
                    folded = text.casefold()
                if not any(literal in folded for literal in literals):
                    continue
        if not regex.search(text):
            continue
        if visible is None:
            visible = head_visible if head_visible is not None else visible_chars(text, STUB_TEXT_CHARS)
            if visible < STUB_TEXT_CHARS and len(body) > HEAD_BYTES:
                # the whole page, not its head: an article may begin after 64 KB of styles or icons
                visible = visible_chars(body.decode("utf-8", "replace"), STUB_TEXT_CHARS)
        if strong or visible < STUB_TEXT_CHARS:
            return PageProblem("blocked", f"HTTP {status}, {name}")
    if status in BLOCK_STATUSES:
        return PageProblem("blocked", f"HTTP {status}")
    if status >= 400:
        return PageProblem("error", f"HTTP {status}")
    for label in (_first_text(_TITLE_RE, head), _first_text(_H1_RE, head)):
        if label and any(rx.search(label) for rx in _ERROR_RE):
            return PageProblem("error", f"HTTP {status}, error page titled {label[:80]!r}")
    return None


def check_then_extract(page: bytes | str, url: str, rules: SiteRules | None = None, *,
                       status: int | None = None, headers: dict[str, str] | None = None,
                       **kwargs) -> PageProblem | Extraction:
    """The page's problem (``check``, when the answer's ``status`` is given), else its
    extraction (``csto_crawler.extract.extract`` with ``kwargs``)."""
    if status is not None:
        body = page if isinstance(page, bytes) else page.encode("utf-8")
        problem = check(status, headers or {}, body)
        if problem is not None:
            return problem
    return extract(page, url, rules, **kwargs)
