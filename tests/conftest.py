"""Shared pytest fixtures. Fetching: a fault-injecting server on 127.0.0.1 and a trap on 127.0.0.2."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # so tests can `from faultserver import …`

from faultserver import FaultServer  # noqa: E402


@pytest.fixture
def trap_server() -> Iterator[FaultServer]:
    """An off-scope host (127.0.0.2) that must never be asked anything: assert `trap_server.log == []`."""
    with FaultServer(host="127.0.0.2") as srv:
        yield srv


@pytest.fixture
def fault_server(trap_server: FaultServer) -> Iterator[FaultServer]:
    """The fault-injecting server on 127.0.0.1; its off-scope links and redirects point at trap_server."""
    with FaultServer(offscope=trap_server.base) as srv:
        yield srv
