"""Where the settings find their data files: in a checkout, or inside an installed package.

In a checkout (the folder of ``scrapy.cfg``) the seeds are the repository's ``seeds/`` folder
and the archive defaults to ``archive/archive.db`` there. A built package has no such folder:
the build (``setup.py``'s ``build_py`` step, which ``scrapyd-deploy`` runs to make its egg)
copies ``seeds/*.yml`` into the package as ``csto_crawler/seed_data/``. A Scrapyd egg is a zip
file, and the loaders read plain files, so a zipped copy is extracted once per process into a
temporary folder (removed at exit).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

from csto_crawler import PROJECT_ROOT

__all__ = ["PACKAGED_SEEDS", "in_checkout", "seeds_dir", "data_root"]

#: The folder inside the ``csto_crawler`` package that a build fills from ``seeds/``.
PACKAGED_SEEDS = "seed_data"


def in_checkout(root: Path = PROJECT_ROOT) -> bool:
    """Whether the code runs from a checkout (``scrapy.cfg`` next to the package)."""
    return (root / "scrapy.cfg").is_file()


def data_root(root: Path = PROJECT_ROOT) -> Path:
    """The folder relative defaults live in: the checkout, else the working folder.

    A Scrapyd job runs from an egg (a zip file), where nothing can be written; its default
    archive is then ``archive/archive.db`` under Scrapyd's working folder.
    """
    return root if in_checkout(root) else Path.cwd()


def seeds_dir(root: Path = PROJECT_ROOT) -> Path:
    """The seeds folder: the checkout's ``seeds/``, else the package's copy as plain files.

    When neither exists, the checkout's path is returned so that errors name the usual place.
    """
    checkout = root / "seeds"
    if checkout.is_dir():
        return checkout
    return _packaged_seeds() or checkout


@lru_cache(maxsize=1)
def _packaged_seeds() -> Path | None:
    folder = resources.files("csto_crawler").joinpath(PACKAGED_SEEDS)
    if not folder.is_dir():
        return None
    if isinstance(folder, Path):  # an unpacked install: read in place
        return folder
    extracted = Path(tempfile.mkdtemp(prefix="csto-seeds-"))
    atexit.register(shutil.rmtree, extracted, ignore_errors=True)
    for entry in folder.iterdir():
        if entry.is_file():
            (extracted / entry.name).write_bytes(entry.read_bytes())
    return extracted
