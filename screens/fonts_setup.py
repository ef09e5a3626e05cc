"""Make the single-face Simplified-Chinese font Kivy's default (Latin glyphs included)."""
from __future__ import annotations

import logging

from kivy.core.text import DEFAULT_FONT, LabelBase

from kiosk.core import fonts

log = logging.getLogger(__name__)
_done = False


def register_fonts() -> None:
    """Register once per process; Roboto stays only if no CJK font exists (logged loudly)."""
    global _done
    if _done:
        return
    try:
        regular, bold = fonts.sc_font_path(), fonts.sc_font_path(bold=True)
    except fonts.FontMissing as exc:
        log.error("%s - Chinese text will not render", exc)
        return
    LabelBase.register(DEFAULT_FONT, fn_regular=str(regular), fn_bold=str(bold))
    LabelBase.register("SC", fn_regular=str(regular), fn_bold=str(bold))
    try:  # receipt and report previews: Latin one column, CJK two, as on paper
        LabelBase.register("SCMono", fn_regular=str(fonts.sc_mono_font_path()),
                           fn_bold=str(fonts.sc_mono_font_path(bold=True)))
    except fonts.FontMissing as exc:
        log.warning("%s - previews use the proportional face", exc)
        LabelBase.register("SCMono", fn_regular=str(regular), fn_bold=str(bold))
    _done = True
