"""Issue 18: a burst of print jobs does not re-render the status bar once a job. The printer's queued count
follows a burst at most every PRINTER_COUNT_EVERY_S; a change of state (out of paper, an error and its reason,
jobs needing attention) and the start and end of a burst show at once, in both languages."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

from screens.app import PRINTER_COUNT_EVERY_S
from tests.uikit import app_test, find_all, kiosk_app_factory, settle, shot, sign_in_as


def _printer_label(app):
    [label] = [w for w in find_all(app.root, cls="Label") if w.text.startswith(("Printer", "打印机"))]
    return label


async def _wait_for(app, condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_a_burst_of_jobs_redraws_the_count_a_few_times_and_ends_exact(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    await settle(app)
    label = _printer_label(app)
    texts: list[str] = []
    label.bind(text=lambda w, t: texts.append(t))
    bus = app.ctx.bus
    # the burst starts: from nothing queued to 100 shows at once
    bus.publish("printer.state", state="virtual", detail="virtual", queued=100)
    await settle(app, 2)
    assert "(100 queued)" in label.text

    def burst():   # from the print worker's thread, as fast as it can: 99 .. 1 queued
        for left in range(99, 0, -1):
            bus.publish("printer.state", state="virtual", detail="virtual", queued=left)
    started = time.monotonic()
    worker = threading.Thread(target=burst)
    worker.start()
    assert await _wait_for(app, lambda: not worker.is_alive(), 10)
    await settle(app, 3)
    assert await _wait_for(app, lambda: "(1 queued)" in label.text, PRINTER_COUNT_EVERY_S * 3 + 2)
    elapsed = time.monotonic() - started
    redraws = [t for t in texts if "queued" in t]
    assert len(redraws) <= 2 + elapsed / PRINTER_COUNT_EVERY_S + 1, redraws
    assert len(redraws) < 20, "not one redraw a job"
    # a change of state shows at once, count and reason with it, even in the middle of a burst
    bus.publish("printer.state", state="paper_out", detail="virtual", queued=1)
    await settle(app, 2)
    assert label.text == "Printer: out of paper (1 queued)"
    bus.publish("printer.state", state="error", detail="job 7: 🖨️\x00 " + "长" * 300, queued=1, attention=2,
                reason="held")
    await settle(app, 2)
    assert "(2 need attention)" in label.text and label.text.startswith("Printer: error")
    # the end of a burst (nothing queued) shows at once
    bus.publish("printer.state", state="virtual", detail="virtual", queued=0, attention=0)
    await settle(app, 2)
    assert label.text == "Printer: virtual"
    app.set_language("zh_CN")
    await settle(app, 3)
    assert _printer_label(app).text.startswith("打印机")
    shot(app, "shell_printer_burst_end_zh.png")


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_state_change_cancels_a_pending_count_and_shows_its_own(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    bus = app.ctx.bus
    bus.publish("printer.state", state="virtual", detail="virtual", queued=5)
    await settle(app, 2)
    bus.publish("printer.state", state="virtual", detail="virtual", queued=4)
    await settle(app, 2)
    assert app._printer_count_event is not None and app.printer_queued == 5
    bus.publish("printer.state", state="offline", detail="no answer", queued=3)
    await settle(app, 2)
    assert app._printer_count_event is None and app.printer_queued == 3
    assert "离线" in _printer_label(app).text and "3" in _printer_label(app).text
    await asyncio.sleep(PRINTER_COUNT_EVERY_S + 0.2)   # nothing stale lands later
    await settle(app, 2)
    assert app.printer_queued == 3
