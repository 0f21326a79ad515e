"""The jusText candidate's own block maker (``paragraph_classifier.blocks``) must make exactly
the blocks jusText's ``ParagraphMaker`` makes (texts, link characters, DOM paths), on real and
fixture pages, while the walk is iterative (no recursion limit) and faster."""

from pathlib import Path

import pytest
from justext.core import ParagraphMaker
from lxml import etree, html

from csto_crawler.extract import generic
from csto_crawler.extract.document import decode, parse
from csto_crawler.extract.paragraph_classifier import blocks

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(FIXTURES.rglob("*.html"))


def _theirs(tree):
    return [(p.text, p.chars_count_in_links, p.dom_path) for p in ParagraphMaker.make_paragraphs(tree)]


def _ours(tree):
    return [(b.text, b.links, b.dom_path) for b in blocks(tree)]


@pytest.mark.parametrize("tricky", [
    "<html><body><div>Text.<div></div><br><noindex></noindex></div><p><a href='/'>Back</a></p></body></html>",
    "<html><body><p>one<br>two<br><br>three <a href='x'>link  text</a> tail<!-- c -->after</p></body></html>",
    "<html><body><ul><li>a</li><li><a>b</a></li></ul><h2>Head</h2><select><option>x</option></select></body></html>",
    "<html><body><o:p>word</o:p>\n\n<table><tr><td> cell </td></tr></table>end</body></html>",
])
def test_tricky_markup_gives_jusTexts_blocks(tricky):
    assert _ours(html.fromstring(tricky)) == _theirs(html.fromstring(tricky))


def test_fixture_pages_give_jusTexts_blocks():
    assert len(PAGES) > 100
    for page in PAGES:
        tree = parse(decode(page.read_bytes(), None))
        if tree is None:
            continue
        generic.preclean(tree)
        assert _ours(tree) == _theirs(tree), page


def test_deep_tree_has_no_recursion_limit():
    tree = html.fromstring("<html><body></body></html>")
    node = tree.find("body")
    for _ in range(5000):  # built, not parsed: libxml2 itself stops parsing at depth 256
        node = etree.SubElement(node, "div")
    etree.SubElement(node, "p").text = "deep text"
    assert [b.text for b in blocks(tree)] == ["deep text"]
