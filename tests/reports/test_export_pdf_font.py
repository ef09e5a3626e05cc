"""The SC font is parsed once per process (fpdf2 re-read 45,000 cmap entries per export): every later PDF
still embeds its own subset, reads back the same text, and threads writing PDFs at once do not share state."""
from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from fpdf import FPDF

from kiosk.core.fonts import sc_font_path
from kiosk.reports import pdf_out

TEXTS = ["前台日志 Front desk ¥18,136.00", "𠮷利 喆 龘 〇", "Ｆｕｌｌ－ｗｉｄｔｈ ＝1+1 😀", "x" * 300]


def _pdf(path: Path, text: str) -> None:
    pdf = FPDF()
    pdf_out.add_sc_font(pdf, str(sc_font_path()))
    pdf.add_page()
    pdf.set_font("sc", size=11)
    pdf.multi_cell(0, 7, text)
    pdf.output(str(path))


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_later_documents_read_back_like_the_first(tmp_path):
    pdf_out._FONT_TEMPLATES.clear()
    for round_ in range(2):
        for i, text in enumerate(TEXTS):
            path = tmp_path / f"{round_}-{i}.pdf"
            _pdf(path, text)
            got = "".join(_text(path).split())
            want = "".join(t for t in text.replace("😀", "") if not t.isspace())
            assert want[:40] in got, (round_, i, got)
    # Each document embeds only what it used: the second "x" document is as small as the first.
    assert abs((tmp_path / "0-3.pdf").stat().st_size - (tmp_path / "1-3.pdf").stat().st_size) < 200


def test_the_parse_is_paid_once(tmp_path):
    pdf_out._FONT_TEMPLATES.clear()
    timings = []
    for _ in range(3):
        pdf = FPDF()
        began = time.perf_counter()
        pdf_out.add_sc_font(pdf, str(sc_font_path()))
        timings.append(time.perf_counter() - began)
        assert pdf.fonts["sc"].subset is not None and not pdf.fonts["sc"].missing_glyphs
    # The first parses (≈0.3 s here); the copies take milliseconds (a generous bound on a loaded box).
    assert max(timings[1:]) < timings[0] / 3, timings


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_threads_writing_pdfs_at_once(tmp_path):
    pdf_out._FONT_TEMPLATES.clear()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            _pdf(tmp_path / f"t{n}.pdf", f"线程 {n} 号 thread")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    for n in range(4):
        assert f"线程 {n} 号 thread" in _text(tmp_path / f"t{n}.pdf")
