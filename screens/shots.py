"""Screenshots of the whole window (overlays and popups included) to an exact file name."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def save_screenshot(path: str | Path) -> Path:
    """Save what the window shows now as a PNG at exactly this path."""
    from kivy.core.window import Window

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Window.screenshot reads the GL back buffer, which after a flip holds nothing defined (on a fresh
    # box the first `kiosk run --screenshot` saved a black picture): draw the window into it first.
    Window.dispatch("on_draw")
    # Window.screenshot numbers its files; shoot into a private folder, then move into place.
    with tempfile.TemporaryDirectory() as tmp:
        shot = Window.screenshot(name=os.path.join(tmp, "shot.png"))
        os.replace(shot, path)
    return path
