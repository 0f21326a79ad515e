"""The crawl's hot path stays cheap without changing results (found by ``python -m bench``).

* ``pagecheck.check`` looks for each challenge pattern's required literals with a plain ``in``
  before running the slow case-insensitive regex: the answers must be exactly those of the
  regexes alone, on every fixture page and on challenge stubs written in any letter case; it
  looks for ASCII literals in the head's bytes and skips weak markers on pages with enough
  visible text: its answers must be those of the plain rules (``reference_check``), with
  markers put anywhere, in any case, spelled with the characters ``bytes.lower`` misses;
* the archive runs WAL with ``synchronous=NORMAL`` (no fsync per stored item);
* Scrapy starts ``CONCURRENT_ITEMS`` workers per response: the project keeps it small.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import FIXTURES

from csto_crawler import pagecheck
from csto_crawler.extract import furniture
from csto_crawler.extract.literals import Alternatives, required_literals
from pipelines.archive import Archive


def check_without_prefilter(status: int, headers: dict, body: bytes, monkeypatch) -> object:
    """``check`` with each challenge pattern whole (not split into branches) and no literals."""
    whole = tuple((name, re.compile(rx, re.I), strong, None) for name, rx, strong in pagecheck.BODY_CHALLENGES)
    with monkeypatch.context() as patch:
        patch.setattr(pagecheck, "_BODY_RE", whole)
        return pagecheck.check(status, headers, body)


@pytest.mark.parametrize(("pattern", "literals"), [
    (r"Data processing\.{0,3}\s*Please,?\s+wait", {"data processing"}),
    (r"\bbobcmn\b", {"bobcmn"}),
    (r"ddos-guard\.net/|Checking your browser", {"ddos-guard.net/", "checking your browser"}),
    (r"<title>\s*(?:Access denied|Доступ запрещ[её]н)", {"access denied", "доступ запрещ"}),
    (r"(?:foo)+bar_baz", {"bar_baz"}),
    (r"x(?:abcd)?y", None),  # an optional group is not required
    (r"ab|cdef", None),  # a branch with no literal of three characters: no prefilter
    (r"[a-z]+\d", None),
])
def test_required_literals(pattern, literals):
    found = pagecheck.required_literals(pattern)
    assert (set(found) if found is not None else None) == literals
    if found is not None:  # every literal really is in a sample match, casefolded
        assert all(literal == literal.casefold() for literal in found)


def test_every_shipped_challenge_pattern_has_a_prefilter():
    assert all(literals for _, _, _, literals in pagecheck._BODY_RE)
    # "login wall": a page with a password field runs only the branch that looks for one
    login = [literals for name, _, _, literals in pagecheck._BODY_RE if name == "login wall"]
    assert len(login) == 4 and {"password"} in [set(literals) for literals in login]


@pytest.mark.parametrize(("pattern", "parts"), [
    (r"abc", ["abc"]),
    (r"a|b(c|d)|e", ["a", "b(c|d)", "e"]),
    (r"x\|y|z", [r"x\|y", "z"]),  # an escaped bar is no alternative
    (r"[|]a|[^]|]b|[]|]c|(?:p|q)", ["[|]a", "[^]|]b", "[]|]c", "(?:p|q)"]),  # nor one in a class
    (r"a||b", ["a", "", "b"]),
])
def test_branches_split_only_the_top_level_alternatives(pattern, parts):
    assert pagecheck.branches(pattern) == parts


def test_branches_match_exactly_where_the_whole_pattern_does():
    samples = [p.read_text("utf-8", "replace")[:pagecheck.HEAD_BYTES] for p in FIXTURES.rglob("*.html")]
    samples += STUBS + [s.upper() for s in STUBS] + ["Sign in to read", "<input name=p type='password'>",
                                                     "Войдите, чтобы прочитать", "SUBSCRIBE TO CONTINUE"]
    for name, pattern, _ in pagecheck.BODY_CHALLENGES:
        whole = re.compile(pattern, re.I)
        parts = [re.compile(part, re.I) for part in pagecheck.branches(pattern)]
        for text in samples:
            assert bool(whole.search(text)) == any(part.search(text) for part in parts), (name, text[:80])


STUBS = [
    "<html><head><title>Data processing...</title></head><body>DATA PROCESSING... PLEASE, WAIT.</body></html>",
    "<html><script>document.cookie='BOBCMN=1'</script></html>",
    "<html><head><title>  JUST A MOMENT...</title></head><body></body></html>",
    "<html><body><div class='G-RECAPTCHA'></div>Подтвердите, что вы НЕ РОБОТ</body></html>",
    "<html><body>ПОДТВЕРДИТЕ, ЧТО ЗАПРОСЫ ОТПРАВЛЯЛИ ВЫ, а не робот</body></html>",
    "<html><body>Для продолжения работы ВКЛЮЧИТЕ javascript</body></html>",
    "<html><head><TITLE>Доступ Запрещён</TITLE></head></html>",
    "<html><head><title>ACCESS DENIED</title></head></html>",
    "<html><body>Checking Your Browser Before Accessing example.kz</body></html>",
    "<html><body>" + "<p>Обычный текст статьи без всяких проверок.</p>" * 200 + "g-recaptcha</body></html>",
]


@pytest.mark.parametrize("stub", STUBS)
def test_prefilter_gives_the_regexes_answer_on_stubs_in_any_case(stub, monkeypatch):
    for variant in (stub, stub.upper(), stub.lower(), stub.swapcase()):
        body = variant.encode("utf-8")
        assert pagecheck.check(200, {}, body) == check_without_prefilter(200, {}, body, monkeypatch)


def test_prefilter_gives_the_regexes_answer_on_every_fixture_page(monkeypatch):
    pages = [p for p in FIXTURES.rglob("*") if p.suffix in (".html", ".xml", ".txt")]
    assert len(pages) > 50
    blocked = 0
    for page in pages:
        body = page.read_bytes()
        expected = check_without_prefilter(200, {}, body, monkeypatch)
        assert pagecheck.check(200, {}, body) == expected, page
        blocked += expected is not None and expected.outcome == "blocked"
    assert blocked, "the fixtures hold at least one challenge page"


def test_a_match_is_found_wherever_the_regex_would(monkeypatch):
    # the regex and the literal test agree on a random mix of case and position
    import random

    rng = random.Random(3)
    for name, _, _, literals in pagecheck._BODY_RE:
        for literal in literals:
            mixed = "".join(c.upper() if rng.random() < 0.5 else c for c in literal)
            assert literal in ("x" * rng.randint(0, 500) + mixed).casefold(), (name, literal)


def test_archive_runs_wal_with_synchronous_normal(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        assert next(iter(archive.db.query("PRAGMA journal_mode")))["journal_mode"] == "wal"
        assert next(iter(archive.db.query("PRAGMA synchronous")))["synchronous"] == 1  # NORMAL


def test_required_literals_of_a_bad_pattern_is_none():
    assert pagecheck.required_literals("(unclosed") is None


def test_few_item_workers_per_response():
    from csto_crawler.config import project_settings

    assert project_settings().getint("CONCURRENT_ITEMS") <= 16


def test_casefold_agrees_with_the_regex_engine_on_every_literal_character():
    """For every character of the shipped literals (the page check's and the tail rules'), any
    code point the regex engine matches with it case-insensitively casefolds to the literal's
    character, except the ones guarded against (``FOLD_BREAKERS``: a text holding one runs
    every regex)."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    characters = {c for _, _, _, literals in pagecheck._BODY_RE for literal in literals for c in literal}
    for alternatives in (furniture.LEGAL, furniture.COPYRIGHT):
        characters |= {c for _, literals in alternatives._guarded for literal in literals for c in literal}
    breakers = set()
    for character in characters:
        for match in re.finditer(re.escape(character), every, re.I):
            if match.group().casefold() != character:
                breakers.add(match.group())
    assert breakers == set(pagecheck._FOLD_BREAKERS)  # none missing, none guarded for nothing


def _text_lines() -> list[str]:
    """Every line (up to 600 characters, what the tail rules are asked about) of the fixture
    pages' text and of the expected texts and seed texts, with upper- and title-cased copies
    (legal footers, copyright lines and article paragraphs)."""
    from lxml import html

    lines = set()
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix == ".html":
            text = html.fromstring(path.read_bytes()).text_content()
        elif path.suffix in (".txt", ".json"):
            text = path.read_text(encoding="utf-8", errors="replace")
        else:
            continue
        lines.update(line.strip() for line in text.splitlines() if 0 < len(line.strip()) <= 600)
    return sorted(lines | {line.upper() for line in lines} | {line.title() for line in lines})


def test_the_tail_rules_answer_as_their_whole_regexes_on_every_fixture_line():
    lines = _text_lines()
    for alternatives in (furniture.LEGAL, furniture.COPYRIGHT):
        found = [line for line in lines if alternatives.found(line)]
        assert found == [line for line in lines if alternatives.whole.search(line)]
        assert len(found) >= 20  # the fixtures hold such footers: both answers are exercised
    assert len(lines) > 10_000


@pytest.mark.parametrize(("line", "legal"), [
    ("Свидетельство о регистрации СМИ ЭЛ № ФС 77-12345", True),
    ("СВИДЕТЕЛЬСТВО О РЕГИСТРАЦИИ СМИ", True),
    ("Зарегистрировано в Роскомнадзоре", True),
    ("Эл № ФС 77 - 1", True),  # patterns with short literals only
    ("16+", True),
    ("Учредителı: ТОО «Медиа»", False),  # a fold breaker: the whole regex decides
    ("Совет ОДКБ обсудил вопросы коллективной безопасности и миротворчества.", False),
])
def test_legal_lines(line, legal):
    assert furniture.LEGAL.found(line) is legal is (furniture.LEGAL.whole.search(line) is not None)


def test_alternatives_run_only_the_patterns_whose_literals_are_there():
    alternatives = Alternatives([r"роскомнадзор\w*", r"\bфс\s*77", r"^\d+$"])
    assert [literals for _, literals in alternatives._guarded] == [("роскомнадзор",), ("фс",)]
    assert alternatives._unguarded.pattern == r"(?:^\d+$)"
    assert required_literals(r"\bфс\s*77") is None  # three characters at least, by default
    with pytest.raises(ValueError, match="case-insensitive"):
        Alternatives([r"a"], flags=0)
    nothing = Alternatives([])
    assert nothing.found("any text") is False and nothing.whole.search("any text") is None


def test_only_dotless_and_dotted_i_fold_unlike_what_the_regex_engine_equates():
    """Over every code point: two characters the regex engine equates case-insensitively (the
    same simple lower case, or one of ``re``'s extra case pairs) casefold alike, except in the
    group of ``i``, ``I``, ``ı`` and ``İ``. So ``FOLD_BREAKERS`` is complete for any literal
    without ``ı`` or ``İ`` (data-driven term lists included), and ``Alternatives`` runs a
    pattern whose literals hold one always."""
    import _sre
    from collections import defaultdict
    from re import _casefix

    from csto_crawler.extract.literals import FOLD_BREAKERS

    groups: dict[int, set[int]] = defaultdict(set)
    for code in range(0x110000):
        if not 0xD800 <= code <= 0xDFFF:
            groups[_sre.unicode_tolower(code)].add(code)
    merged = list(groups.values())
    for code, others in _casefix._EXTRA_CASES.items():
        for other in others:
            group = groups[_sre.unicode_tolower(code)] | groups[_sre.unicode_tolower(other)]
            merged.append(group)
    unlike = {chr(c) for group in merged if len({chr(c).casefold() for c in group}) > 1 for c in group}
    assert unlike == set("iIıİ")
    assert set(FOLD_BREAKERS) == {"ı", "İ"}
    turkish = Alternatives([r"kırmızı\s+ışık", r"bayrak"])
    assert [literals for _, literals in turkish._guarded] == [("bayrak",)]
    assert turkish.found("KIRMIZI IŞIK") is (turkish.whole.search("KIRMIZI IŞIK") is not None)


def test_the_relevance_filter_changes_no_answer():
    """The term matcher with its phrase filter finds the same term as without, on every
    fixture text (relevant or not) and their upper-cased copies."""
    from dataclasses import replace

    from pipelines.relevance import load_terms

    matcher = load_terms(Path(__file__).resolve().parents[1] / "seeds" / "relevance_terms.yml")
    plain = replace(matcher, phrase_filter=None)
    texts = []
    for path in sorted(FIXTURES.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        expected = data.get("expected") if isinstance(data, dict) else None
        if isinstance(expected, dict) and expected.get("text"):
            text = f"{expected.get('title') or ''}\n{expected['text']}"
            texts += [text, text.upper(), text.replace("ОДКБ", "")]
    found = [matcher.find(text) for text in texts]
    assert found == [plain.find(text) for text in texts]
    assert len(texts) > 300 and 50 < sum(term is None for term in found) < len(texts) - 50


@pytest.mark.parametrize("odd", ["ı", "İ", "ß"])
def test_pages_with_characters_casefold_treats_differently_give_the_regexes_answer(odd, monkeypatch):
    for stub in ("<html><body>Checking your browser before accessing</body></html>",
                 "<html><body>bobcmn</body></html>"):
        body = (stub.replace("i", "ı") if odd == "ı" else stub.upper() + odd).encode()
        assert pagecheck.check(200, {}, body) == check_without_prefilter(200, {}, body, monkeypatch)
    dotless = "<html><body>Checkıng your browser before accessıng</body></html>".encode()
    assert pagecheck.check(200, {}, dotless) is not None  # the regex matches ı with i


def test_the_generic_extractors_are_imported_by_the_first_page_that_needs_them():
    """A process whose pages all read by site rules (a site's crawl, its extraction workers)
    never imports trafilatura or jusText (0.25 s of CPU and 19 MB each); the first page read
    by the generic layers does."""
    import subprocess
    import sys

    program = """
import sys
from csto_crawler.extract import SiteRules, extract
from csto_crawler.pagecheck import check_then_extract
loaded = lambda: [name for name in ("trafilatura", "justext") if name in sys.modules]
print(loaded())
body = "".join(f"<p>Совет коллективной безопасности ОДКБ обсудил вопрос номер {n} на встрече.</p>"
               for n in range(12))
page = f"<html><body><nav>Меню</nav><div class=story><h1>Совет ОДКБ</h1>{body}</div></body></html>"
site = check_then_extract(page.encode(), "https://example.kz/a/1", SiteRules(content_selector="div.story"),
                          status=200, headers={})
print(loaded(), site.text.count("ОДКБ"))
generic = extract(page, "https://example.kz/a/1")
print(loaded(), generic.text.count("ОДКБ"))
"""
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:3] == ["[]", "[] 12", "['trafilatura', 'justext'] 12"]


# --- the page check reads ASCII literals in bytes and skips weak markers on full pages ------
def reference_check(status: int, body: bytes) -> object:
    """The page check's body rules as plainly as they read: every challenge regex whole, over
    the decoded head, in order; the visible text counted when one matches."""
    head = body[:pagecheck.HEAD_BYTES]
    text = head.decode("utf-8", "replace")
    for name, pattern, strong in pagecheck.BODY_CHALLENGES:
        if not re.search(pattern, text, re.I):
            continue
        visible = len("".join(re.sub(r"<[^<>]+>", " ", _without_invisible(text)).split()))
        if visible < pagecheck.STUB_TEXT_CHARS and len(body) > pagecheck.HEAD_BYTES:
            whole = body.decode("utf-8", "replace")
            visible = len("".join(re.sub(r"<[^<>]+>", " ", _without_invisible(whole)).split()))
        if strong or visible < pagecheck.STUB_TEXT_CHARS:
            return ("blocked", f"HTTP {status}, {name}")
    return None


def _without_invisible(text: str) -> str:
    """The text outside scripts, styles, templates and comments (an unclosed one: to the end)."""
    out, position = [], 0
    opening = re.compile(r"<(script|style|noscript|template)\b|<!--", re.I | re.A)
    while True:
        start = opening.search(text, position)
        if start is None:
            out.append(text[position:])
            return " ".join(out)
        out.append(text[position:start.start()])
        end = re.compile("-->" if start.group(1) is None else rf"</{start.group(1)}\s*>", re.I | re.A)
        closed = end.search(text, start.end())
        if closed is None:
            return " ".join(out)
        position = closed.end()


MARKERS = ["Data processing... Please, wait", "bobcmn", "window._cf_chl_opt", "<title>Just a moment...",
           "check.ddos-guard.net/", "g-recaptcha", "Подтвердите, что вы не робот",
           "Please enable JavaScript to continue", "<title>Access denied", "<title>Доступ запрещён",
           "Web Page Blocked", "<input name=p type=password>", "Войдите, чтобы продолжить",
           "Sign in to continue", "check.ddoſ-guard.net/", "Chec\u212aing your browser before accessing",
           "wındow._cf_chl_opt", "İ", "cf-browser-veriﬁcation"]


def test_the_page_check_answers_as_its_plain_rules(monkeypatch):
    """On every fixture page, with challenge markers (any letter case, characters the regex
    engine folds unlike ``bytes.lower``) put anywhere in it and in short cuts of it."""
    import random

    rng = random.Random(11)
    pages = [p.read_bytes() for p in sorted(FIXTURES.rglob("*.html"))]
    assert len(pages) > 50
    bodies = list(pages)
    for page in pages:
        for _ in range(3):
            marker = "".join(c.upper() if rng.random() < 0.3 else c for c in rng.choice(MARKERS))
            at = rng.randrange(0, min(len(page), pagecheck.HEAD_BYTES + 2000) + 1)
            bodies.append(page[:at] + marker.encode() + page[at:])
        bodies.append(page[:rng.randrange(100, 4000)] + rng.choice(MARKERS).encode())
    blocked = 0
    for body in bodies:
        found = pagecheck.check(200, {}, body)
        # (the error-title rules that follow the body rules are not compared here)
        got = (found.outcome, found.detail) if found is not None and found.outcome == "blocked" else None
        assert got == reference_check(200, body)
        blocked += got is not None
    assert blocked > len(pages)  # markers of both kinds were found, on full pages and stubs


def test_ascii_fold_breakers_are_every_character_folded_with_an_ascii_one():
    every = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF)
    folded_with_ascii = {match.group() for c in map(chr, range(0x80)) if c.isalpha()
                         for match in re.finditer(re.escape(c), every, re.I)}
    assert folded_with_ascii == set(pagecheck.ASCII_FOLD_BREAKERS)


def test_visible_chars_counted_in_slices_gives_the_same_answer():
    """Long stretches of markup without scripts are counted a slice at a time: the count is
    the whole one while below ``enough``."""
    import random

    rng = random.Random(2)
    markup = ["<p>", "</p>", "<div class='a b'>", "<a href='/x y'>", "</a>", " ", "\n", "<br/>", "<", ">", "a<b"]
    words = ["слово ", "word ", "x"]
    for case in range(200):
        parts = markup + (words if case % 2 else []) + (["<script>x</script>", "<!-- c -->"] if case % 5 == 0 else [])
        text = "".join(rng.choice(parts) for _ in range(rng.randrange(0, 12_000)))
        whole = pagecheck.visible_chars(text)
        for enough in (1, 50, 1500, 5000):
            counted = pagecheck.visible_chars(text, enough)
            assert counted == whole if whole < enough else counted >= enough, (case, enough)
