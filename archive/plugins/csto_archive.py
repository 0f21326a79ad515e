"""Datasette plugin of the CSTO archive: readable version diffs, article text as paragraphs,
search snippets, history links and a "year" facet.

Loaded by Datasette from the configuration directory (``datasette archive/``). Everything it
adds to a page is built from escaped text plus a handful of its own tags: stored page text is
untrusted, so a ``<script>`` in an article is shown as text and never runs.

* ``text_diff(old, new)`` (SQL function): a word-level diff of two texts as markup, the words
  escaped, removed words in ``<del>``, added words in ``<ins>``, one ``<p>`` per paragraph.
* ``render_cell``: shows ``text_diff`` output as markup (after checking it holds nothing but
  escaped text and those tags), article text (columns named ``text``) as paragraphs, search
  snippets (columns named ``snippet``) with the matched words marked, and turns a document URL
  in a ``history`` column and a ``{"url", "from", "to"}`` object in a ``compare`` column into
  links to the ``version_history`` and ``version_diff`` canned queries, and newline-separated
  URLs in a ``urls`` column into one link per line.
* ``/-/capture/<id>``: the raw page a capture holds (``captures`` row, WARC record), served
  with ``Content-Security-Policy: sandbox`` and nothing loaded from elsewhere, so a stored
  page's scripts never run; ``?format=text`` shows it as text/plain; a page larger than
  ``CSTO_CAPTURE_VIEW_MAX_BYTES`` is cut and shown as text/plain. A ``capture_id`` cell (a
  version's or fetch's page), a ``capture`` cell (the version history) and a capture's
  ``record_id`` (the ``captures`` table) link there.
* ``YearFacet``: ``{"year": "published_at"}`` in a table's ``facets`` counts rows per year of
  an ISO date column; choosing a year filters with ``<column>__startswith=<year>``.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import urllib.parse

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

__all__ = ["text_diff", "paragraphs", "is_text_diff_markup", "YearFacet"]

logger = logging.getLogger(__name__)

#: The opening tag of ``text_diff`` output; the render hook looks for it.
DIFF_OPEN = '<div class="text-diff">'
DIFF_CLOSE = "</div>"
#: ``text_diff`` output: the wrapper around escaped text (no ``<`` or ``>`` of its own) and
#: nothing but paragraph, insertion and deletion tags.
_DIFF_MARKUP = re.compile(r'<div class="text-diff">(?:[^<>]|</?(?:p|ins|del)>)*</div>')
#: Tokens of a text: newline runs (paragraph breaks), other whitespace, words.
_TOKENS = re.compile(r"\n[\s]*|[^\S\n]+|[^\s]+")
#: Search snippets mark matched words with these two control characters (``char(2)``,
#: ``char(3)`` in SQL), which never occur in cleaned article text.
SNIPPET_START, SNIPPET_END = "\x02", "\x03"
#: Columns whose text is rendered as paragraphs.
TEXT_COLUMNS = frozenset({"text", "old_text", "new_text"})
#: Where the plugin's stylesheet is served.
CSS_PATH = "/-/csto-archive.css"

CSS = """
.text-diff ins { background: #c8f0c8; color: #053b05; text-decoration: none;
  border-radius: 2px; padding: 0 1px; }
.text-diff del { background: #f8cdcd; color: #5c0a0a; text-decoration: line-through;
  border-radius: 2px; padding: 0 1px; }
.text-diff p, .article-text p { margin: 0 0 0.6em 0; max-width: 48em; line-height: 1.45; }
.text-diff, .article-text { white-space: normal; }
body.table .article-text { max-height: 9em; overflow: auto; }
td.col-diff .text-diff { min-width: 34em; }
mark.search-hit { background: #ffe680; padding: 0 1px; }
dl.column-descriptions { display: grid; grid-template-columns: max-content 1fr;
  gap: 0.1em 1em; font-size: 0.85em; max-height: 10em; overflow: auto;
  border: 1px solid #ddd; border-radius: 3px; padding: 0.4em 0.6em; }
dl.column-descriptions dt { font-weight: bold; }
dl.column-descriptions dd { margin: 0; color: #444; }
"""


# -- the diff ---------------------------------------------------------------------------------
def _tokens(text: str | None) -> list[str]:
    return _TOKENS.findall(text or "")


def _is_break(token: str) -> bool:
    return token.startswith("\n")


def _emit(parts: list[str], tokens: list[str], tag: str | None) -> None:
    """Append ``tokens`` escaped, wrapped in ``<tag>`` per paragraph piece (a paragraph
    break is never inside an ``<ins>``/``<del>``)."""
    piece: list[str] = []

    def flush() -> None:
        text = "".join(piece)
        piece.clear()
        if not tag:
            parts.append(str(escape(text)))
            return
        # the spaces around a changed run stay outside its tag
        words = text.strip()
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        parts.append(str(escape(lead)))
        if words:
            parts.append(f"<{tag}>{escape(words)}</{tag}>")
        parts.append(str(escape(trail)) if words else "")

    for token in tokens:
        if _is_break(token):
            flush()
            parts.append("</p><p>")
        else:
            piece.append(token)
    flush()


def text_diff(old: str | None, new: str | None) -> str | None:
    """A word-level diff of ``old`` and ``new`` as markup (``None`` when both are ``None``).

    The words are escaped; removed ones are wrapped in ``<del>``, added ones in ``<ins>``;
    paragraphs (newline runs) become ``<p>`` elements inside ``<div class="text-diff">``.
    """
    if old is None and new is None:
        return None
    a, b = _tokens(old), _tokens(new)
    parts: list[str] = [DIFF_OPEN, "<p>"]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            _emit(parts, a[a1:a2], None)
            continue
        if op in ("delete", "replace"):
            _emit(parts, a[a1:a2], "del")
        if op in ("insert", "replace"):
            _emit(parts, b[b1:b2], "ins")
    parts.append("</p>" + DIFF_CLOSE)
    return "".join(parts).replace("<p></p>", "")


def is_text_diff_markup(value: object) -> bool:
    """True when ``value`` is markup ``text_diff`` could have made: escaped text and only the
    ``div``/``p``/``ins``/``del`` tags it writes (so it is safe to show as HTML)."""
    return (isinstance(value, str) and value.startswith(DIFF_OPEN)
            and _DIFF_MARKUP.fullmatch(value) is not None)


# -- other renderings -------------------------------------------------------------------------
def paragraphs(text: str, css_class: str = "article-text") -> Markup:
    """Text as escaped ``<p>`` paragraphs (one per non-empty line)."""
    lines = [line.strip() for line in text.splitlines()]
    body = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    return Markup(f'<div class="{css_class}">{body}</div>')


def _snippet(value: str) -> Markup:
    marked = str(escape(value))
    marked = marked.replace(SNIPPET_START, '<mark class="search-hit">')
    marked = marked.replace(SNIPPET_END, "</mark>")
    # an unbalanced marker (a snippet cut inside a hit) must not leave a tag open
    opened, closed = marked.count("<mark "), marked.count("</mark>")
    return Markup(marked + "</mark>" * max(0, opened - closed))


def _url_lines(value: str) -> Markup:
    """Newline-separated URLs as one link per line (anything else stays escaped text)."""
    lines = []
    for line in value.splitlines():
        if line.startswith(("http://", "https://")):
            lines.append(f'<a href="{escape(line)}">{escape(line)}</a>')
        else:
            lines.append(str(escape(line)))
    return Markup("<br>".join(lines))


def _query_link(datasette, database: str, query: str, params: dict, label: str) -> Markup:
    href = datasette.urls.database(database) + f"/{query}?" + urllib.parse.urlencode(params)
    return Markup(f'<a href="{escape(href)}">{escape(label)}</a>')


def _compare_link(value: str, datasette, database: str) -> Markup | None:
    try:
        spec = json.loads(value)
        url, old, new = spec["url"], int(spec["from"]), int(spec["to"])
    except (ValueError, TypeError, KeyError):
        return None
    return _query_link(datasette, database, "version_diff",
                       {"url": url, "from": old, "to": new}, f"diff v{old} → v{new}")


@hookimpl
def render_cell(value, column, table, database, datasette, row=None):
    if column in CAPTURE_COLUMNS and isinstance(value, int) and not isinstance(value, bool):
        return _capture_link(datasette, database, value)
    if (table == "captures" and column == "record_id" and value and row is not None
            and "id" in row.keys()):
        return _capture_link(datasette, database, int(row["id"]), label=str(value))
    if not isinstance(value, str) or not value:
        return None
    if value.startswith(DIFF_OPEN):
        if is_text_diff_markup(value):
            return Markup(value)
        return None  # looks like a diff but is not one: Datasette escapes it as text
    if column in TEXT_COLUMNS:
        return paragraphs(value)
    if column == "snippet" and table is None:
        return _snippet(value)
    if column == "history" and table is None:
        return _query_link(datasette, database, "version_history", {"url": value}, "history")
    if column == "compare" and table is None:
        return _compare_link(value, datasette, database)
    if column == "urls" and table is None:
        return _url_lines(value)
    return None


# -- SQL function, stylesheet -----------------------------------------------------------------
@hookimpl
def prepare_connection(conn):
    conn.create_function("text_diff", 2, text_diff, deterministic=True)


async def _stylesheet(request):
    return Response(CSS, content_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "max-age=3600"})


# -- raw captures ------------------------------------------------------------------------------
#: Cells that name a capture and become a link to its raw page.
CAPTURE_COLUMNS = frozenset({"capture_id", "capture"})
CAPTURE_PATH = "/-/capture/{id}"
#: Never lets a stored page run a script, submit a form, reach this origin or load anything.
CAPTURE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
#: Stored content types served as they are (inside the sandbox); anything else is text/plain.
_SERVED_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/xml",
                 "application/xml", "application/rss+xml", "application/atom+xml")


def _capture_link(datasette, database: str, capture_id: int, label: str | None = None) -> Markup:
    href = datasette.urls.path(CAPTURE_PATH.format(id=capture_id)) + "?" + urllib.parse.urlencode(
        {"db": database})
    text = label or f"raw capture {capture_id}"
    return Markup(f'<a href="{escape(href)}" rel="nofollow">{escape(text)}</a>')


def _view_limit() -> int:
    from csto_crawler import settings

    return int(settings.CSTO_CAPTURE_VIEW_MAX_BYTES)


def _load_capture(conn, db_path: str, capture_id: int):
    from sqlite_utils import Database

    from csto_crawler.capture.read import CaptureReader

    return CaptureReader(db_path, Database(conn)).load(capture_id)


def _plain(text: str, status: int = 200) -> Response:
    return Response(text, status=status, content_type="text/plain; charset=utf-8",
                    headers={"Content-Security-Policy": CAPTURE_CSP,
                             "X-Content-Type-Options": "nosniff"})


async def _capture(request, datasette):
    from csto_crawler.capture.read import CaptureError

    capture_id = int(request.url_vars["capture_id"])
    name = request.args.get("db") or next(iter(datasette.databases), None)
    if name not in datasette.databases or datasette.databases[name].path is None:
        return _plain(f"no database {name!r}", 404)
    database = datasette.get_database(name)
    try:
        stored = await database.execute_fn(
            lambda conn: _load_capture(conn, database.path, capture_id))
    except CaptureError as exc:
        return _plain(f"capture {capture_id} cannot be shown: {exc}", 404)
    except Exception as exc:  # noqa: BLE001 (an archive without captures, a locked file …)
        logger.warning("capture %s: %s", capture_id, exc)
        return _plain(f"capture {capture_id} cannot be shown: {type(exc).__name__}", 404)
    content_type = next((v for k, v in stored.headers if k.lower() == "content-type"),
                        "application/octet-stream")
    limit = _view_limit()
    headers = {"Content-Security-Policy": CAPTURE_CSP, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
               "X-CSTO-Capture-URL": urllib.parse.quote(stored.url, safe=":/?&=%#"),
               "X-CSTO-Capture-Fetched-At": stored.fetched_at}
    body = stored.body
    if len(body) > limit:
        body = body[:limit]
        content_type = "text/plain; charset=utf-8"
        headers["X-CSTO-Capture-Truncated"] = f"{len(stored.body)} bytes, shown {limit}"
    elif request.args.get("format") == "text" or not content_type.lower().startswith(
            _SERVED_TYPES):
        charset = re.search(r"charset=([\w-]+)", content_type, re.I)
        content_type = f"text/plain; charset={charset.group(1) if charset else 'utf-8'}"
    return Response(body, status=200, content_type=content_type, headers=headers)


@hookimpl
def register_routes():
    return [(r"^/-/csto-archive\.css$", _stylesheet),
            (r"^/-/capture/(?P<capture_id>\d+)$", _capture)]


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path(CSS_PATH)]


# -- the year facet ---------------------------------------------------------------------------
class YearFacet(Facet):
    """Rows per year of an ISO-8601 date column (``{"year": "published_at"}``)."""

    type = "year"

    async def suggest(self):
        return []  # configured in metadata.yml or with ?_facet_year=COLUMN, never suggested

    async def facet_results(self):
        results, timed_out = [], []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config, source = source_and_config["config"], source_and_config["source"]
            column = config.get("column") or config["simple"]
            year = f"substr({escape_sqlite(column)}, 1, 4)"
            sql = (f"select {year} as value, count(*) as count from ({self.sql}) "
                   f"where {escape_sqlite(column)} glob '[0-9][0-9][0-9][0-9]-*' "
                   f"group by value order by value desc limit {size + 1}")
            try:
                rows = await self.ds.execute(
                    self.database, sql, self.params, truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for row in rows.rows[:size]:
                selected = args.get(key) == row["value"]
                change = (path_with_removed_args(self.request, {key: row["value"]}) if selected
                          else path_with_added_args(self.request, {key: row["value"]}))
                values.append({"value": row["value"], "label": row["value"],
                               "count": row["count"], "selected": selected,
                               "toggle_url": self.ds.absolute_url(self.request, change)})
            results.append({
                "name": column, "type": self.type, "results": values,
                "hideable": source != "metadata", "truncated": len(rows.rows) > size,
                "toggle_url": path_with_removed_args(self.request, {"_facet_year": column}),
            })
        return results, timed_out


@hookimpl
def register_facet_classes():
    return [YearFacet]
