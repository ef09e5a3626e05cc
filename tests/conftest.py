"""Shared fixtures: a fake clock, a fresh migrated database per test, a context, an artefacts folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# Kivy must not touch the user's home or open a real window during tests.
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

from kiosk import config as config_mod  # noqa: E402
from kiosk import db as db_mod  # noqa: E402
from kiosk.clock import FakeClock  # noqa: E402
from kiosk.context import Context  # noqa: E402

ARTIFACTS = Path(os.environ.get("KIOSK_ARTIFACTS", Path(__file__).resolve().parent.parent / "artifacts"))


@pytest.fixture(autouse=True)
def _kiosk_home(tmp_path_factory, monkeypatch):
    """Keep every test's state (fonts cache excepted) out of the real platform folders."""
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "kiosk.db"


@pytest.fixture
def db(db_path):
    database = db_mod.connect(db_path)
    yield database
    database.close()


@pytest.fixture
def ctx(db_path, clock) -> Context:
    context = Context(config=config_mod.load(None), db_path=db_path, clock=clock)
    yield context
    context.close()


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots and receipt PNGs that a person looks at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
