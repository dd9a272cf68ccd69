"""The local HTTP server (127.0.0.1) the download tests fetch from."""

from __future__ import annotations

import pytest
from http_server import Server


@pytest.fixture
def server():
    """A server on a free port; tests put ``{path: bytes}`` into ``server.files``."""
    with Server() as srv:
        yield srv
