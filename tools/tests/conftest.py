"""Shared fixtures for the tooling tests.

The tests export into a temporary folder once per session instead of using
the repo's models/: that way they always test the current exporter code,
never a stale export, and can run before tools/setup.sh has.
"""

from __future__ import annotations

import os
import sys

import pytest

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)

import export_models  # noqa: E402


def shared_images_dir() -> str | None:
    """shared/images from $LENSCALE_SHARED or ../shared beside the repo, if present."""
    d = os.path.join(export_models.shared_dir(), "images")
    return d if os.path.isdir(d) else None


def photo(name: str) -> str:
    """A sample photo from shared/images, else from demo/ (both hold chelsea/coffee)."""
    for d in (shared_images_dir(), os.path.join(REPO, "demo")):
        if d and os.path.isfile(os.path.join(d, name)):
            return os.path.join(d, name)
    pytest.skip(f"{name} not found in shared/images or demo/ (run tools/setup.sh)")


@pytest.fixture(scope="session")
def exported(tmp_path_factory) -> str:
    """A fresh export of every model (about 2 s)."""
    out = str(tmp_path_factory.mktemp("models"))
    assert export_models.main(["--out", out, "--quiet"]) == 0
    return out
