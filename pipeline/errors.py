"""The exception hierarchy: every error the CLI turns into a one-line message derives from PipelineError.

PipelineError
├── UsageError        bad input or arguments (exit 2)
│   ├── ConfigError   sources.yaml at fault (exit 2)
│   └── ReadOnlyError a write statement given to `sql` (exit 2)
├── LockedError       another crawl holds the archive (exit 2)
├── FetchError        a request that failed for good (recorded, never raised out of a crawl)
└── ArchiveError      the archive is missing or damaged (exit 2)
"""

from __future__ import annotations


class PipelineError(Exception):
    exit_code = 2


class UsageError(PipelineError):
    pass


class ConfigError(UsageError):
    pass


class ReadOnlyError(UsageError):
    pass


class LockedError(PipelineError):
    pass


class ArchiveError(PipelineError):
    pass


class FetchError(PipelineError):
    """Raised inside the fetcher; `kind` is the short error code stored in fetch_log.error."""

    def __init__(self, kind: str, message: str = "") -> None:
        super().__init__(f"{kind}: {message}" if message else kind)
        self.kind = kind
