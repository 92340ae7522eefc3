"""The compiled parser (setup.py, Cython) gives the records its source gives, and never runs stale.

The equivalence test parses the same corpus twice, in two fresh processes: once as built, once with
PARTNER_ARCHIVE_PURE=1 (the .py source). The corpus is every page of the mirror in every markup variant,
plus those pages cut short and shuffled (broken markup), with a fixed random seed.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import compiled
from pipeline.compiled import SourceFinder, stale_modules

REPO = Path(__file__).resolve().parents[1]

CORPUS_SCRIPT = r"""
import hashlib, json, random, sys
from pipeline.compiled import parser_is_compiled
from pipeline.mirror.site import Site
from pipeline.parse import parse

rng = random.Random(20261203)
out = {"compiled": parser_is_compiled(), "records": []}
for snapshot in (1, 2):
    for variant in (None, "html5", "tables", "divsoup"):
        site = Site(snapshot=snapshot, template=variant)
        for info in site.pages():
            resp = site.render(info.path)
            url = "https://www.krefeld.de" + info.path
            bodies = [resp.body]
            if variant is None:  # broken copies: cut short, and with a slice of the markup moved
                cut = rng.randrange(1, max(2, len(resp.body)))
                a, b = sorted(rng.randrange(len(resp.body) + 1) for _ in range(2))
                bodies += [resp.body[:cut], resp.body[b:] + resp.body[a:b] + resp.body[:a]]
            for body in bodies:
                rec = parse(body, url, resp.headers).to_dict()
                out["records"].append(json.dumps(rec, sort_keys=True, ensure_ascii=False, default=str))
json.dump(out, sys.stdout)
"""


def _corpus_records(pure: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != compiled.PURE_ENV}
    if pure:
        env[compiled.PURE_ENV] = "1"
    done = subprocess.run([sys.executable, "-c", CORPUS_SCRIPT], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_compiled_build_is_current() -> None:
    """A build that exists matches the source (`make test` rebuilds it before the tests run)."""
    stale = stale_modules()
    assert not stale, f"compiled from another version of their source: {stale}; run `make build`"


@pytest.mark.skipif(not compiled.compiled_modules(), reason="no compiled parser (no Cython or C compiler)")
def test_compiled_parser_gives_the_records_of_its_source() -> None:
    built, source = _corpus_records(pure=False), _corpus_records(pure=True)
    assert built["compiled"] is True and source["compiled"] is False
    assert len(built["records"]) == len(source["records"]) > 300
    pairs = zip(built["records"], source["records"], strict=True)
    differing = [i for i, (a, b) in enumerate(pairs) if a != b]
    assert not differing, f"{len(differing)} records differ; first: {built['records'][differing[0]][:300]}"


def _fake_package(tmp_path: Path) -> Path:
    """A package `fakepkg` whose module `mod` has a source and a (broken) compiled build beside it."""
    folder = tmp_path / "fakepkg"
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "mod.py").write_text("WHO = 'source'\n", encoding="utf-8")
    (folder / f"mod{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"not a shared object")
    return folder


def test_a_compiled_module_is_stale_unless_built_from_this_source(tmp_path: Path) -> None:
    folder = _fake_package(tmp_path)
    assert stale_modules(folder) == ["mod"]  # no manifest: nothing says what it was built from
    (folder / compiled.MANIFEST).write_text(json.dumps({"mod": compiled.source_digest(folder / "mod.py")}),
                                            encoding="utf-8")
    assert stale_modules(folder) == []
    (folder / "mod.py").write_text("WHO = 'edited source'\n", encoding="utf-8")
    assert stale_modules(folder) == ["mod"]


def test_the_source_finder_imports_the_source_ahead_of_a_compiled_build(tmp_path: Path) -> None:
    folder = _fake_package(tmp_path)
    script = ("import sys; sys.path.insert(0, sys.argv[1])\n"
              "try:\n    import fakepkg.mod\nexcept ImportError:\n    print('compiled build tried')\n")
    plain = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                           check=True)
    assert plain.stdout.strip() == "compiled build tried"  # Python prefers the compiled module
    finder = SourceFinder("fakepkg", folder)
    sys.meta_path.insert(0, finder)
    sys.path.insert(0, str(tmp_path))
    try:
        import fakepkg.mod  # type: ignore[import-not-found]

        assert fakepkg.mod.WHO == "source" and fakepkg.mod.__file__.endswith("mod.py")
    finally:
        sys.meta_path.remove(finder)
        sys.path.remove(str(tmp_path))
        for name in ("fakepkg.mod", "fakepkg"):
            sys.modules.pop(name, None)
