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


_TEMPLATES: dict[str, Path] = {}


def _template(kind: str) -> Path:
    """A database made once per test run: "migrated" (the migrations only) or "demo" (also the demo
    accounts and data, as `kiosk.demo.accounts.ensure_demo` makes them at the FakeClock's first moment,
    under the default site and terminal), without its random database id (Context adds one per copy)."""
    if kind not in _TEMPLATES:
        import sqlite3
        import tempfile
        path = Path(tempfile.mkdtemp(prefix=f"kiosk-{kind}-")) / "kiosk.db"
        if kind == "demo":
            from kiosk.demo import accounts as demo
            context = Context(config=config_mod.validate({}, "<template>"), db_path=path, clock=FakeClock())
            demo.ensure_demo(context.db, context.clock)
            context.close()
            conn = sqlite3.connect(path)
            with conn:
                conn.execute("DELETE FROM settings WHERE key = 'database_id'")
            conn.close()
        else:
            db_mod.connect(path).close()
        _TEMPLATES[kind] = path
    return _TEMPLATES[kind]


def migrated_copy(path: Path, *, demo: bool = False) -> Path:
    """Put a freshly migrated database (with the demo data when demo) at path, unless a file is there
    already: the migrations run once per test run (half a second each time on this box, for some 550
    tests) and the demo accounts' PIN hashes once (about a second per UI test); each test gets a byte
    copy, what `connect` and `ensure_demo` would have made."""
    if not path.exists():
        import shutil
        shutil.copyfile(_template("demo" if demo else "migrated"), path)
    return path


@pytest.fixture
def db(db_path):
    database = db_mod.connect(migrated_copy(db_path))
    yield database
    database.close()


@pytest.fixture
def ctx(db_path, clock) -> Context:
    context = Context(config=config_mod.load(None), db_path=migrated_copy(db_path), clock=clock)
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


def _holders(obj, depth: int = 4, width: int = 30) -> list[str]:
    """Who still refers to obj, a few levels up (gc referrers, frames and our own lists skipped)."""
    import gc
    import types
    lines, seen, frontier = [], {id(obj)}, [obj]
    for level in range(depth):
        found = []
        for each in frontier:
            for ref in gc.get_referrers(each):
                if id(ref) in seen or ref is frontier or ref is found or isinstance(ref, types.FrameType):
                    continue
                seen.add(id(ref))
                if isinstance(ref, dict):
                    what = "dict with keys " + ", ".join(map(str, list(ref)[:8]))
                elif isinstance(ref, types.FunctionType):
                    what = f"function {ref.__module__}.{ref.__qualname__}"
                else:
                    what = f"{type(ref).__name__} {repr(ref)[:100]}"
                lines.append("  " * level + "<- " + what)
                found.append(ref)
        frontier = found[:width]
    return lines


@pytest.fixture(autouse=True)
def _previous_app_released(request):
    """Before a UI test: Kivy's kivy_app fixture asserts that the previous test's app is garbage. A worker
    thread finishing its last job on a slow CI box may hold the app for a moment after it stopped; give
    it up to 15 s, and if the app is still alive say who holds it in a warning and let the next test run."""
    if "kivy_app" in request.fixturenames:
        import gc
        import time
        from kivy.tests import fixtures
        if fixtures.apps:
            ref, owner = fixtures.apps[-1]
            deadline = time.monotonic() + 15
            while ref() is not None and time.monotonic() < deadline:  # usually gone already (the fixture collects)
                time.sleep(0.1)
                gc.collect()
            if ref() is not None:
                # One app per process on the box: an app kept after its stop costs memory in this test
                # process only. Say who keeps it (a warning in the summary) instead of failing the next
                # test's set-up, which left CI red on a different test each run.
                import warnings
                fixtures.apps.pop()
                warnings.warn(f"the app of {owner!r} is still alive 15 s after it stopped; its holders:\n"
                              + "\n".join(_holders(ref())), RuntimeWarning, stacklevel=1)
        # A test that failed with a popup open leaves that ModalView on the shared Window; the next test
        # would find its buttons twice ("English" on the home screen and in the stale form's header).
        from kivy.core.window import Window
        for child in list(Window.children):
            Window.remove_widget(child)
    yield
