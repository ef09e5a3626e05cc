"""The PDF daily report: summary, per-day table (ranges), row counts, bar charts, and a sample of rows.

Bounded whatever the range: a month of a busy site is hundreds of thousands of rows, which belong in
the CSV and workbook. The PDF shows the first ``SAMPLE_ROWS`` rows of each log (first ``SAMPLE_COLUMNS``
columns, each cell cut to its width with "…") and says how many there are in all; so its size and time
do not grow with the range past the per-day table (at most 366 lines).

Chinese needs a single-face SC font (kiosk.fonts.sc_font_path); fpdf2 embeds a subset with a
ToUnicode map, so text extractors read the Chinese back.
"""
from __future__ import annotations

import copy
import threading
from collections import defaultdict
from pathlib import Path

from kiosk.core.i18n import gettext as _
from kiosk.core.money import format_fen

BAR_COLOUR = (60, 110, 170)
SAMPLE_ROWS = 20
SAMPLE_COLUMNS = 6
MAX_CELL_CHARS = 80   # a cell's text is cut before measuring (a 2,000-character note costs no more than 80)


def write_pdf(path: Path, summary, rows: dict[str, int], missing: list, lang: str, site_name: str = "",
              data: list | None = None) -> None:
    """Write the report to path (a temp name; the caller renames it)."""
    from fpdf import FPDF

    from kiosk.reports.logs import LOGS
    from kiosk.core.fonts import sc_font_path
    from kiosk.reports.summary import tiles, zone_name

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=15)
    add_sc_font(pdf, str(sc_font_path()))
    pdf.set_title(_("Front desk daily log", lang))
    pdf.add_page()
    pdf.set_font("sc", size=16)
    title = _("Front desk daily log", lang) + (f" · {site_name}" if site_name else "")
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sc", size=11)
    pdf.cell(0, 7, f"{summary.label} ({zone_name(summary.tz, lang)})", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _table(pdf, [(label, value) for label, value in tiles(summary, lang)])
    pdf.ln(3)
    titles = {log.name: log.title(lang) for log in LOGS}
    counts = [(titles.get(name, name), str(n)) for name, n in rows.items()]
    counts += [(m.title(lang), _("not available yet", lang)) for m in missing]
    pdf.set_font("sc", size=12)
    pdf.cell(0, 8, _("Rows per log", lang), new_x="LMARGIN", new_y="NEXT")
    _table(pdf, counts)
    if summary.visitors_per_hour is not None:
        _bars(pdf, _("Visitors per hour", lang), [(f"{h}", n) for h, n in enumerate(summary.visitors_per_hour)],
              str)
    if summary.calls_per_hour is not None:
        _bars(pdf, _("Calls per hour", lang), [(f"{h}", n) for h, n in enumerate(summary.calls_per_hour)], str)
    if summary.payments:
        from kiosk.reports import codes
        _bars(pdf, _("Sales and fees by payment method", lang),
              [(codes.label("method", m, lang), v) for m, v in sorted(summary.payments.items())], format_fen)
    per_day = getattr(summary, "per_day", None)
    if per_day is not None:
        _per_day(pdf, per_day, lang)
    for item in data or []:
        _sample(pdf, item, lang)
    pdf.output(str(path))


_FONT_LOCK = threading.Lock()
_FONT_TEMPLATES: dict[str, object] = {}


def add_sc_font(pdf, path: str, family: str = "sc") -> None:
    """``pdf.add_font(family, "", path)``, with the font's parse done once per process.

    fpdf2 reads the whole cmap and every glyph's width on each add_font: 0.3 s for the 45,000-character
    Noto Sans SC, paid on every export. The parsed tables (cmap, widths, glyph ids, descriptor) are kept
    in a template; each document gets a copy with its own fresh fontTools font (the PDF's subsetting
    edits that in place), its own width table and its own subset map. This reaches into fpdf2's
    ``TTFFont`` (pinned to 2.7–2.8 in setup.cfg); anything unexpected falls back to the plain add_font."""
    from fpdf.fonts import SubsetMap
    from fontTools import ttLib
    key = f"{family.lower()}"
    with _FONT_LOCK:
        template = _FONT_TEMPLATES.get(path)
        if template is None:
            pdf.add_font(family, "", path)
            font = pdf.fonts[key]
            _keep_font_bbox(font)
            if getattr(font, "color_font", None) is None and not getattr(font, "axes", None):
                _FONT_TEMPLATES[path] = copy.copy(font)
            return
    try:
        font = copy.copy(template)
        font.i = len(pdf.fonts) + 1
        font.fontkey = key
        font.ttfont = ttLib.TTFont(path, recalcTimestamp=False, fontNumber=template.collection_font_number, lazy=True,
                                   recalcBBoxes=False)
        font._hbfont = None
        font.biggest_size_pt = 0
        widths = defaultdict(template.cw.default_factory)
        widths.update(template.cw)
        font.cw = widths
        font.cmap = dict(template.cmap)
        font.glyph_ids = dict(template.glyph_ids)
        font.missing_glyphs = []
        font.subset = SubsetMap(font)
        pdf.fonts[key] = font
        if font.is_cff and font.is_cid_keyed:
            pdf._set_min_pdf_version("1.6")
    except (AttributeError, TypeError):   # another fpdf2 than the one this was written for
        pdf.fonts.pop(key, None)
        pdf.add_font(family, "", path)
        _keep_font_bbox(pdf.fonts[key])


def _keep_font_bbox(font) -> None:
    """Keep the whole font's bounding box in the embedded subset instead of recomputing it from the subset's
    outlines: fontTools draws every kept CFF glyph to measure it, a third of the PDF's time, and the whole
    font's box holds every glyph of the subset (a PDF reader takes it as a bound, not an exact fit)."""
    ttfont = getattr(font, "ttfont", None)
    if ttfont is not None:
        ttfont.recalcBBoxes = False


def _fit(pdf, text: str, width: float) -> str:
    """text cut with "…" to fit width (mm) at the current font; a bounded loop (halving, then by characters)."""
    text = text.replace("\n", " ")[:MAX_CELL_CHARS]
    if pdf.get_string_width(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # longest prefix that fits with the ellipsis: at most log2(80) steps
        mid = (low + high + 1) // 2
        if pdf.get_string_width(text[:mid] + "…") <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low] + "…"


def _grid(pdf, headers: list[str], rows: list[list[str]], widths: list[float], aligns: list[str]) -> None:
    """A table with a header row repeated on every new page."""
    height = 6

    def header() -> None:
        pdf.set_fill_color(221, 231, 240)
        for text, width in zip(headers, widths):
            pdf.cell(width, height, _fit(pdf, text, width - 1), border=1, fill=True)
        pdf.ln(height)
    header()
    for row in rows:
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()
            header()
        for text, width, align in zip(row, widths, aligns):
            pdf.cell(width, height, _fit(pdf, text, width - 1), border=1, align=align)
        pdf.ln(height)


def _per_day(pdf, per_day, lang: str) -> None:
    """One line per local day: visitors, calls, answered, missed, takings, lost items."""
    pdf.add_page()
    pdf.set_font("sc", size=12)
    pdf.cell(0, 8, _("Per day", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sc", size=9)
    headers = [_("Day", lang), _("Visitors", lang), _("Calls", lang), _("Answered", lang), _("Missed calls", lang),
               _("Takings", lang), _("Lost items received", lang)]

    def n(value) -> str:
        return "–" if value is None else str(value)
    rows = [[str(d.day), n(d.visitors), n(d.calls), n(d.answered), n(d.missed),
             "–" if d.takings_fen is None else format_fen(d.takings_fen), n(d.lost_received)] for d in per_day.rows]
    _grid(pdf, headers, rows, [26, 22, 22, 22, 26, 40, 28], ["L", "R", "R", "R", "R", "R", "R"])


def _sample(pdf, item, lang: str) -> None:
    """The first rows of one log and a note of how many there are in all."""
    from datetime import datetime

    from kiosk.core.money import format_fen
    from kiosk.reports.logs import MONEY
    # The reader's columns only: a raw code or stored JSON is for analysts, in the CSV and the workbook.
    chosen = [(i, c) for i, c in enumerate(item.columns) if not c.raw][:SAMPLE_COLUMNS]
    columns = [c for _i, c in chosen]
    if pdf.get_y() + 40 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("sc", size=12)
    pdf.cell(0, 8, item.log.title(lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sc", size=8)
    total = getattr(item, "count", len(item.rows))   # a PDF alone reads only the first rows (LogData.total)
    shown = min(total, SAMPLE_ROWS)
    if total and (total > shown or len(item.columns) > len(columns)):   # an empty log just says so
        note = _(
            "First {shown} of {total} rows and {columns} of {all_columns} columns; all of them are in the CSV and Excel files.",
            lang).format(shown=shown, total=total, columns=len(columns),
                                                         all_columns=len(item.columns))
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    if not total:
        pdf.cell(0, 6, _("No rows in this period.", lang), new_x="LMARGIN", new_y="NEXT")
        return

    def cell(col, value) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.strftime("%m-%d %H:%M")
        if col.kind == MONEY:
            return format_fen(value)
        return str(value)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(columns)
    _grid(pdf, [c.title(lang) for c in columns], [[cell(c, row[i]) for i, c in chosen]
                                                  for row in item.rows[:shown]],
          [width] * len(columns), ["L"] * len(columns))


def _table(pdf, pairs: list[tuple[str, str]]) -> None:
    pdf.set_font("sc", size=10)
    for label, value in pairs:
        pdf.cell(95, 7, label, border=1)
        pdf.cell(70, 7, value, border=1, new_x="LMARGIN", new_y="NEXT")


def _bars(pdf, title: str, items: list[tuple[str, int]], fmt) -> None:
    """A simple bar chart: labelled bars scaled to the largest value."""
    height, label_h = 45, 5
    if pdf.get_y() + height + 20 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.set_font("sc", size=12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    x0, y0 = pdf.l_margin, pdf.get_y() + 5
    width = pdf.w - pdf.l_margin - pdf.r_margin
    slot = width / max(len(items), 1)
    top = max((v for _, v in items), default=0) or 1
    pdf.set_draw_color(120, 120, 120)
    pdf.line(x0, y0 + height, x0 + width, y0 + height)
    pdf.set_fill_color(*BAR_COLOUR)
    pdf.set_font("sc", size=7 if len(items) > 12 else 9)
    for i, (label, value) in enumerate(items):
        bar = height * value / top
        x = x0 + i * slot + slot * 0.15
        if bar > 0:
            pdf.rect(x, y0 + height - bar, slot * 0.7, bar, style="F")
        if value:
            pdf.set_xy(x0 + i * slot, y0 + height - bar - 4)
            pdf.cell(slot, 4, fmt(value), align="C")
        pdf.set_xy(x0 + i * slot, y0 + height + 1)
        pdf.cell(slot, label_h, str(label), align="C")
    pdf.set_xy(x0, y0 + height + label_h + 4)
