"""A full-size pinyin engine shared by the pinyin tests: the index is cached in a stable temp
folder (rebuilt automatically when the data changes), so only the first run pays the build."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

CACHE_DIR = Path(tempfile.gettempdir()) / f"kiosk-test-pinyin-{os.getuid()}"


def cached_engine():
    """The process-wide engine (the keyboard's), pointed at the shared test cache."""
    from kiosk.input import pinyin
    if pinyin._shared is None or pinyin._shared.cache_dir != CACHE_DIR:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        pinyin._shared = pinyin.PinyinEngine(cache_dir=CACHE_DIR)
    return pinyin._shared
