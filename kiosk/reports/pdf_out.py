"""The PDF daily report: summary, row counts per log, and bar charts drawn with fpdf2 primitives.

Chinese needs a single-face SC font (kiosk.fonts.sc_font_path); fpdf2 embeds a subset with a
ToUnicode map, so text extractors read the Chinese back.
"""
from __future__ import annotations

from pathlib import Path

from kiosk.core.i18n import gettext as _
from kiosk.core.money import format_fen

BAR_COLOUR = (60, 110, 170)


def write_pdf(path: Path, summary, rows: dict[str, int], missing: list, lang: str, site_name: str = "") -> None:
    """Write the report to path (a temp name; the caller renames it)."""
    from fpdf import FPDF

    from kiosk.reports.logs import LOGS
    from kiosk.core.fonts import sc_font_path
    from kiosk.reports.summary import tiles

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_font("sc", "", str(sc_font_path()))
    pdf.set_title(_("Front desk daily log", lang))
    pdf.add_page()
    pdf.set_font("sc", size=16)
    title = _("Front desk daily log", lang) + (f" · {site_name}" if site_name else "")
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sc", size=11)
    pdf.cell(0, 7, f"{summary.label} ({summary.tz})", new_x="LMARGIN", new_y="NEXT")
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
        _bars(pdf, _("Sales and fees by payment method", lang), sorted(summary.payments.items()), format_fen)
    pdf.output(str(path))


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
