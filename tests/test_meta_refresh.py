"""``<meta http-equiv=refresh>`` is read from the head of a page, with Scrapy's answers.

``csto_crawler.guards.meta_refresh`` decodes only the bytes that can hold the first 4,096
characters, where Scrapy looks; the refresh guard and the project's ``MetaRefreshMiddleware``
(Scrapy's, swapped in by the settings) use it, so no HTML answer is decoded whole on the event
loop for it. The answers must be Scrapy's on every page, whatever its charset, wherever the
cut falls in a character.
"""

from __future__ import annotations

import pytest
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefresh
from scrapy.http import HtmlResponse, Request
from scrapy.utils.response import get_meta_refresh
from scrapy.utils.test import get_crawler

from csto_crawler import guards
from csto_crawler.config import project_settings

URL = "https://news.example/2024/10/article-1"
REFRESH = '<meta http-equiv="refresh" content="0; url=/moved/article-1">'


def page(before: str, tag: str = REFRESH, filler: str = "Статья об ОДКБ. ", repeat: int = 3000,
         head: str = "") -> str:
    return f"<html><head>{head}{before}{tag}</head><body>{filler * repeat}</body></html>"


def _bodies() -> list[tuple[str, bytes, str | None]]:
    """(id, body, Content-Type charset or None)."""
    cases = []
    for offset in (0, 3000, 4040, 4060, 4080, 4100, 6000):
        text = page("x" * offset)
        cases.append((f"utf-8 refresh after {offset} chars", text.encode("utf-8"), "utf-8"))
    # the tag pushed around the 4,096th character by two-byte letters, the 16,384-byte cut
    # falling inside a letter, a page of three- and four-byte characters
    for offset in (2000, 2030, 2040, 2050):
        cases.append((f"cyrillic head {offset}", page("ж" * offset).encode("utf-8"), "utf-8"))
    for letters in ("€" * 5000, "😀" * 4100, "ж" * 8191 + "a", "ж" * 8192):
        cases.append((f"cut in a character ({letters[0]!r})", page("", filler=letters, repeat=2).encode("utf-8"),
                      "utf-8"))
        cases.append((f"cut in a character ({letters[0]!r}), tag after", page(letters).encode("utf-8"), "utf-8"))
    cases.append(("windows-1251", page("Новости " * 400).encode("cp1251"), "windows-1251"))
    cases.append(("utf-16 with a BOM", "\ufeff".encode("utf-16-le") + page("é" * 3000).encode("utf-16-le"), None))
    cases.append(("shift_jis", page("日本語" * 1300).encode("shift_jis"), "shift_jis"))
    cases.append(("iso-2022-jp", page("日本語" * 1000, filler="日本語テキスト ").encode("iso-2022-jp"), "iso-2022-jp"))
    # a stateful charset spends bytes on escapes: more than four bytes a character
    cases.append(("iso-2022-jp, script switched at every letter", page("a日" * 1900).encode("iso-2022-jp"),
                  "iso-2022-jp"))
    cases.append(("declared in <meta>, no header", page("", head='<meta charset="windows-1251">').encode("cp1251"), None))
    cases.append(("no refresh", page("", tag="").encode("utf-8"), "utf-8"))
    cases.append(("refresh in a script", page("<script>", tag=REFRESH + "</script>").encode("utf-8"), "utf-8"))
    cases.append(("relative to <base>", page('<base href="https://news.example/other/">').encode("utf-8"), "utf-8"))
    cases.append(("short page", b'<html><head><meta http-equiv="refresh" content="5;url=http://x.example/"></head></html>',
                  "utf-8"))
    cases.append(("broken utf-8", page("x" * 100).encode("utf-8")[:16383] + b"\xff\xfe" * 20 + b"tail" * 10, "utf-8"))
    return cases


BODIES = _bodies()


def response(body: bytes, charset: str | None) -> HtmlResponse:
    headers = {"Content-Type": f"text/html; charset={charset}" if charset else "text/html"}
    return HtmlResponse(URL, body=body, headers=headers)


@pytest.mark.parametrize(("body", "charset"), [c[1:] for c in BODIES], ids=[c[0] for c in BODIES])
def test_the_head_gives_scrapys_answer(body, charset):
    expected = get_meta_refresh(response(body, charset))
    assert guards.meta_refresh(response(body, charset)) == expected
    # and the head really is the first 4,096 characters of the page's text
    assert guards._head_text(response(body, charset)) == response(body, charset).text[:4096]


def _middlewares():
    crawler = get_crawler(settings_dict={"METAREFRESH_MAXDELAY": 100})
    return guards.MetaRefreshMiddleware.from_crawler(crawler), ScrapyMetaRefresh.from_crawler(crawler)


@pytest.mark.parametrize(("body", "charset"), [c[1:] for c in BODIES], ids=[c[0] for c in BODIES])
def test_the_middleware_redirects_as_scrapys_does(body, charset):
    ours, scrapys = _middlewares()
    request = Request(URL)
    got = ours.process_response(request, response(body, charset))
    want = scrapys.process_response(request, response(body, charset))
    assert type(got) is type(want)
    if isinstance(want, Request):
        assert (got.url, got.method, got.meta) == (want.url, want.method, want.meta)


def test_a_large_page_is_not_decoded_whole(monkeypatch):
    """The project's middlewares never ask a large page for its whole text."""
    body = page("", repeat=20000).encode("utf-8")  # ~0.5 MB

    def whole_text(self):
        raise AssertionError("the whole body was decoded")

    monkeypatch.setattr(HtmlResponse, "text", property(whole_text))
    ours, _ = _middlewares()
    result = ours.process_response(Request(URL), response(body, "utf-8"))
    assert isinstance(result, Request) and result.url == "https://news.example/moved/article-1"
    guard = guards.RefreshGuardMiddleware.from_crawler(get_crawler(settings_dict={"METAREFRESH_ENABLED": True}))
    plain = response(page("", tag="", repeat=20000).encode("utf-8"), "utf-8")
    assert guard.process_response(Request(URL), plain) is plain


def test_the_project_uses_its_own_meta_refresh_middleware():
    middlewares = project_settings().getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    assert middlewares["csto_crawler.guards.MetaRefreshMiddleware"] == 580
    assert middlewares["csto_crawler.guards.RefreshGuardMiddleware"] > 580  # its answer comes first


def test_the_guard_and_the_middleware_read_a_page_once(monkeypatch):
    calls = []
    real = guards._head_text
    monkeypatch.setattr(guards, "_head_text", lambda response: calls.append(response) or real(response))
    crawler = get_crawler(settings_dict={"METAREFRESH_ENABLED": True})
    guard = guards.RefreshGuardMiddleware.from_crawler(crawler)
    ours = guards.MetaRefreshMiddleware.from_crawler(crawler)
    plain = response(page("x" * 100, tag="").encode("utf-8"), "utf-8")
    assert guard.process_response(Request(URL), plain) is plain
    assert ours.process_response(Request(URL), plain) is plain
    assert calls == [plain]
    moved = response(page("x" * 100).encode("utf-8"), "utf-8")
    assert guards.meta_refresh(moved) == guards.meta_refresh(moved) == (0.0, "https://news.example/moved/article-1")
    assert guards.meta_refresh(moved, ignore_tags=()) == (0.0, "https://news.example/moved/article-1")
    assert calls == [plain, moved, moved]  # other ignored tags: asked again
