"""Stories across sites: the same statement or news item republished by several outlets.

* ``text``: normalised word shingles of a cleaned text and the exact similarity check;
* ``index``: MinHash signatures and the LSH index persisted in the archive, and the rule that
  puts each document into a story (``StoryIndex``);
* ``chart``: articles per site per month as a static SVG;
* ``summary``: what the archive's stories amount to, in a line for ``csto demo``.

The store pipeline places every new document version (``StoryIndex.assign``); docs/stories.md
describes the method, its thresholds and their measurement.
"""

from pipelines.stories.index import StoryIndex

__all__ = ["StoryIndex"]
