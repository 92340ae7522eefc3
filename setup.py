"""Build hook: the parser package, compiled by Cython from its own unchanged Python source.

Everything else lives in pyproject.toml. The compiled modules are an optional speed-up: the same source
runs as plain Python when Cython or a C compiler is missing, when a module fails to compile, or when
PARTNER_ARCHIVE_PURE=1 is set. `annotation_typing` is off, so type hints are not turned into run-time
checks or C types: the compiled parser keeps Python's semantics exactly (tests/test_compiled_parser.py
compares its records with the source's). The build records the SHA-256 of each source it compiled, so that
pipeline/compiled.py never runs a compiled module older than its source.
"""

from __future__ import annotations

import json
import os
import runpy
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED_PACKAGE = Path("pipeline") / "parse"
# the manifest's name and digest come from its reader (loaded by path: the package is not installed yet)
_READER = runpy.run_path(str(Path("pipeline") / "compiled.py"))
MANIFEST: str = _READER["MANIFEST"]
source_digest = _READER["source_digest"]


def _extensions() -> list:
    if os.environ.get("PARTNER_ARCHIVE_PURE", "") not in ("", "0"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    from setuptools import Extension

    exts = [Extension(".".join((*COMPILED_PACKAGE.parts, path.stem)),  # "__init__" too: the package stays one
                      [str(path)], optional=True)  # optional: a module that fails to compile stays Python
            for path in sorted(COMPILED_PACKAGE.glob("*.py"))]
    return cythonize(exts, quiet=True, nthreads=os.cpu_count() or 1,
                     compiler_directives={"language_level": 3, "annotation_typing": False})


class BuildExt(build_ext):
    """build_ext, then the manifest of the sources behind the modules that were built."""

    def run(self) -> None:
        super().run()
        built: dict[str, str] = {}
        folder = None
        for ext in self.extensions:
            target = Path(self.get_ext_fullpath(ext.name))
            folder = target.parent
            if target.is_file():
                name = ext.name.rsplit(".", 1)[1]
                built[name] = source_digest(COMPILED_PACKAGE / f"{name}.py")
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            manifest = json.dumps(built, indent=1, sort_keys=True) + "\n"
            (folder / MANIFEST).write_text(manifest, encoding="utf-8")


# parallel: one C file per core (19 modules take about 80 s on one core)
setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExt},
      options={"build_ext": {"parallel": os.cpu_count() or 1}})
