"""docs/architecture.md stays true: every path it names exists, and every library under
src/ has its place in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
TOP_FOLDERS = ("src", "tests", "scripts", "bench", "deploy", "docs", "fuzz")
PATH = re.compile(r"(?<![\w./-])((?:%s)/[\w./-]*[\w/])" % "|".join(TOP_FOLDERS))


def named_paths(text: str) -> set[str]:
    return {match.group(1) for match in PATH.finditer(text)}


def test_the_path_pattern_finds_what_the_page_names():
    found = named_paths("see `src/core/handler.cpp`, docs/design.md and `tests/unit/`.")
    assert found == {"src/core/handler.cpp", "docs/design.md", "tests/unit/"}


def test_every_path_the_page_names_exists():
    paths = named_paths(DOC.read_text())
    assert len(paths) > 30, "the page names fewer paths than it did: is the pattern broken?"
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_every_library_under_src_is_on_the_page():
    text = DOC.read_text()
    libraries = sorted(p.name for p in (ROOT / "src").iterdir() if p.is_dir())
    absent = [name for name in libraries if f"src/{name}/" not in text]
    assert not absent, f"docs/architecture.md does not place these libraries: {absent}"
