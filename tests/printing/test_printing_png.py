"""Virtual printer pictures in both languages and both paper widths (look at them in artifacts/)."""
from __future__ import annotations

import pytest

from hardware.printer.png import render_png
from tests import receipt_samples


@pytest.mark.parametrize("paper_mm,pixels", [(58, 384), (80, 576)])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("kind", sorted(receipt_samples.SAMPLES))
def test_png_receipts(kind, lang, paper_mm, pixels, artifacts):
    image = render_png(receipt_samples.SAMPLES[kind](lang), paper_mm)
    out = artifacts / "receipts" / f"{kind}_{lang}_{paper_mm}mm.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out)
    assert image.width == pixels + 32
    # Ink stays inside the printable width (nothing clipped at the right edge).
    gray = image.convert("L")
    right_margin = gray.crop((image.width - 16, 0, image.width, image.height))
    assert right_margin.getextrema()[0] == 255, "ink in the right margin: something ran off the paper"
    assert gray.getextrema()[0] == 0, "something was printed"
