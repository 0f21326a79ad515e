"""Benchmarks of csto-archive: scripts that print tables, not tests (see docs/benchmarks.md).

* ``python -m bench``: every benchmark in one run (``--quick`` for a smoke run);
* ``bench/synthetic.py``: the large synthetic sample site the mirror serves;
* ``bench/crawl.py``: one measured crawl in a child process (the project, or a bare spider);
* ``bench/profile.py``: where the time of a crawl goes (pyinstrument);
* ``bench/extraction.py``: milliseconds per page of the extraction alone.
"""
