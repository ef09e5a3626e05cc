"""Start the Kivy app: Kivy settings must be in place before kivy.core.window is imported."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from kiosk.core.context import Context


def _headless() -> bool:
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.path.exists("/dev/dri/card0")
                or os.path.exists("/dev/dri/card1"))


def _said(lang: str, msgid: str, **params) -> str:
    """A line `kiosk run` prints, in the site's language (msgids in data/locale/zh_CN/LC_MESSAGES/cli.po)."""
    from kiosk.core.i18n import gettext
    text = gettext(msgid, lang)
    return text.format(**params) if params else text


def configure_kivy(width: int, height: int, fullscreen: bool, lang: str = "en") -> None:
    """Window size, no argv parsing, no multitouch emulation, and offscreen when there is no display."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_CLIPBOARD", "sdl2")
    if _headless() and "SDL_VIDEODRIVER" not in os.environ:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
        print(_said(lang, "No display found: running offscreen (use --screenshot FILE to see the screen)."),
              file=sys.stderr)
    from kivy.config import Config
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    # No red dots from right clicks on a desktop; but a deployed config that turns the mouse provider off
    # (deploy/kivy-config.ini: "mouse =", so one touch on the Pi is not delivered twice) is respected.
    if not Config.has_option("input", "mouse") or Config.get("input", "mouse").strip():
        Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "exit_on_escape", "0")
    lock_down(Config)


def lock_down(config) -> list[str]:
    """Kivy's own debugging and keyboard helpers are not for a kiosk a stranger touches: every module a
    config file enables ([modules]: the inspector on Ctrl+E shows every widget's text, the monitor, the
    screen emulator, the touch ring...) is dropped, and Kivy's own virtual keyboard stays off (the kiosk has
    its own). Returns the modules dropped."""
    dropped = []
    if config.has_section("modules"):
        for name in list(config.options("modules")):
            config.remove_option("modules", name)
            dropped.append(name)
    config.set("kivy", "keyboard_mode", "system")
    return dropped


def launch(ctx: Context, *, demo: bool = False, size: str | None = None, screenshot: Path | None = None,
           first_frame_exit: bool = False) -> None:
    """Run the app until it is closed (or, with screenshot, until the first screen is saved)."""
    ui = ctx.config.section("ui")
    lang = ctx.config.get("site", "language")
    width, height = ui["width"], ui["height"]
    if size:
        try:
            width, height = (int(part) for part in size.lower().split("x"))
        except ValueError:   # `kiosk run` refuses it before this; a caller of launch() is told the same
            raise SystemExit(_said(lang, "{option} must look like 800x480, got {value}", option="--size",
                                   value=repr(size))) from None
    configure_kivy(width, height, ui["fullscreen"] and not screenshot, lang)
    from screens.app import KioskApp

    app = KioskApp(ctx=ctx, demo=demo)
    if screenshot is not None:
        _screenshot_when_drawn(app, screenshot, lang=lang)
    if first_frame_exit:
        _exit_after_first_frame(app)
    app.run()


def _screenshot_when_drawn(app, screenshot: Path, settle_s: float = 1.0, frames: int = 3, lang: str = "en") -> None:
    """Save the screen once it has really been drawn: at least `frames` frames flipped after start
    and `settle_s` seconds passed. A timer alone saved a black picture on a busy first start (fonts
    and the home screen not yet drawn when it fired)."""
    import time

    from kivy.clock import Clock
    from kivy.core.window import Window

    state = {"start": None, "flips": 0, "done": False}

    def started(*args) -> None:
        state["start"] = time.monotonic()
        Clock.schedule_interval(lambda dt: Window.canvas.ask_update(), 0.1)  # keep frames coming

    def flipped(*args) -> None:
        if state["start"] is None or state["done"]:
            return
        state["flips"] += 1
        if state["flips"] >= frames and time.monotonic() - state["start"] >= settle_s:
            state["done"] = True
            Clock.schedule_once(shoot, 0)

    def shoot(dt) -> None:
        from screens.shots import save_screenshot
        save_screenshot(screenshot)
        print(_said(lang, "screenshot saved to {path}", path=screenshot))
        app.stop()
    app.bind(on_start=started)
    Window.bind(on_flip=flipped)


def _exit_after_first_frame(app) -> None:
    """Print when the first frame with the home screen is on screen, then stop (for bench/)."""
    import time

    from kivy.core.window import Window

    def flipped(*args) -> None:
        if app.root is not None:
            print(f"FIRST_FRAME {time.time():.6f}", flush=True)
            Window.unbind(on_flip=flipped)
            app.stop()
    Window.bind(on_flip=flipped)
