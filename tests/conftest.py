"""Shared fixtures: a fake clock, a fresh migrated database per test, a context, an artefacts folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# Kivy must not touch the user's home or open a real window during tests.
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_CLIPBOARD", "sdl2")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")

from kiosk.core import config as config_mod  # noqa: E402
from kiosk.core import db as db_mod  # noqa: E402
from kiosk.core.clock import FakeClock  # noqa: E402
from kiosk.core.context import Context  # noqa: E402

ARTIFACTS = Path(os.environ.get("KIOSK_ARTIFACTS", Path(__file__).resolve().parent.parent / "artifacts"))


@pytest.fixture(autouse=True, scope="session")
def _temp_files_under_pytest(tmp_path_factory):
    """Databases and folders the tests make with tempfile land in pytest's own temp tree, which pytest
    prunes (the last three runs are kept), instead of piling up in /tmp."""
    import tempfile
    previous = tempfile.tempdir
    tempfile.tempdir = str(tmp_path_factory.mktemp("tempfile"))
    yield
    tempfile.tempdir = previous


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
    for sub in ("receipts", "screenshots", "exports"):
        (ARTIFACTS / sub).mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture()
def nursery():
    """kivy.tests.fixtures.kivy_app asks for a trio nursery; with asyncio there is none."""
    return None


def _create_window_at_kiosk_size() -> None:
    """Create Kivy's window once, at 800×480, before kivy_app's fixture asks for 320×240.

    The offscreen SDL driver cannot resize a window later (the GL surface keeps its first size),
    and kivy_app only re-creates the existing window, so the first creation decides the size.
    """
    from kivy.config import Config
    Config.set("graphics", "width", os.environ.get("KIOSK_TEST_WIDTH", "800"))
    Config.set("graphics", "height", os.environ.get("KIOSK_TEST_HEIGHT", "480"))
    from kivy.core.window import Window  # noqa: F401  (creating it is the point)


def _load_all_screens() -> None:
    """Import every screens module (and so its .kv) before any kivy_app fixture runs.

    kivy_app gives each test a copy of the global Builder; a .kv file first loaded inside one test
    would vanish with that test's Builder while its module stays imported.
    """
    import importlib
    import pkgutil

    import screens
    for module in pkgutil.walk_packages(screens.__path__, "screens."):
        if module.name != "screens.launch":
            importlib.import_module(module.name)


_create_window_at_kiosk_size()
_load_all_screens()
from kivy.tests.fixtures import kivy_app  # noqa: E402,F401  (the fixture, used by UI tests)
