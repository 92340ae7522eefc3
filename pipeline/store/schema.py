"""Opening archive databases: connection settings, the fts extension, schema creation and migrations."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

from ..errors import ArchiveError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4

# No hidden downloads: the fts extension comes from the duckdb-extension-fts wheel, nothing else loads.
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def fts_extension_path() -> Path:
    import duckdb_extension_fts

    base = Path(duckdb_extension_fts.__file__).parent / "extensions"
    path = base / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not path.exists():
        found = sorted(base.glob("v*/fts.duckdb_extension"))
        if not found:
            raise ArchiveError(f"{base}: the fts extension is missing (pip install duckdb-extension-fts)")
        path = found[-1]
    return path


def connect(path: Path | str, read_only: bool = False,
            memory_limit: str = "512MB") -> duckdb.DuckDBPyConnection:
    """A connection with extension auto-install/auto-load off and the bundled fts extension loaded.

    The memory limit bounds DuckDB's page cache, which otherwise grows with the archive (the
    writer's memory must stay flat however many articles it holds); DuckDB spills beyond it."""
    config = dict(_CONFIG, memory_limit=memory_limit)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as e:
        raise ArchiveError(f"{path}: cannot open the archive database: {e}") from None
    con.execute(f"LOAD '{fts_extension_path()}'")
    return con


def _migrate_to_2(con: duckdb.DuckDBPyConnection) -> None:
    """Near-duplicate links, LSH band keys and per-URL gone markers."""
    con.execute("ALTER TABLE articles ADD COLUMN IF NOT EXISTS duplicate_of BIGINT")
    con.execute("ALTER TABLE article_urls ADD COLUMN IF NOT EXISTS gone_since TIMESTAMP")
    con.execute("""CREATE TABLE IF NOT EXISTS near_duplicates (
        article_id BIGINT NOT NULL, duplicate_of BIGINT NOT NULL, similarity DOUBLE NOT NULL,
        run_id INTEGER, detected TIMESTAMP)""")
    con.execute("CREATE TABLE IF NOT EXISTS lsh_bands (band_key BIGINT NOT NULL, article_id BIGINT NOT NULL)")


def _migrate_to_3(con: duckdb.DuckDBPyConnection) -> None:
    """The payload digest of each full response record, for revisits across runs."""
    con.execute("ALTER TABLE fetch_log ADD COLUMN IF NOT EXISTS payload_digest VARCHAR")


def _migrate_to_4(con: duckdb.DuckDBPyConnection) -> None:
    """The links of each article's stored version (the record's `links`), in page order."""
    con.execute("CREATE TABLE IF NOT EXISTS links (article_id BIGINT NOT NULL, position INTEGER, "
                "url VARCHAR NOT NULL)")


MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    2: _migrate_to_2, 3: _migrate_to_3, 4: _migrate_to_4}

VIEWS = {
    # Articles per partner city per month; near-duplicates are not counted twice.
    "partner_city_months": """
        SELECT city AS partner_city, CAST(date_trunc('month', published) AS DATE) AS month,
               count(*) AS articles
        FROM (SELECT unnest(partner_cities) AS city, published FROM articles
              WHERE published IS NOT NULL AND duplicate_of IS NULL)
        GROUP BY ALL ORDER BY partner_city, month""",
    # Every person with the roles the pages give, how many articles name them, first and last mention.
    "people_mentions": """
        SELECT p.name, list(DISTINCT p.role ORDER BY p.role) FILTER (WHERE p.role IS NOT NULL) AS roles,
               count(DISTINCT p.article_id) AS mentions, min(a.published) AS first_mention,
               max(a.published) AS last_mention
        FROM people p JOIN articles a ON a.id = p.article_id
        WHERE a.duplicate_of IS NULL
        GROUP BY p.name ORDER BY mentions DESC, p.name""",
    # Image credits and photographers with how often and when they were used.
    "image_credits": """
        SELECT i.credit, i.photographer, count(*) AS images, count(DISTINCT i.article_id) AS articles,
               min(a.published) AS first_used, max(a.published) AS last_used
        FROM images i JOIN articles a ON a.id = i.article_id
        WHERE i.credit IS NOT NULL OR i.photographer IS NOT NULL
        GROUP BY ALL ORDER BY images DESC, i.credit""",
    # One row per URL an article was seen under, with the article's title: where aliases lead.
    "url_aliases": """
        SELECT u.url, u.article_id, a.canonical_url, a.title, u.first_seen, u.last_seen, u.gone_since
        FROM article_urls u JOIN articles a ON a.id = u.article_id ORDER BY u.article_id, u.url""",
}


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    has = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version'").fetchone()
    if not has or not has[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def ensure(con: duckdb.DuckDBPyConnection) -> int:
    """Create a new archive or migrate an older one forward; returns the schema version reached."""
    version = current_version(con)
    if version > SCHEMA_VERSION:
        raise ArchiveError(f"the archive has schema version {version}, newer than this program's "
                           f"{SCHEMA_VERSION}; update partner-archive")
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN")
    try:
        if version == 0:
            con.execute(resources.files("pipeline").joinpath("schema.sql").read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_version VALUES (1, ?)", [now])
            version = 1
        for target in range(version + 1, SCHEMA_VERSION + 1):
            log.info("migrating the archive to schema version %d", target)
            MIGRATIONS[target](con)
            con.execute("INSERT INTO schema_version VALUES (?, ?)", [target, now])
        for name, sql in VIEWS.items():
            con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION
