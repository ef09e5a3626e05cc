"""Helpers for headless UI tests of the real app.

Usage (Kivy 2.3.1's async_run decorator is broken under current pytest-asyncio, so we use the
kivy_app fixture directly)::

    from tests.uikit import app_test, kiosk_app_factory, tap, settle, shot, find

    @app_test(kiosk_app_factory(lang="zh_CN"))
    @pytest.mark.asyncio
    async def test_something(kivy_app):
        app = kivy_app
        await tap(app, find(app.root, text="员工"))
        shot(app, "something.png")
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

import pytest

from tests.conftest import ARTIFACTS, migrated_copy


def kiosk_app_factory(*, lang: str = "en", demo_data: bool = True,
                      seed: Callable | None = None, config_extra: dict | None = None) -> Callable:
    """A factory for the kivy_app fixture: a KioskApp on a fresh database with a FakeClock.

    The window is 800×480 (tests/conftest.py); other sizes are checked through `kiosk run --size`.

    seed(ctx) may add records before the app starts. Hardware is not started; tests publish
    device events on app.ctx.bus themselves.
    """
    def factory():
        from kivy.tests.async_common import UnitKivyApp

        from kiosk.core import config
        from kiosk.demo import accounts as demo
        from kiosk.core.clock import FakeClock
        from kiosk.core.context import Context
        from screens.app import KioskApp

        class TestKioskApp(UnitKivyApp, KioskApp):
            pass

        raw = {"site": {"language": lang}}
        for section, values in (config_extra or {}).items():
            raw.setdefault(section, {}).update(values)
        tmp = Path(tempfile.mkdtemp(prefix="kiosk-ui-"))
        # The demo copy was seeded under the default site and terminal: a test that sets its own makes its own.
        path = migrated_copy(tmp / "kiosk.db", demo=demo_data and "site" not in (config_extra or {}))
        ctx = Context(config=config.validate(raw, "<test>"), db_path=path, clock=FakeClock())
        if demo_data:
            demo.ensure_demo(ctx.db, ctx.clock)
        if seed is not None:
            seed(ctx)
        # No section pool: a test that moves its FakeClock on would otherwise build screens mid-test
        # (tests/shell/test_section_pool_ui.py drives the pool step by step).
        return TestKioskApp(ctx=ctx, start_hardware=False, prewarm=False)
    return factory


def app_test(factory: Callable):
    """Parametrize the kivy_app fixture with a factory."""
    return pytest.mark.parametrize("kivy_app", [[factory]], indirect=True)


async def settle(app, frames: int = 3) -> None:
    """Let Kivy run a few frames, and wait out screen transitions and popups opening or closing
    (both swallow touches)."""
    from kivy.core.window import Window
    from kivy.uix.modalview import ModalView
    from kivy.uix.screenmanager import ScreenManager
    await app.wait_clock_frames(frames)
    for _ in range(100):
        busy = any(sm.transition.is_active for sm in find_all(app.root, cls=ScreenManager)) or any(
            isinstance(child, ModalView) and (not child._is_open or child._anim_alpha < 1)
            for child in Window.children)
        if not busy:
            return
        await app.async_sleep(0.02)


def assert_reachable(widget) -> None:
    """A finger can only tap what is on screen: inside the window and any scroll view around it."""
    from kivy.core.window import Window
    from kivy.uix.scrollview import ScrollView
    x, y = widget.to_window(*widget.center)
    assert 0 <= x <= Window.width and 0 <= y <= Window.height, f"{widget} is off screen at {(x, y)}"
    node = widget.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            left, bottom = node.to_window(node.x, node.y)
            assert left <= x <= left + node.width and bottom <= y <= bottom + node.height, \
                f"{getattr(widget, 'text', widget)!r} is scrolled out of view"
        node = node.parent


def _enclosing_scrollview(widget):
    from kivy.uix.scrollview import ScrollView
    node = widget.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            return node
        node = node.parent
    return None


def _in_view(widget, view) -> bool:
    """Whether widget's centre is inside the window and inside view (both in window coordinates)."""
    from kivy.core.window import Window
    x, y = widget.to_window(*widget.center)
    left, bottom = view.to_window(view.x, view.y)
    return (0 <= x <= Window.width and 0 <= y <= Window.height
            and left <= x <= left + view.width and bottom <= y <= bottom + view.height)


async def _still(app, widget, view, frames: int = 40) -> None:
    """Wait until widget and view stop moving: a glide, a layout pass or a section filling itself in
    after it opened all move widgets between frames, and a measure taken mid-move lies."""
    def where():
        return (widget.to_window(*widget.center), view.to_window(view.x, view.y), view.size)
    last = where()
    for _ in range(frames):
        await app.wait_clock_frames(2)
        now = where()
        if now == last:
            return
        last = now


async def swipe_into_view(app, widget) -> None:
    """Swipe the scroll view around widget, as a finger would, until widget is inside it."""
    view = _enclosing_scrollview(widget)
    if view is None:
        return
    for _ in range(24):   # a long settings page takes many half-screen swipes
        await _still(app, widget, view)
        if _in_view(widget, view):
            return
        y = widget.to_window(*widget.center)[1]
        bottom = view.to_window(view.x, view.y)[1]
        # Finger up (dy > 0) brings lower content into view; down brings the top back.
        dy = view.height * 0.5 * (1 if y < bottom else -1)
        async for _ in app.do_touch_drag(widget=view, dy=dy, duration=0.3, drag_n=8):
            pass
        await app.async_sleep(0.6)  # the scroll effect's glide
        await settle(app)
    # Still out of view: on a loaded box a glide measured mid-flight can fling the page far off (CI saw a
    # nav button 7,000 px away, and a settings row 1,000 px below after its page filled in). Stop the
    # glide and scroll to it, as a person's last slow swipe would, until it stays put inside.
    for _ in range(10):
        for effect in (view.effect_x, view.effect_y):
            if effect is not None:
                effect.cancel()
        view.scroll_to(widget, padding=20, animate=False)
        await settle(app)
        await _still(app, widget, view)
        if _in_view(widget, view):
            return


async def tap(app, widget, frames: int = 3) -> None:
    """A finger tap in the middle of widget, as the touchscreen would deliver it (swiping its scroll
    view first when it is scrolled out of sight)."""
    await swipe_into_view(app, widget)
    assert_reachable(widget)
    async for _ in app.do_touch_down_up(widget=widget, duration=0.05):
        pass
    await settle(app, frames)
    if _inside_scrollable_view(widget):
        # A ScrollView that can scroll holds a tap to tell it from a scroll, then replays it after its
        # scroll_timeout (~0.25 s); one that cannot scroll passes the tap on at once.
        await app.async_sleep(0.3)
        await settle(app, frames)


def _inside_scrollable_view(widget) -> bool:
    from kivy.uix.scrollview import ScrollView
    node = widget.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView) and (node.do_scroll_x or node.do_scroll_y):
            return True
        node = node.parent
    return False


def walk(root):
    """Every widget under root (root included), plus open popups on the window."""
    from kivy.core.window import Window
    seen = set()
    # From the app's root, popups (ModalViews sit on the Window) count as on screen too.
    popups = [child for child in Window.children if child is not root] if root.parent is Window else []
    stack = [root] + popups
    while stack:
        widget = stack.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        yield widget
        stack.extend(widget.children)
        # ScreenManagers keep only the current screen as a child; that is what a person sees.


def find_all(root, *, text: str | None = None, cls: type | str | None = None, predicate=None) -> list:
    """Widgets under root matching a text and/or a class (or class name)."""
    found = []
    for widget in walk(root):
        if text is not None and getattr(widget, "text", None) != text:
            continue
        if cls is not None:
            name = cls if isinstance(cls, str) else cls.__name__
            if name not in {c.__name__ for c in type(widget).__mro__}:
                continue
        if predicate is not None and not predicate(widget):
            continue
        found.append(widget)
    return found


def find(root, **kwargs):
    """Exactly one widget matching (fails the test otherwise)."""
    matches = find_all(root, **kwargs)
    assert len(matches) == 1, f"expected one widget for {kwargs}, found {len(matches)}"
    return matches[0]


def shot(app, name: str) -> Path:
    """Save a screenshot into the artefacts folder (look at it!)."""
    from screens.shots import save_screenshot
    return save_screenshot(ARTIFACTS / "screenshots" / name)


def visible_buttons(root) -> list:
    """Buttons a person can see and touch now (not disabled, not transparent)."""
    from kivy.uix.button import Button

    def shown(widget) -> bool:
        node = widget
        while node is not None and node is not node.parent:
            if getattr(node, "opacity", 1) == 0 or getattr(node, "disabled", False):
                return False
            node = node.parent
        return True
    return [w for w in walk(root) if isinstance(w, Button) and shown(w)]


async def sign_in_as(app, role: str) -> None:
    """Sign the demo staff member or manager in (the PIN pad itself is tested in test_shell_ui)."""
    from kiosk.core import auth
    await settle(app)
    app.sign_in(auth.users(app.ctx.db, role=role)[0])
    await settle(app)


async def open_section(app, name: str):
    """Tap a section in the desk's navigation (swiping it into view first); returns the section screen."""
    desk = app.sm.get_screen("desk")
    await tap(app, next(b for b in desk.ids.nav.children if b.section_name == name))
    return desk.ids.content.current_screen


async def staff_section(app, name: str):
    """Staff signed in, `name` opened and settled; returns (section, failures), the app's exception
    reports collected in failures."""
    failures: list = []
    app._exception_handler.report = failures.append
    await sign_in_as(app, "staff")
    section = await open_section(app, name)
    await settle(app)
    return section, failures


async def type_on_keyboard(app, keyboard, letters: str) -> None:
    """Tap letters on an on-screen keyboard once its pinyin engine has loaded (it loads in the background)."""
    for _ in range(400):
        if keyboard.engine_ready:
            break
        await app.async_sleep(0.05)
    for letter in letters:
        await tap(app, next(k for k in find_all(keyboard, cls="KeyButton") if k.key == letter), frames=1)
