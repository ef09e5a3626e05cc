"""The Simplified-Chinese font, as a single-face file.

Noto CJK ships as a .ttc whose first face is Japanese; Kivy 2.3.1 and some Pillow paths open the
first face, giving Japanese glyph shapes for Chinese text. We extract the SC face once into the
state folder (or use one shipped in data/fonts) and hand out its path.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from kiosk.core.paths import data_dir

SC_FAMILY = "Noto Sans CJK SC"
SC_MONO_FAMILY = "Noto Sans Mono CJK SC"  # half-width Latin, full-width CJK: a receipt printer's grid
# Debian/Raspberry Pi OS: fonts-noto-cjk. Checked in order.
TTC_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-{weight}.ttc",
)
_lock = threading.Lock()


class FontMissing(RuntimeError):
    """No Simplified-Chinese font could be found or extracted."""


def _shipped(weight: str) -> Path | None:
    for name in (f"NotoSansSC-{weight}.otf", f"NotoSansSC-{weight}.ttf"):
        path = data_dir() / "fonts" / name
        if path.exists():
            return path
    return None


def find_ttc(weight: str = "Regular") -> Path | None:
    """The system's Noto CJK collection, if installed."""
    for pattern in TTC_CANDIDATES:
        path = Path(pattern.format(weight=weight))
        if path.exists():
            return path
    return None


def extract_sc_face(ttc: Path, out: Path, family: str = SC_FAMILY) -> Path:
    """Write one face (by family name) of a CJK collection to a single-face font file (atomically)."""
    from fontTools.ttLib import TTCollection  # only needed once per box

    collection = TTCollection(str(ttc), lazy=True)
    for face in collection.fonts:
        if face["name"].getDebugName(1) == family:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(out.suffix + f".{os.getpid()}.tmp")
            face.save(str(tmp))
            os.replace(tmp, out)
            return out
    raise FontMissing(f"{ttc} has no '{family}' face")


def sc_font_path(bold: bool = False) -> Path:
    """Path of a single-face Simplified-Chinese font (Regular or Bold), extracting it if needed."""
    weight = "Bold" if bold else "Regular"
    shipped = _shipped(weight)
    if shipped:
        return shipped
    return _extracted(weight, SC_FAMILY, f"NotoSansSC-{weight}.otf")


def sc_mono_font_path(bold: bool = False) -> Path:
    """The monospaced SC face (receipt previews: Latin one column, CJK two)."""
    weight = "Bold" if bold else "Regular"
    return _extracted(weight, SC_MONO_FAMILY, f"NotoSansMonoSC-{weight}.otf")


def _extracted(weight: str, family: str, filename: str) -> Path:
    cached = fonts_cache_dir() / filename
    if cached.exists():
        return cached
    with _lock:
        if cached.exists():
            return cached
        ttc = find_ttc(weight) or (find_ttc("Regular") if weight == "Bold" else None)
        if ttc is None:
            raise FontMissing("no Simplified-Chinese font: install the Debian package fonts-noto-cjk "
                              "or put NotoSansSC-Regular.otf in data/fonts")
        return extract_sc_face(ttc, cached, family)


def fonts_cache_dir() -> Path:
    """Where extracted fonts are kept: shared across test runs and boxes' state folders."""
    override = os.environ.get("KIOSK_FONT_CACHE")
    if override:
        return Path(override)
    # Not under KIOSK_HOME: tests use a fresh home each time and must not re-extract 16 MB fonts.
    import platformdirs
    return Path(platformdirs.user_cache_dir("frontdesk-kiosk")) / "fonts"


def font_charset(path: Path) -> set[int]:
    """Every code point the font has a glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return set(font.getBestCmap())
