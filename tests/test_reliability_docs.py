"""``docs/reliability.md`` stays true: every test it cites exists, and every reliability test is cited."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
CITED = set(re.findall(r"`(tests/test_\w+\.py)::(\w+)`", DOC))


def test_every_cited_test_exists():
    missing = [f"{path}::{name}" for path, name in sorted(CITED)
               if not re.search(rf"^def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.M)]
    assert not missing, missing


def test_every_reliability_test_is_in_the_table():
    uncited = []
    for path in sorted((ROOT / "tests").glob("test_reliability_*.py")):
        if path.name == Path(__file__).name:
            continue
        for name in re.findall(r"^def (test_\w+)\(", path.read_text(encoding="utf-8"), re.M):
            if (f"tests/{path.name}", name) not in CITED:
                uncited.append(f"tests/{path.name}::{name}")
    assert not uncited, f"add these to docs/reliability.md: {uncited}"
