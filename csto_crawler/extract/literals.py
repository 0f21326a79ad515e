"""Case-insensitive regexes answered faster: the literals a match must contain, looked for first.

A case-insensitive search (``re.I``) tries every branch of a pattern at every position of the
text, which makes it slow on long texts and on long alternations of patterns. Most patterns
require some literal: ``роскомнадзор\\w*`` cannot match a text that does not contain
``роскомнадзор`` in some letter case. So:

* ``required_literals(pattern)``: strings (casefolded, three characters or more) one of which
  every case-insensitive match contains, or None when the pattern guarantees none;
* ``branches(pattern)``: the top-level alternatives of a pattern (each gets its own literals);
* ``Alternatives(patterns)``: "does any of these patterns occur in the text?" (the same answer
  as the patterns joined into one ``re.I`` regex), with each pattern run only when one of its
  literals is in the casefolded text; patterns without literals are run together, always;
* ``FOLD_BREAKERS``: the characters the regex engine equates with a literal's character while
  ``casefold`` turns them into something else; a text holding one runs every pattern.

The page check (``csto_crawler.pagecheck``), the text cleaner's tail rules
(``csto_crawler.extract.furniture``) and the relevance filter's phrases
(``pipelines.relevance``) use them; tests check the answers against the plain regexes and
``FOLD_BREAKERS`` against every code point.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from re import _constants as _sre  # the regex parser's opcodes (required_literals)
from re import _parser as _sre_parser

__all__ = ["FOLD_BREAKERS", "Alternatives", "branches", "required_literals"]

#: The only characters the regex engine matches case-insensitively with a character they do
#: not casefold alike with: ``ı`` and ``İ`` (with ``i``, ``I`` and each other). Every other
#: case-insensitive match of two characters casefolds them alike (checked over every code
#: point by the tests), so in a text holding neither, a match of a pattern casefolds to a
#: string holding one of its literals, whatever the literals, provided no literal holds one
#: of them itself (``Alternatives`` runs such a pattern always).
FOLD_BREAKERS = ("ı", "İ")
#: What ``ı`` and ``İ`` casefold to: a literal holding one is not used.
_FOLDED_BREAKERS = ("ı", "\u0307")


def required_literals(pattern: str, shortest: int = 3) -> frozenset[str] | None:
    """Strings (casefolded, ``shortest`` characters or more) one of which every
    case-insensitive match of ``pattern`` contains, or None when the pattern guarantees none.

    A caller first looks for them with a plain ``in`` on the casefolded text and runs the
    pattern only when one is there: a case-insensitive search over 64 KB costs about a
    millisecond per pattern, the ``in`` tests a few microseconds, and the answer is the same.
    """
    try:
        tree = _sre_parser.parse(pattern, re.I)
    except re.error:
        return None
    return _sequence_literals(list(tree), shortest)


def _sequence_literals(items: list, shortest: int) -> frozenset[str] | None:
    """The best requirement of a sequence: each item of it is required, so any one will do."""
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    def close_run() -> None:
        if len(run) >= shortest:
            consider(frozenset({"".join(run).casefold()}))
        run.clear()

    for op, value in items:
        if op is _sre.LITERAL:
            run.append(chr(value))
            continue
        close_run()
        if op is _sre.SUBPATTERN:
            consider(_sequence_literals(list(value[-1]), shortest))
        elif op is _sre.ATOMIC_GROUP:
            consider(_sequence_literals(list(value), shortest))
        elif op is _sre.BRANCH:
            branches = [_sequence_literals(list(branch), shortest) for branch in value[1]]
            if all(branches):
                consider(frozenset().union(*branches))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and value[0] >= 1:
            consider(_sequence_literals(list(value[2]), shortest))
    close_run()
    return best


def branches(pattern: str) -> list[str]:
    """The top-level alternatives of a regex (``a|b(c|d)`` → ``a``, ``b(c|d)``); a pattern that
    matches if and only if one of them does. Each gets its own required literals, so a page
    holding one branch's literal runs that branch alone (a login form's ``password`` field
    does not run the other branches of "login wall" over 64 KB)."""
    parts: list[str] = []
    depth, in_class, escaped = 0, False, False
    begin = class_start = 0  # where the current branch, and the current [...] members, start
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]" or index == class_start  # a "]" first in a class is a member
        elif char == "[":
            in_class = True
            class_start = index + (2 if pattern.startswith("^", index + 1) else 1)
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            parts.append(pattern[begin:index])
            begin = index + 1
    parts.append(pattern[begin:])
    return parts


class Alternatives:
    """Whether any of ``patterns`` occurs in a text, as
    ``re.compile("|".join(patterns), flags).search(text) is not None`` says (``flags`` must hold
    ``re.I``), without running the patterns whose literals the text lacks.

    Made for lines of text, where a short literal is as cheap to look for as a long one:
    ``shortest`` (default 1) is the length a literal may have. A 400-character paragraph took
    the legal-footer alternation 0.2–0.4 ms to clear; the literal tests and the few patterns
    that have none take a few microseconds."""

    def __init__(self, patterns: Iterable[str], flags: int = re.IGNORECASE, shortest: int = 1) -> None:
        patterns = tuple(patterns)
        if not flags & re.IGNORECASE:
            raise ValueError("Alternatives is for case-insensitive patterns (re.IGNORECASE)")
        #: all the patterns as one regex: the reference answer, and what a text holding a
        #: ``FOLD_BREAKERS`` character gets
        self.whole = re.compile("|".join(f"(?:{p})" for p in patterns) or "(?!)", flags)
        guarded, unguarded = [], []
        for pattern in patterns:
            literals = required_literals(pattern, shortest)
            if literals and not any(mark in literal for literal in literals for mark in _FOLDED_BREAKERS):
                guarded.append((re.compile(pattern, flags), tuple(literals)))
            else:
                unguarded.append(pattern)
        self._guarded = tuple(guarded)
        self._unguarded = re.compile("|".join(f"(?:{p})" for p in unguarded), flags) if unguarded else None

    def found(self, text: str) -> bool:
        if any(breaker in text for breaker in FOLD_BREAKERS):
            return self.whole.search(text) is not None
        if self._unguarded is not None and self._unguarded.search(text):
            return True
        folded = text.casefold()
        return any(regex.search(text) for regex, literals in self._guarded
                   if any(literal in folded for literal in literals))
