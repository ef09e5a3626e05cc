"""The layout always ends and always fits: property tests over text of every script, for every
receipt kind the kiosk prints, at 32, 42 and 48 columns, through both renderers and both papers.

Each example runs under a hard time bound (a loop that never ends fails instead of hanging).
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hardware.printer.escpos import PrinterProfile, render
from hardware.printer.png import CELL_W, PAPERS, Paper, line_image, render_png
from kiosk.printing.documents import Pair, Receipt, Text, char_width, clusters, layout, pair_line, text_width, wrap
from tests.escpos_decoder import decode
from tests.printing.every_kind import KINDS, every_kind, fill, text_slots
from tests.printing.hostile_text import hostile_text, time_limit

COLUMNS = (32, 42, 48)
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS_RUN = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.data_too_large])
RASTER_RUN = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> dict[str, Receipt]:
    """One receipt of every kind, as the area builders make it from stored records."""
    return every_kind(tmp_path_factory.mktemp("kinds") / "kinds.db", "zh_CN")


def _solid(text: str) -> str:
    return "".join(text.split())


def _fits(lines: list[tuple[str, object]], columns: int) -> None:
    for line, block in lines:
        scale = 2 if isinstance(block, Text) and block.size == 2 else 1
        assert text_width(line) * scale <= columns, (line, block)


# --- the helpers ---------------------------------------------------------------------------------
@QUICK
@given(text=hostile_text(300), columns=st.integers(2, 60))
def test_wrap_ends_fits_and_loses_nothing(text, columns):
    with time_limit(2):
        lines = wrap(text, columns)
    assert all(text_width(line) <= columns for line in lines), lines
    assert len(lines) <= len(text) + text.count("\n") + 1
    assert _solid("".join(lines)) == _solid(text.replace("\n", " "))
    for line in lines:  # a line never starts with a mark that belongs to the character before it
        assert not line or clusters(line)[0][0] == line[0]


@QUICK
@given(left=hostile_text(), right=hostile_text(), columns=st.sampled_from(COLUMNS))
def test_pair_line_ends_fits_and_loses_nothing(left, right, columns):
    left, right = left.replace("\n", " "), right.replace("\n", " ")
    with time_limit(2):
        lines = pair_line(left, right, columns)
    assert all(text_width(line) <= columns for line in lines), lines
    assert _solid("".join(lines)) == _solid(left + right)


@pytest.mark.parametrize("columns", COLUMNS)
def test_issue_examples_no_longer_hang(columns):
    # 23 Chinese characters at 80 mm and 15 at 58 mm hung pair_line (wrap(left, 1) with a wide char).
    for n in (15, 16, 23, 24, 200):
        with time_limit(2):
            lines = pair_line("物品", "失" * n, columns)
        assert all(text_width(line) <= columns for line in lines)
        assert "".join(lines).count("失") == n
    with time_limit(2):  # a label/value line whose value is nearly the paper's width
        lines = pair_line("Payer", "x" * (columns - 2), columns)
    assert all(text_width(line) <= columns for line in lines) and "".join(lines).count("x") == columns - 2
    assert pair_line("Total", "¥9.00", columns) == ["Total" + " " * (columns - 10) + "¥9.00"]


def test_widths_are_the_printers():
    assert [char_width(c) for c in "a¥é失Ｑ😀\u0301\u200b→ł"] == [1, 1, 1, 2, 2, 2, 0, 0, 2, 2]
    assert text_width("合计 ¥6.00") == 10
    with pytest.raises(ValueError, match="at least"):
        layout(Receipt(kind="test", lang="en", title="x"), 3)


# --- every receipt kind, every field --------------------------------------------------------------
@pytest.mark.parametrize("columns", COLUMNS)
@pytest.mark.parametrize("kind", KINDS)
@KINDS_RUN
@given(data=st.data())
def test_every_kind_lays_out_to_fit(shapes, kind, columns, data):
    texts = data.draw(st.lists(hostile_text(), min_size=text_slots(shapes[kind]),
                               max_size=text_slots(shapes[kind])))
    receipt = fill(shapes[kind], lambda i, _old: texts[i])
    with time_limit(5):
        lines = layout(receipt, columns)
    _fits(lines, columns)
    budget = sum(len(t) + t.count("\n") + 2 for t in texts) + 4 * len(receipt.blocks) + 20
    assert len(lines) <= budget, "layout added lines of its own"


def test_real_receipts_fit_unchanged_and_worst_case_too(tmp_path):
    for lang in ("zh_CN", "en"):
        for long_text in (None, "失物招领黑色双肩包" * 30, "Supercalifragilistic" * 20):
            receipts = every_kind(tmp_path / f"{lang}{len(long_text or '')}{(long_text or 'x')[0]}.db", lang,
                                  long_text=long_text)
            for kind, receipt in receipts.items():
                for columns in COLUMNS:
                    with time_limit(5):
                        _fits(layout(receipt, columns), columns)


# --- the renderers ---------------------------------------------------------------------------------
def _paper_fits(data: bytes, profile: PrinterProfile) -> None:
    paper = decode(data)
    for line in paper.lines:
        assert text_width(line.text) * line.size <= profile.columns, line.text
    assert all(width == PAPERS[profile.paper_mm].pixels for width, _ in paper.images)
    assert paper.cuts == 1 and not paper.kicks and not paper.status_queries


@pytest.mark.parametrize("paper_mm", [58, 80])
@pytest.mark.parametrize("kind", KINDS)
@KINDS_RUN
@given(data=st.data())
def test_every_kind_prints_to_fit_in_chinese_mode(shapes, kind, paper_mm, data):
    texts = data.draw(st.lists(hostile_text(), min_size=text_slots(shapes[kind]), max_size=text_slots(shapes[kind])))
    profile = PrinterProfile(paper_mm, "gb18030")
    with time_limit(10):
        out = render(fill(shapes[kind], lambda i, _old: texts[i]), profile)
    _paper_fits(out, profile)


@pytest.mark.parametrize("paper_mm", [58, 80])
@pytest.mark.parametrize("kind", KINDS)
@RASTER_RUN
@given(data=st.data())
def test_every_kind_prints_to_fit_as_raster(shapes, kind, paper_mm, data):
    texts = data.draw(st.lists(hostile_text(), min_size=text_slots(shapes[kind]), max_size=text_slots(shapes[kind])))
    profile = PrinterProfile(paper_mm, "raster")
    receipt = fill(shapes[kind], lambda i, _old: texts[i])
    with time_limit(30):
        out = render(receipt, profile)
    _paper_fits(out, profile)
    assert not decode(out).chinese_runs, "no GB18030 for a printer without a Chinese font"
    with time_limit(30):
        image = render_png(receipt, paper_mm)
    assert image.width == PAPERS[paper_mm].pixels + 32


@pytest.mark.parametrize("paper_mm", [58, 80])
@settings(max_examples=40, deadline=None)
@given(text=hostile_text(200), bold=st.booleans(), size=st.sampled_from([1, 2]))
def test_raster_lines_keep_their_ink_on_the_paper(paper_mm, text, bold, size):
    # 384 and 576 dots: draw each laid-out line left-aligned on a canvas twice the paper's width;
    # no glyph (wide, combining, emoji, missing) may leave ink past the printable width.
    paper = PAPERS[paper_mm]
    wide = Paper(paper.mm, paper.columns, paper.pixels * 2)
    block = Text(text, bold=bold, size=size)
    for line, laid in layout(Receipt(kind="test", lang="en", title="", blocks=(block,)), paper.columns):
        if laid is not block:
            continue
        assert text_width(line) * CELL_W * size <= paper.pixels
        with time_limit(5):
            image = line_image(line, laid, wide)
        box = image.point(lambda v: 255 - v).getbbox()  # ink is black (0) on a white (1) picture
        assert box is None or box[2] <= paper.pixels, (line, box)


def test_a_lost_item_tag_with_a_long_chinese_description_prints(tmp_path):
    # The issue's example end to end: a real tag, 23+ Chinese characters at 80 mm, 15+ at 58 mm.
    receipts = every_kind(tmp_path / "tag.db", "zh_CN", long_text="黑色真皮双肩包内有笔记本电脑充电器和一把雨伞与钥匙")
    tag = receipts["lftag"]
    for paper_mm, chinese in ((80, "gb18030"), (58, "gb18030"), (58, "raster"), (80, "raster")):
        profile = PrinterProfile(paper_mm, chinese)
        with time_limit(20):
            data = render(tag, profile)
        _paper_fits(data, profile)
        if chinese == "gb18030":
            assert "黑色真皮双肩包" in decode(data).text.replace("\n", "")


def test_pair_value_wider_than_its_room_goes_under_the_label():
    lines = pair_line("Transaction ref.", "REF-" + "9" * 40, 48)
    assert lines == ["Transaction ref.", " " * 4 + "REF-" + "9" * 40]
    assert pair_line("", "¥1.00", 32) == [" " * 27 + "¥1.00"]
    assert Pair("a", "b")  # the block itself is untouched: layout works on a sanitised copy
