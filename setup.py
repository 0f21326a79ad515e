"""Build step: ship the checkout's ``seeds/*.yml`` inside the ``csto_crawler`` package.

All metadata is in ``pyproject.toml``; this file only adds that copy to ``build_py``. It is
what ``scrapyd-deploy`` runs (``setup.py bdist_egg``) to make the egg it uploads to Scrapyd
(without it, scrapyd-deploy would write a generic one), and wheels get the copy too. The
copy is made at build time only: ``seeds/`` stays the one place the data is edited. At run
time ``csto_crawler.packaged.seeds_dir`` falls back to it when there is no checkout.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SEEDS = Path(__file__).resolve().parent / "seeds"
#: Keep in step with ``csto_crawler.packaged.PACKAGED_SEEDS``.
PACKAGED_SEEDS = Path("csto_crawler", "seed_data")


class BuildPyWithSeeds(build_py):
    """``build_py`` plus a copy of ``seeds/*.yml`` into ``csto_crawler/seed_data/``."""

    def run(self):
        super().run()
        seeds = sorted(SEEDS.glob("*.yml"))
        if not seeds:
            raise SystemExit(f"no seed files in {SEEDS}: the package would not work without a checkout")
        target = Path(self.build_lib) / PACKAGED_SEEDS
        self.mkpath(str(target))
        for source in seeds:
            self.copy_file(str(source), str(target / source.name))


setup(cmdclass={"build_py": BuildPyWithSeeds})
