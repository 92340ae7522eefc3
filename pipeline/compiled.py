"""Which build of the parser runs: the modules Cython compiled from pipeline/parse (setup.py), or the source.

A compiled module sits beside its source and Python prefers it, so after an edit the old compiled code
would go on running. `choose_parser_build()` (called when `pipeline` is imported, before any parser
module) therefore checks each compiled module against the SHA-256 of the source it was built from,
recorded by the build in `_compiled_from.json`; if any differs (or PARTNER_ARCHIVE_PURE=1 is set), the
whole parser package is imported from its source instead, and a stale build is reported once.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

logger = logging.getLogger(__name__)

PACKAGE = "pipeline.parse"
PACKAGE_DIR = Path(__file__).resolve().parent / "parse"
MANIFEST = "_compiled_from.json"  # {module name: SHA-256 of the source it was compiled from}
PURE_ENV = "PARTNER_ARCHIVE_PURE"


def source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compiled_modules(folder: Path = PACKAGE_DIR) -> dict[str, Path]:
    """The compiled modules in `folder` for this interpreter, by module name."""
    out: dict[str, Path] = {}
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for path in folder.glob(f"*{suffix}"):
            out.setdefault(path.name[: -len(suffix)], path)
    return out


def stale_modules(folder: Path = PACKAGE_DIR) -> list[str]:
    """Compiled modules whose source is not the one they were built from (or that nothing records)."""
    compiled = compiled_modules(folder)
    if not compiled:
        return []
    try:
        built_from = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        built_from = {}
    stale = []
    for name in sorted(compiled):
        source = folder / f"{name}.py"
        if source.is_file() and built_from.get(name) != source_digest(source):
            stale.append(name)
    return stale


class SourceFinder(importlib.abc.MetaPathFinder):
    """Finds the parser package and its modules as .py source files, ahead of their compiled builds."""

    def __init__(self, package: str = PACKAGE, folder: Path = PACKAGE_DIR) -> None:
        self.package, self.folder = package, folder

    def find_spec(self, fullname: str, path: object = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname == self.package:
            return importlib.util.spec_from_file_location(
                fullname, self.folder / "__init__.py", submodule_search_locations=[str(self.folder)])
        head, _, name = fullname.rpartition(".")
        source = self.folder / f"{name}.py"
        if head == self.package and source.is_file():
            return importlib.util.spec_from_file_location(fullname, source)
        return None


def choose_parser_build() -> None:
    """Import the parser from source when its compiled build is stale or PARTNER_ARCHIVE_PURE=1 is set."""
    if PACKAGE in sys.modules or any(isinstance(f, SourceFinder) for f in sys.meta_path):
        return
    forced = os.environ.get(PURE_ENV, "") not in ("", "0")
    stale = [] if forced else stale_modules()
    if forced or stale:
        sys.meta_path.insert(0, SourceFinder())
    if stale:
        logger.warning("the compiled parser is older than its source (%s): running the source instead; "
                       "`make build` compiles it again", ", ".join(stale))


def parser_is_compiled() -> bool:
    """Whether the parser modules now imported run compiled code."""
    import pipeline.parse.text as text

    return not str(text.__file__).endswith(".py")
