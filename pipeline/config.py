"""sources.yaml → typed, validated settings; every error names the file, line and key at fault."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

DEFAULT_USER_AGENT = "partner-archive/0.1 (+https://github.com/partner-archive; archive@example.org)"


@dataclass
class Source:
    name: str
    start_urls: list[str]
    allowed_hosts: list[str] = field(default_factory=list)
    canonical_host: str | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    drop_params: list[str] = field(default_factory=lambda: [r"s\d+", r"c\d+"])
    # Paths whose list-state parameters page a listing: kept there, one list at a time.
    paginate: list[str] = field(default_factory=lambda: [r"^/de/presse/pressemitteilungen/?$"])
    rate: float = 1.0
    concurrency: int = 1
    max_pages: int = 5000
    max_depth: int = 8
    timeout: float = 20.0
    max_bytes: int = 10_000_000
    retries: int = 3
    retry_backoff: float = 1.0  # base seconds of the exponential backoff between attempts
    retry_after_cap: float = 60.0
    max_redirects: int = 5
    near_duplicate_threshold: float = 0.8
    selectors: dict[str, str] = field(default_factory=dict)  # optional parser hints, e.g. {"title": "h1"}

    def __post_init__(self) -> None:
        if not self.allowed_hosts:
            from urllib.parse import urlsplit

            self.allowed_hosts = sorted({urlsplit(u).netloc.lower() for u in self.start_urls})
        if self.canonical_host is None:
            from urllib.parse import urlsplit

            self.canonical_host = urlsplit(self.start_urls[0]).netloc.lower() if self.start_urls else None


@dataclass
class Config:
    path: Path
    user_agent: str
    sources: list[Source]

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources)
        raise ConfigError(f"{self.path}: no source named {name!r} (known: {known})")

    def select(self, names: list[str] | None) -> list[Source]:
        return [self.source(n) for n in names] if names else list(self.sources)


_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "start_urls": (list,),
    "allowed_hosts": (list,),
    "canonical_host": (str,),
    "include": (list,),
    "exclude": (list,),
    "drop_params": (list,),
    "paginate": (list,),
    "rate": (int, float),
    "concurrency": (int,),
    "max_pages": (int,),
    "max_depth": (int,),
    "timeout": (int, float),
    "max_bytes": (int,),
    "retries": (int,),
    "retry_backoff": (int, float),
    "retry_after_cap": (int, float),
    "max_redirects": (int,),
    "near_duplicate_threshold": (int, float),
    "selectors": (dict,),
}
_REGEX_LISTS = ("include", "exclude", "drop_params", "paginate")
_POSITIVE = ("rate", "concurrency", "max_pages", "timeout", "max_bytes", "retries", "max_redirects")


def _line(node: yaml.Node | None) -> str:
    return f"line {node.start_mark.line + 1}" if node is not None else "?"


def _key_nodes(mapping: yaml.Node | None) -> dict[str, yaml.Node]:
    if not isinstance(mapping, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in mapping.value if isinstance(k, yaml.ScalarNode)}


def load(path: str | Path) -> Config:
    """Read and validate a sources.yaml; raise ConfigError with file, line and key on any fault."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p}: cannot read configuration: {e}") from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        raise ConfigError(f"{p}:{where}: not valid YAML: {getattr(e, 'problem', e)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a mapping with keys 'user_agent' and 'sources'")
    top = _key_nodes(root)
    for key in data:
        if key not in ("user_agent", "sources"):
            raise ConfigError(f"{p}:{_line(top.get(key))}: unknown key {key!r} "
                              "(allowed: user_agent, sources)")
    ua = data.get("user_agent", DEFAULT_USER_AGENT)
    if not isinstance(ua, str) or not ua.strip():
        raise ConfigError(f"{p}:{_line(top.get('user_agent'))}: 'user_agent' must be a non-empty string")
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{p}:{_line(top.get('sources'))}: 'sources' must be a non-empty list")
    seq = top.get("sources")
    nodes = seq.value if isinstance(seq, yaml.SequenceNode) else [None] * len(raw_sources)
    sources = [_source(p, i, raw, node) for i, (raw, node) in enumerate(zip(raw_sources, nodes, strict=True))]
    names = [s.name for s in sources]
    for n in names:
        if names.count(n) > 1:
            raise ConfigError(f"{p}: source name {n!r} is used more than once")
    return Config(path=p, user_agent=ua, sources=sources)


def _source(p: Path, i: int, raw: Any, node: yaml.Node | None) -> Source:
    where = f"{p}:{_line(node)}: sources[{i}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each source must be a mapping")
    keys = _key_nodes(node)
    known = {f.name for f in fields(Source)}
    for key, value in raw.items():
        at = f"{p}:{_line(keys.get(key))}: sources[{i}].{key}"
        if key not in known:
            raise ConfigError(f"{at}: unknown key {key!r}")
        types = _TYPES[key]
        if isinstance(value, bool) or not isinstance(value, types):
            names = " or ".join(t.__name__ for t in types)
            raise ConfigError(f"{at}: expected {names}, got {type(value).__name__}")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{at}: every entry must be a string")
        if key in _REGEX_LISTS:
            for pattern in value:
                try:
                    re.compile(pattern)
                except re.error as e:
                    raise ConfigError(f"{at}: bad regular expression {pattern!r}: {e}") from None
        if key in _POSITIVE and value <= 0:
            raise ConfigError(f"{at}: must be greater than 0")
    for key in ("name", "start_urls"):
        if key not in raw:
            raise ConfigError(f"{where}: missing required key {key!r}")
    if not raw["start_urls"]:
        raise ConfigError(f"{where}.start_urls: needs at least one URL")
    for u in raw["start_urls"]:
        if not re.match(r"^https?://[^/\s]+", u):
            raise ConfigError(f"{where}.start_urls: not an http(s) URL: {u!r}")
    thr = raw.get("near_duplicate_threshold", 0.8)
    if not 0 < thr <= 1:
        raise ConfigError(f"{where}.near_duplicate_threshold: must be in (0, 1]")
    src = Source(**raw)
    src.allowed_hosts = [h.lower() for h in src.allowed_hosts]
    if src.canonical_host:
        src.canonical_host = src.canonical_host.lower()
    return src
