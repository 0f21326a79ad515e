"""Run a command and report its peak memory: ``python tests/peak_rss.py CMD…``.

The peak resident set size of the command and of every process it started (the largest
single one: the crawl process or one of its extraction workers) goes to the last line of
stderr as ``peak_rss_mb=N``. A test reads it with ``reliability.peak_mb``; measured in this
fresh process, it cannot be inflated by what earlier tests ran (``RUSAGE_CHILDREN`` of the test
process keeps the largest child of the whole session).
"""

import resource
import subprocess
import sys

if __name__ == "__main__":
    code = subprocess.call(sys.argv[1:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak_rss_mb={peak:.1f}", file=sys.stderr)
    sys.exit(code)
