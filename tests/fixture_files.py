"""Loading the generator scripts of the shared golden fixtures (``shared/fixtures/*.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

WEIGHTS_DIGEST = "418941ec814c9f81dafdea6155efa39291babcc512903c775d4e0aebddb27ea9"


def import_file(path: Path, name: str):
    """Import a Python file of the shared folder (the fixture generators) as a module."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
