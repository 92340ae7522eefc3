-- The archive's base schema (schema version 1). Later versions are forward migrations in
-- pipeline/store/schema.py; a new archive runs this file and then every migration, so both paths
-- end in the same tables. Ids are assigned by the single writer; no indexes (joins do the lookups).

CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL,
    applied TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS sources (
    name VARCHAR NOT NULL,          -- the source's name in sources.yaml
    first_run INTEGER,
    last_run INTEGER
);

CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER NOT NULL,
    started TIMESTAMP NOT NULL,
    finished TIMESTAMP,             -- NULL: still running, or killed (status 'aborted')
    status VARCHAR NOT NULL,
    sources VARCHAR[],
    pages_fetched INTEGER DEFAULT 0,
    pages_new INTEGER DEFAULT 0,
    pages_changed INTEGER DEFAULT 0,
    pages_unchanged INTEGER DEFAULT 0,
    pages_failed INTEGER DEFAULT 0,
    pages_gone INTEGER DEFAULT 0,
    skipped_robots INTEGER DEFAULT 0,
    off_scope INTEGER DEFAULT 0,
    failed_urls VARCHAR[]
);

CREATE TABLE IF NOT EXISTS fetch_log (
    run_id INTEGER NOT NULL,
    url VARCHAR NOT NULL,
    final_url VARCHAR,
    status INTEGER,
    bytes BIGINT,
    error VARCHAR,
    fetched_at TIMESTAMP,
    elapsed DOUBLE,
    not_modified BOOLEAN,
    etag VARCHAR,
    last_modified VARCHAR,
    content_type VARCHAR,
    warc_file VARCHAR,
    warc_offset BIGINT
);

CREATE TABLE IF NOT EXISTS articles (
    id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    url VARCHAR NOT NULL,           -- the URL of the latest capture
    canonical_url VARCHAR NOT NULL, -- the URL that identifies the article (first canonical URL seen)
    kind VARCHAR,
    title VARCHAR,
    subtitle VARCHAR,
    published DATE,
    lead VARCHAR,
    text VARCHAR,
    partner_cities VARCHAR[],
    first_seen TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    version INTEGER NOT NULL,
    gone_since TIMESTAMP,
    content_hash VARCHAR NOT NULL,  -- normalised title + text (dedup.content_hash)
    record_hash VARCHAR NOT NULL,   -- every parsed field (dedup.record_hash): a change makes a version
    etag VARCHAR,
    last_modified VARCHAR,
    parser_version VARCHAR,
    warc_file VARCHAR,
    warc_offset BIGINT,
    first_run INTEGER,
    last_run INTEGER,
    changed_run INTEGER             -- the run that stored the latest version
);

CREATE TABLE IF NOT EXISTS article_versions (
    article_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    fetched_at TIMESTAMP NOT NULL,
    content_hash VARCHAR NOT NULL,
    title VARCHAR,
    text VARCHAR,
    run_id INTEGER,
    url VARCHAR,
    kind VARCHAR,
    subtitle VARCHAR,
    published DATE,
    lead VARCHAR,
    partner_cities VARCHAR[],
    people JSON,
    images JSON,
    contacts JSON,
    record_hash VARCHAR,
    etag VARCHAR,
    last_modified VARCHAR,
    parser_version VARCHAR,
    warc_file VARCHAR,
    warc_offset BIGINT
);

CREATE TABLE IF NOT EXISTS article_urls (
    article_id BIGINT NOT NULL,
    url VARCHAR NOT NULL,
    first_seen TIMESTAMP,
    last_seen TIMESTAMP,
    etag VARCHAR,                   -- validators of the last stored capture under this URL
    last_modified VARCHAR
);

CREATE TABLE IF NOT EXISTS people (
    article_id BIGINT NOT NULL,
    position INTEGER,
    name VARCHAR NOT NULL,
    role VARCHAR
);

CREATE TABLE IF NOT EXISTS images (
    article_id BIGINT NOT NULL,
    position INTEGER,
    src VARCHAR,
    alt VARCHAR,
    caption VARCHAR,
    credit VARCHAR,
    photographer VARCHAR
);

CREATE TABLE IF NOT EXISTS contacts (
    article_id BIGINT NOT NULL,
    position INTEGER,
    name VARCHAR,
    phone VARCHAR,
    email VARCHAR,
    room VARCHAR
);
