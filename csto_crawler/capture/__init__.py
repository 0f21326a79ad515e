"""Raw captures: every article response kept as WARC records, tied to the versions made from it.

* ``warc``: the WARC/1.1 writer (warcio, gzip per record, rotating files, ``warcinfo``);
* ``log``: one exchange written and flushed, then its ``captures`` row committed; revisits
  for identical payloads and 304 answers;
* ``middleware``: the downloader middleware that captures per ``CSTO_CAPTURE``;
* ``read``: reading a capture back (resolving revisits) and checking its digest;
* ``check``, ``reextract``, ``importer``, ``wacz``: the work behind ``csto check``,
  ``csto reextract``, ``csto import-warc`` and ``csto export --format wacz``.

See ``docs/captures.md``.
"""
