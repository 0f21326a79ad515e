"""Layer 4: the text-level cleaner, usable on its own on already-extracted text.

It works on lines (every non-empty line is a paragraph) and removes page furniture using the
rule data in ``csto_crawler.extract.furniture``:

1. anywhere: lines that are furniture wherever they stand (counters, share/print/comment
   prompts, CMS credits, a lone character or number, a line that is only a date);
2. related-article blocks: a heading ("Похожие статьи", "Tin liên quan", …) and the teaser
   lines after it; a closing-list heading ("Другие новости") with the article behind it cuts
   to the end;
3. the head: the title repeated, breadcrumbs, rubric labels, byline/meta lines;
4. the tail: legal/registration footers, copyright and credits; a source credit
   ("Nguồn: vov.vn", "Akorda.kz") is pulled into ``source_credit``.

The steps repeat until nothing changes, so the cleaner is idempotent: cleaning its own
output changes nothing. Light markdown left by naive scrapers (``**bold**``, ``[link](url)``,
list bullets) is unwrapped.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from csto_crawler.extract import furniture
from csto_crawler.extract.dates import is_date_line
from csto_crawler.extract.rules import SiteRules

__all__ = ["CleanedText", "clean_text", "split_lines", "looks_like_body", "is_legal_line"]

logger = logging.getLogger(__name__)

# ZWNJ/ZWJ (U+200C/U+200D) are letters' business in Persian and stay
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff\u00ad]")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^)\s]*)\)")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^(?:[-*•·▪►▸◦]|\d{1,2}[.)](?=\s+\D))\s+(?=\S)")
#: The characters a ``_BULLET`` match can begin with, besides a decimal digit (``\d``).
_BULLET_STARTS = frozenset("-*•·▪►▸◦")
#: Sentence-final punctuation of the scripts we meet (Latin, Cyrillic, Armenian, Arabic, Urdu,
#: Devanagari, Ethiopic, Myanmar, CJK full-width), then any closing quotes or brackets: German
#: closes with “ or ‘, French and Swiss with », Russian with » or “, CJK with 」 or 』.
_CLOSERS = "\"'«»‹›“”„‘’‚)\\]}）」』】〉》"
_TERMINAL = re.compile(rf"[.!?;:։՞؟۔।॥።။。！？．｡][{_CLOSERS}\s]*$")
#: Characters of scripts written without spaces (Han, kana, Hangul): one says about as much as
#: a short word, so a line of them counts three times its length where length is judged.
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_ELLIPSIS = re.compile(rf"(?:\.\.\.|…)[{_CLOSERS}]*$")
_COPYRIGHT_HINT = re.compile(r"©|\(c\)|copyright|\b(?:19|20)\d{2}\b", re.IGNORECASE)
_TITLE_KEY = re.compile(r"[\W_]+", re.UNICODE)


@dataclass
class CleanedText:
    """The cleaned text, the source credit pulled out of it, and the lines removed."""

    text: str
    source_credit: str | None = None
    removed: list[str] = field(default_factory=list)


def split_lines(text: str) -> list[str]:
    """Non-empty, whitespace-normalized lines with light markdown unwrapped."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _ZERO_WIDTH.sub("", text).replace("\xa0", " ")
    lines = []
    for raw in text.split("\n"):
        # str.split() and the regex engine's \s agree on what is whitespace
        line = " ".join(raw.split())
        if not line:
            continue
        # each substitution only where its pattern can match (most lines hold no markdown)
        if "](" in line:
            line = _MD_LINK.sub(r"\1", line)
        if "**" in line or "__" in line:
            line = _MD_BOLD.sub(r"\2", line)
        if line[0] == "#":
            line = _MD_HEADING.sub("", line)
        if line and (line[0] in _BULLET_STARTS or line[0].isdecimal()):
            line = _BULLET.sub("", line)
        line = line.strip()  # a link's text may begin or end with a space
        if line:
            lines.append(line)
    return lines


#: A line longer than this is a paragraph of text, never a legal or copyright footer, whatever
#: words it contains (an article that mentions a registration or "copyright" and a year).
_LEGAL_MAX = 600


def is_legal_line(line: str) -> bool:
    """A media-registration, terms-of-use or similar legal footer line."""
    return len(line) <= _LEGAL_MAX and furniture.LEGAL.found(line)


def looks_like_body(line: str) -> bool:
    """A line that reads like an article paragraph: a long, finished sentence (not a teaser)."""
    if _ELLIPSIS.search(line):
        return False
    length = len(line)
    if 20 <= length < 250 and not line.isascii():
        length += 2 * len(_WIDE.findall(line))
    if length >= 250:
        return True
    return length >= 60 and bool(_TERMINAL.search(line))


def _title_key(text: str) -> str:
    return _TITLE_KEY.sub(" ", text.casefold()).strip()


@lru_cache(maxsize=64)
def _site_patterns(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return furniture.compile_lines(patterns)


class _Cleaner:
    def __init__(self, lines: list[str], title: str | None, rules: SiteRules | None) -> None:
        self.lines = lines
        self.title_key = _title_key(title) if title else None
        self.site_re = _site_patterns(tuple(rules.furniture)) if rules and rules.furniture else None
        self.removed: list[str] = []
        self.credit: str | None = None
        self.verdicts: dict[str, bool] = {}

    # -- classification -------------------------------------------------------------------
    def anywhere(self, line: str) -> bool:
        known = self.verdicts.get(line)
        if known is None:  # a page repeats its counters and dates by the thousand: judge each once
            known = bool(is_date_line(line) or furniture.LINE_RE.match(line)
                         or (self.site_re and self.site_re.match(line)))
            self.verdicts[line] = known
        return known

    def tail_furniture(self, line: str) -> bool:
        if self.anywhere(line) or is_legal_line(line):
            return True
        if len(line) <= _LEGAL_MAX and furniture.COPYRIGHT.found(line):
            return len(line) <= 80 or bool(_COPYRIGHT_HINT.search(line))
        return False

    def is_title(self, line: str) -> bool:
        return bool(self.title_key) and _title_key(line) == self.title_key

    # -- steps ------------------------------------------------------------------------------
    def drop(self, start: int, stop: int) -> None:
        self.removed.extend(self.lines[start:stop])
        del self.lines[start:stop]

    def step_anywhere(self) -> bool:
        keep = []
        for line in self.lines:
            if self.anywhere(line):
                self.removed.append(line)
            else:
                keep.append(line)
        changed = len(keep) != len(self.lines)
        self.lines = keep
        return changed

    def step_related(self) -> bool:
        lines = self.lines
        for i, line in enumerate(lines):
            if furniture.RELATED_INLINE_RE.match(line) and len(line) < 250 and not looks_like_body(line):
                self.drop(i, i + 1)
                return True
            if not furniture.RELATED_RE.match(line):
                continue
            j = i + 1
            while j < len(lines) and (not looks_like_body(lines[j]) or self.tail_furniture(lines[j])):
                j += 1
            if j < len(lines) and furniture.TAIL_ONLY_HEADINGS.match(line):
                before = sum(len(x) for x in lines[:i] if looks_like_body(x))
                after = sum(len(x) for x in lines[j:] if looks_like_body(x))
                if before >= after:
                    j = len(lines)
            self.drop(i, j)
            return True
        return False

    def step_head(self) -> bool:
        changed = False
        while self.lines:
            first = self.lines[0]
            if (
                self.is_title(first)
                or furniture.HEAD_RE.match(first)
                or (self.title_key is None and len(self.lines) > 1 and first == self.lines[1] and len(first) < 250)
            ):
                self.drop(0, 1)
                changed = True
            else:
                break
        return changed

    def step_tail(self) -> bool:
        changed = False
        while self.lines:
            last = self.lines[-1]
            credit = furniture.SOURCE_CREDIT_RE.match(last) or furniture.SITE_SIGNATURE_RE.match(last)
            if credit and len(self.lines) > 1:
                if self.credit is None:
                    self.credit = credit.group("credit").strip()
                self.drop(len(self.lines) - 1, len(self.lines))
                changed = True
            elif self.tail_furniture(last) or self.is_title(last):
                self.drop(len(self.lines) - 1, len(self.lines))
                changed = True
            else:
                break
        return changed

    def run(self) -> None:
        for _ in range(50):
            changed = self.step_anywhere()
            while self.step_related():
                changed = True
            changed = self.step_head() or changed
            changed = self.step_tail() or changed
            if not changed:
                return
        logger.debug("text cleaner did not settle after 50 rounds")


def clean_text(text: str, *, title: str | None = None, rules: SiteRules | None = None) -> CleanedText:
    """Remove page furniture from extracted text (see the module docstring).

    ``title`` lets the cleaner drop the headline repeated in the body; ``rules`` adds the
    site's own furniture patterns (``SiteRules.furniture``).
    """
    cleaner = _Cleaner(split_lines(text or ""), title, rules)
    cleaner.run()
    if cleaner.removed:
        logger.debug("cleaner removed %d lines; first: %r", len(cleaner.removed), cleaner.removed[0][:60])
    return CleanedText(text="\n\n".join(cleaner.lines), source_credit=cleaner.credit, removed=cleaner.removed)
