"""Datasette plugin of the CSTO archive's stories: links to the story page, the coverage chart,
and feed columns kept out of the HTML tables.

* ``render_cell``: a story id (a ``story`` column of a canned query, ``story_id`` of the
  ``articles`` view and the ``documents`` table) and a story's title in the ``stories`` table
  link to the ``story`` canned query (the story page: its articles across sites, the first
  publisher, each republication's lag);
* ``/-/coverage.svg``: articles per site per month (``pipelines.stories.chart``), drawn from
  the archive when asked;
* the ``atom_*`` columns every canned query returns for ``datasette-atom`` (``.atom`` feeds)
  are hidden on HTML pages by the stylesheet; JSON, CSV and the feeds keep them;
* a feed of a query with no row is an empty Atom feed (``datasette-atom`` 0.9 answers it with
  an error: it takes the newest ``atom_updated`` of no rows), so a subscription to a search
  that has matched nothing yet keeps working.
"""

from __future__ import annotations

import logging
import urllib.parse

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

logger = logging.getLogger(__name__)

CSS_PATH = "/-/csto-stories.css"
CHART_PATH = "/-/coverage.svg"
#: The feed columns of the canned queries (``datasette-atom``), hidden in HTML tables.
ATOM_COLUMNS = ("atom_id", "atom_title", "atom_updated", "atom_link", "atom_content")
CSS = "".join(f"th.col-{c}, td.col-{c} {{ display: none; }}\n" for c in ATOM_COLUMNS)


def _story_link(datasette, database: str, story: int, label: str) -> Markup:
    href = (datasette.urls.database(database) + "/story?"
            + urllib.parse.urlencode({"id": story}))
    return Markup(f'<a href="{escape(href)}">{escape(label)}</a>')


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column == "story" and table is None and isinstance(value, int):
        return _story_link(datasette, database, value, f"story {value}")
    if column == "story_id" and table in ("articles", "documents") and isinstance(value, int):
        return _story_link(datasette, database, value, f"story {value}")
    if column == "title" and table == "stories" and isinstance(value, str) and value:
        story = row["id"] if "id" in row.keys() else None
        if isinstance(story, int):
            return _story_link(datasette, database, story, value)
    return None


async def _stylesheet(request):
    return Response(CSS, content_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "max-age=3600"})


async def _coverage(request, datasette):
    from pipelines.stories.chart import coverage_svg

    database = datasette.get_database()
    svg = await database.execute_fn(coverage_svg)
    return Response(svg, content_type="image/svg+xml; charset=utf-8")


@hookimpl
def register_routes():
    return [(r"^/-/csto-stories\.css$", _stylesheet), (r"^/-/coverage\.svg$", _coverage)]


def _empty_feed_safe(render):
    """``datasette-atom``'s renderer, answering an empty feed for a query with no rows."""

    def render_atom(datasette, request, sql, columns, rows, database, table, query_name,
                    view_name, data):
        if rows:
            return render(datasette=datasette, request=request, sql=sql, columns=columns,
                          rows=rows, database=database, table=table, query_name=query_name,
                          view_name=view_name, data=data)
        from feedgen.feed import FeedGenerator

        feed = FeedGenerator()
        feed.id(request.url)
        feed.link(href=request.url, rel="self")
        title = sql
        if query_name:
            queries = (datasette.metadata(database=database) or {}).get("queries") or {}
            title = (queries.get(query_name) or {}).get("title") or query_name
        feed.title(title)
        feed.updated("1970-01-01T00:00:00Z")  # nothing yet: no entry has a time
        return Response(feed.atom_str(pretty=True),
                        content_type="application/xml; charset=utf-8", status=200)

    render_atom.csto_empty_safe = True
    return render_atom


@hookimpl
def startup(datasette):
    atom = datasette.renderers.get("atom")
    if atom is not None and not getattr(atom[0], "csto_empty_safe", False):
        datasette.renderers["atom"] = (_empty_feed_safe(atom[0]), atom[1])


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path(CSS_PATH)]
