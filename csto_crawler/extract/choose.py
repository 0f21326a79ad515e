"""Stage 3: choose the article's paragraphs from the candidates, by agreement between them.

Two generic extractors that look at a page differently (trafilatura's tree heuristics and
jusText's per-block stopword and link-density classifier) agree on the article and disagree on
its edges. The choice works on paragraphs, matched between candidates by shared word 3-grams:

* site rules that yield an article win (their fixtures prove them);
* when the main candidate is a fragment of the second one (all of it agreed, and the second
  adds more text than the fragment holds), the second one is the article;
* when the two share no paragraph: the one that reads as prose when the other reads as a list
  (headlines, poll options); else the one that shares more of the page's headline words (the
  other read a teaser box or a footer); else the one with much more body text;
* when the main candidate is mostly lines that are not sentences (headline lists, date stamps,
  footers) and the second one is mostly finished sentences, the second one is the article;
* otherwise the main candidate's paragraphs between the first and the last agreed paragraph
  stay, and an unagreed run at either edge stays only if it reads as body text (finished
  sentences) and is not mostly link text or lines opening with a numeric date/time stamp: a
  list of teasers, dates or headlines goes.

Nothing here names a site; the features are the candidates' own text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from csto_crawler.extract import furniture
from csto_crawler.extract.textclean import is_legal_line, looks_like_body

__all__ = ["Candidate", "choose", "agreement", "near_empty", "rescues", "word_count", "DECLARED"]

logger = logging.getLogger(__name__)

#: A word; a Han or kana character is one (those scripts put no space between words).
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|\w+", re.UNICODE)
_N = 3
#: A paragraph is agreed when this share of its 3-grams is in the other candidate.
_SUPPORT = 0.5
#: Share of an unagreed edge run's characters that must read as body text for the run to stay.
_EDGE_BODY = 0.5
#: An unagreed edge run whose blocks are on average more link text than this is a teaser list.
_EDGE_LINKS = 0.3
#: A paragraph at least this much link text divides a head run into parts (``_lead_segments``).
_SEGMENT_LINKS = 0.5
#: A line that opens with a numeric date or time stamp ("2012-01-17 18:00:34 Headline."): a
#: dated teaser, when most lines of an edge run are such.
_STAMPED = re.compile(r"^\d[\d.:/\- ]{6,}\s")
#: One unagreed edge line shorter than this is left to the text cleaner.
_SHORT_LINE = 150
#: The second candidate replaces a main candidate wholly inside it when it adds more than this
#: many times the main candidate's own length.
_FRAGMENT_GROWTH = 1.0
#: The main candidate counts as "wholly inside" when this share of its words is agreed.
_FRAGMENT_COVERED = 0.95
#: Share of a candidate's characters in body-like paragraphs (``looks_like_body``) below which
#: the main candidate reads as a list, and at or above which the second one reads as prose.
_LISTLIKE = 0.5
_PROSE = 0.8
#: Of two readings that share nothing and as much of the headline, the second wins when it
#: has more than this many times the main one's body-like characters.
_DISJOINT_GROWTH = 2.0
#: Headline words shorter than this (articles, prepositions) are not compared.
_HEADLINE_WORD = 4
#: Headline words are compared by their first letters, so inflected forms match
#: ("паллиативное" / "паллиативной", "election" / "elections").
_STEM = 5
#: Site rules give way only when they yield fewer words than this.
_SITE_MIN_WORDS = 40
#: The name of the reading the page declares itself (JSON-LD ``articleBody``).
DECLARED = "declared"
#: A chosen reading shorter than this (words) is near-empty: a longer declared body replaces it.
_NEAR_EMPTY = 40
#: The declared body replaces a reading wholly inside it when it holds this many times its words.
_DECLARED_GROWTH = 1.2


@dataclass(frozen=True)
class Candidate:
    """One extractor's reading of the page: its name and its paragraphs in page order."""

    name: str
    paragraphs: tuple[str, ...]
    #: link density of the page's blocks by whitespace-normalized text, where the reader knows it
    link_density: dict[str, float] = field(default_factory=dict, compare=False)
    #: the page's headline (its first ``<h1>``, else its ``<title>``), where the reader knows it
    headline: str = field(default="", compare=False)

    @cached_property
    def words(self) -> int:
        return sum(len(_tokens(p)) for p in self.paragraphs)


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """The casefolded words of a paragraph (cached: the choice reads each paragraph several
    times, from both sides)."""
    return tuple(w.casefold() for w in _WORD.findall(text))


def _grams(tokens) -> list[tuple[str, ...]]:
    if len(tokens) < _N:
        return [tuple(tokens)] if tokens else []
    return [tuple(tokens[i:i + _N]) for i in range(len(tokens) - _N + 1)]


class _Index:
    """The 3-grams (and whole short paragraphs) of a candidate, for support look-ups."""

    def __init__(self, paragraphs) -> None:
        self.grams: set[tuple[str, ...]] = set()
        for paragraph in paragraphs:
            tokens = _tokens(paragraph)
            self.grams.update(_grams(tokens))
            if len(tokens) < _N:
                self.grams.add(tuple(tokens))

    def supports(self, paragraph: str) -> bool:
        grams = _grams(_tokens(paragraph))
        if not grams:
            return False
        return sum(g in self.grams for g in grams) >= _SUPPORT * len(grams)


def agreement(main: Candidate, other: Candidate) -> list[bool]:
    """For each paragraph of ``main``: whether ``other`` holds it too."""
    index = _Index(other.paragraphs)
    return [index.supports(p) for p in main.paragraphs]


def _covered_words(candidate: Candidate, agreed: list[bool]) -> int:
    return sum(len(_tokens(p)) for p, ok in zip(candidate.paragraphs, agreed, strict=True) if ok)


def _lies_inside(inner: Candidate, outer: Candidate) -> bool:
    """Whether ``outer`` holds (nearly) all of ``inner``'s words (``_FRAGMENT_COVERED``)."""
    return _covered_words(inner, agreement(inner, outer)) >= _FRAGMENT_COVERED * inner.words


def _bodylike(run) -> bool:
    """Whether an unagreed edge run stays: most of its text (furniture and legal lines aside,
    which the text cleaner drops anyway) reads as body text and it is not mostly dated
    teasers, or it is one short line (a caption, a byline: the text cleaner judges those)."""
    if len(run) == 1 and len(run[0]) < _SHORT_LINE:
        return True
    if len(run) > 1 and 2 * sum(1 for p in run if _STAMPED.match(p)) > len(run):
        return False
    return _reads_as_body(run, empty=True)


def _reads_as_body(run, empty: bool = False) -> bool:
    """Whether most of a run's text, furniture and legal lines aside, is finished sentences
    (``empty``: the answer for a run that is all furniture)."""
    run = [p for p in run if not furniture.LINE_RE.match(p) and not furniture.RELATED_INLINE_RE.match(p)
           and not is_legal_line(p)]
    total = sum(map(len, run))
    if not total:
        return empty
    return sum(len(p) for p in run if looks_like_body(p)) >= _EDGE_BODY * total


def _body_share(candidate: Candidate) -> float:
    """Share of the candidate's characters that are in body-like paragraphs."""
    total = sum(map(len, candidate.paragraphs))
    return sum(len(p) for p in candidate.paragraphs if looks_like_body(p)) / total if total else 0.0


def _headline_share(candidate: Candidate, headline: str) -> float:
    """Share of the headline's longer words (4+ letters) that occur in the candidate."""
    wanted = {w[:_STEM] for w in _tokens(headline) if len(w) >= _HEADLINE_WORD}
    if not wanted:
        return 0.0
    return len(wanted & {w[:_STEM] for w in _tokens(" ".join(candidate.paragraphs))}) / len(wanted)


def _linky(run, densities: dict[str, float]) -> bool:
    """Whether a run of several paragraphs is mostly link text (a list of teasers), the
    paragraphs weighted by their length (a "read also" link beside a lead is not a list)."""
    known = [(densities[key], len(key)) for key in (" ".join(p.split()) for p in run) if key in densities]
    size = sum(length for _, length in known)
    return len(run) > 1 and size > 0 and sum(d * length for d, length in known) / size > _EDGE_LINKS


def _islands(agreed: list[bool]) -> list[tuple[int, int]]:
    """The runs of agreed paragraphs, as (first, last) indexes."""
    runs, start = [], None
    for i, ok in enumerate([*agreed, False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            runs.append((start, i - 1))
            start = None
    return runs


def _trim_edges(main: Candidate, agreed: list[bool], densities: dict[str, float]) -> list[str]:
    paras = list(main.paragraphs)

    def keep(run):
        return _bodylike(run) and not _linky(run, densities)

    # an agreed island at either end that is not prose, cut off from the rest by a run that
    # would not stay at an edge, is furniture both readers took (an imprint, a contacts block)
    islands = _islands(agreed)
    while len(islands) > 1:
        (_, end), (start, last) = islands[-2], islands[-1]
        if keep(paras[end + 1:start]) or _reads_as_body(paras[start:last + 1]):
            break
        islands.pop()
    while len(islands) > 1:
        (first, end), (start, _) = islands[0], islands[1]
        if keep(paras[end + 1:start]) or _reads_as_body(paras[first:end + 1]):
            break
        islands.pop(0)
    first, last = islands[0][0], islands[-1][1]
    head, body, tail = paras[:first], paras[first:last + 1], paras[last + 1:]
    return (head if keep(head) else _lead_segments(head, densities, keep)) + body + (tail if keep(tail) else [])


def _lead_segments(head: list[str], densities: dict[str, float], keep) -> list[str]:
    """The parts of a rejected head run that are an article's lead: the head split at its
    link-dense paragraphs and furniture lines (an inline box of teasers between the lead and
    the rest of the article), less the short line that heads such a box, each part kept when
    it would stay at an edge on its own and holds at least two paragraphs of body text (a lone
    teaser's summary holds one)."""
    kept: list[str] = []
    part: list[str] = []
    for para in [*head, None]:
        separator = para is None or densities.get(" ".join(para.split()), 0.0) >= _SEGMENT_LINKS or bool(
            furniture.LINE_RE.match(para) or furniture.RELATED_RE.match(para))
        if not separator:
            part.append(para)
            continue
        while para is not None and part and len(part[-1]) < _SHORT_LINE and not looks_like_body(part[-1]):
            part.pop()  # the heading of the box that follows ("More coverage:")
        if sum(1 for p in part if looks_like_body(p)) >= 2 and keep(part):
            kept.extend(part)
        part = []
    return kept


def _body_chars(candidate: Candidate) -> int:
    return sum(len(p) for p in candidate.paragraphs if looks_like_body(p))


def _disjoint(main: Candidate, second: Candidate) -> tuple[str, list[str]]:
    """Two readings that share no paragraph: the one that reads as prose when the other reads
    as a list; else the one holding more of the headline; when the headline does not tell
    them apart, the one with much more body text (the other read a poll, a teaser box or a
    lone lead); else the main one."""
    for listlike, prose in ((main, second), (second, main)):
        if _body_share(listlike) < _LISTLIKE and _body_share(prose) >= _PROSE:
            logger.debug("candidates share no paragraph, %s reads as a list, %s as prose", listlike.name, prose.name)
            return prose.name, list(prose.paragraphs)
    main_share, second_share = _headline_share(main, main.headline), _headline_share(second, main.headline)
    if second_share != main_share:
        winner = second if second_share > main_share else main
        logger.debug("candidates share no paragraph, %s holds more of the headline", winner.name)
        return winner.name, list(winner.paragraphs)
    if _body_chars(second) > _DISJOINT_GROWTH * _body_chars(main):
        logger.debug("candidates share no paragraph, %s holds far more body text", second.name)
        return second.name, list(second.paragraphs)
    logger.debug("candidates %s and %s share no paragraph: %s kept", main.name, second.name, main.name)
    return main.name, list(main.paragraphs)


def choose(candidates: list[Candidate]) -> tuple[str | None, list[str]]:
    """The chosen paragraphs and the name of the candidate they mainly come from."""
    declared = next((c for c in candidates if c.name == DECLARED and c.paragraphs), None)
    name, paras = _choose_reading([c for c in candidates if c.name != DECLARED])
    if declared is None:
        return name, paras
    return _complete(name, paras, declared)


def _complete(name: str | None, paras: list[str], declared: Candidate) -> tuple[str | None, list[str]]:
    """The page's declared article body instead of the chosen reading when that reading is
    near-empty, or when it lies wholly inside the declared body and the declared body holds
    far more (the reader lost paragraphs: a body split by inline blocks, a lazy-loaded rest).
    Site rules give way only in the near-empty case, to a body twice as long."""
    chosen = Candidate(name or "", tuple(paras))
    if chosen.words < _NEAR_EMPTY:
        # a short site reading is proven by its fixtures: only a far longer body replaces it
        if declared.words > (2 if name == "site" else 1) * chosen.words:
            logger.debug("%s reading near-empty (%d words): the declared body kept", name, chosen.words)
            return declared.name, list(declared.paragraphs)
        return name, paras
    if name == "site" or declared.words < _DECLARED_GROWTH * chosen.words:
        return name, paras
    if len(declared.paragraphs) == 1 < len(paras):
        declared = Candidate(declared.name, tuple(_cut_like(declared.paragraphs[0], paras)))
    if _lies_inside(chosen, declared):
        logger.debug("%s reading lies inside the declared body, which holds %d words more: declared body kept",
                     name, declared.words - chosen.words)
        return declared.name, list(declared.paragraphs)
    return name, paras


#: A paragraph's first words that locate it in a declared body written as one paragraph.
_ANCHOR_WORDS = 6
_ANCHOR_CHARS = 20


def word_count(text: str | None) -> int:
    """The number of words of a text (0 for None)."""
    return len(_WORD.findall(text)) if text else 0


def near_empty(text: str | None) -> bool:
    """Whether a chosen text is too short to be trusted as the article (``_NEAR_EMPTY``)."""
    return word_count(text) < _NEAR_EMPTY


def rescues(text: str | None, rescue: str | None) -> bool:
    """Whether a last-resort reading replaces a near-empty chosen text: it must be longer,
    read as prose (most of it finished sentences) and, unless the chosen text is empty, hold
    all of it and at least twice its words (a short flash stays a short flash)."""
    words, more = word_count(text), word_count(rescue)
    if more < _NEAR_EMPTY or more <= words:
        return False
    lines = [line for line in (rescue or "").split("\n") if line.strip()]
    if not _reads_as_body(lines):
        return False
    if not words:
        return True
    chosen = Candidate("chosen", tuple(line for line in (text or "").split("\n") if line.strip()))
    return more >= 2 * words and _lies_inside(chosen, Candidate("rescue", tuple(lines)))


def _cut_like(body: str, paras: list[str]) -> list[str]:
    """A declared body written as one paragraph, cut where the chosen reading's paragraphs
    begin (their first words found in it), so it keeps the page's paragraphs."""
    cuts = set()
    for paragraph in paras:
        anchor = " ".join(paragraph.split()[:_ANCHOR_WORDS])
        at = body.find(anchor) if len(anchor) >= _ANCHOR_CHARS else -1
        if at > 0:
            cuts.add(at)
    bounds = [0, *sorted(cuts), len(body)]
    return [piece for piece in (body[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)) if piece]


def _choose_reading(candidates: list[Candidate]) -> tuple[str | None, list[str]]:
    """The choice between the site and generic readings (see the module docstring)."""
    by_name = {c.name: c for c in candidates if c.paragraphs}
    site = by_name.get("site")
    if site is not None and (site.words >= _SITE_MIN_WORDS or len(by_name) == 1):
        return "site", list(site.paragraphs)
    generic = [c for c in candidates if c.name != "site" and c.paragraphs]
    if not generic or (site is not None and site.words >= generic[0].words):
        return (site.name, list(site.paragraphs)) if site else (None, [])
    main, others = generic[0], generic[1:]
    if not others:
        return main.name, list(main.paragraphs)
    second = others[0]
    agreed = agreement(main, second)
    if not any(agreed):
        return _disjoint(main, second)
    covered = _covered_words(main, agreed)
    second_covered = _covered_words(second, agreement(second, main))
    if covered >= _FRAGMENT_COVERED * main.words and second.words - second_covered > _FRAGMENT_GROWTH * main.words:
        logger.debug("%s is a fragment of %s: %s kept", main.name, second.name, second.name)
        return second.name, list(second.paragraphs)
    if _body_share(main) < _LISTLIKE and _body_share(second) >= _PROSE:
        logger.debug("%s reads as a list, %s as prose: %s kept", main.name, second.name, second.name)
        return second.name, list(second.paragraphs)
    return main.name, _trim_edges(main, agreed, second.link_density)
