"""A ring board that hangs with its USB still enumerated (found by an outside attack on issue 15): after the
first failed heartbeat a reopened port stays deaf until it answers, so the desk's 10 s alarm rises. Real ptys
and the real clock (the alarm's 10 s are real seconds on a real pty)."""
from __future__ import annotations

import time

import pytest

from hardware.phone.detectors import DetectorState, SerialDetector
from hardware.phone.runtime import PhoneService
from hardware.phone.simulator import ModemResponder, PtyLine
from kiosk.core import config as config_mod
from kiosk.core.clock import SystemClock
from kiosk.core.context import Context
from tests.conftest import migrated_copy
from tests.phone.test_phone_detectors import Recorder
from tests.waiting import wait_until


@pytest.fixture
def line(tmp_path):
    pty = PtyLine(tmp_path / "by-id")
    yield pty
    pty.close()


def real_ctx(tmp_path) -> Context:
    """A context on the real clock."""
    return Context(config=config_mod.load(None), db_path=migrated_copy(tmp_path / "real.db"), clock=SystemClock())


def test_a_mute_line_board_is_deaf_for_good_not_connected_again_after_each_reopen(line):
    """A line-protocol board that stops answering PING (sketch hung in a loop, USB still enumerated):
    after the first failed heartbeat the detector reopens and at once reports CONNECTED again -- with
    no proof of life -- and stays 'connected' until the next probe fails. The desk sees 'connected'
    nearly all the time while nobody is listening."""
    modem = ModemResponder(line).start()
    rec = Recorder()
    detector = SerialDetector("line", line.path, rec.event, rec.state, probe_after=0.5, probe_timeout=0.5).start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        modem.mute = True
        wait_until(lambda: DetectorState.DEAF in [s for s, _ in rec.states], timeout=3)
        # From now on the board never answers: sample what the desk is told for 3 s.
        connected = 0
        samples = 0
        t_end = time.monotonic() + 3.0
        while time.monotonic() < t_end:
            samples += 1
            connected += detector.state == DetectorState.CONNECTED
            time.sleep(0.02)
        flips = [s for s, _ in rec.states].count(DetectorState.CONNECTED)
        assert connected == 0, (f"a board that answers no PING was reported CONNECTED {100 * connected // samples}% "
                                f"of the time after it went deaf ({flips} connected states)")
    finally:
        detector.stop()
        modem.stop()


def test_a_mute_line_board_raises_the_desk_alarm_after_ten_seconds(tmp_path, line):
    """End to end (real clock, real pty): the board goes mute; >10 s later the desk must have the red
    banner ('Disconnected or deaf for more than 10 s raises a red banner'). The reopen's instant
    CONNECTED resets the gap every probe cycle, so no alarm ever rises."""
    ctx = real_ctx(tmp_path)
    alarms = []
    ctx.bus.subscribe("phone.alarm", lambda e: alarms.append(dict(e.data)))
    service = PhoneService(ctx, "line", phone_config=ctx.config.section("phone") | {"detector": "line"}).start()
    modem = ModemResponder(line).start()
    # probe_seconds can be set down to 5 in the config; 0.5 s here only makes the test shorter.
    detector = SerialDetector("line", line.path, service.put, service.on_state, probe_after=0.5,
                              probe_timeout=0.5).start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        modem.mute = True
        time.sleep(12.0)
        assert any(a.get("active") for a in alarms), \
            f"board deaf for 12 s, no alarm; detector state now {detector.state.value}, connects={detector.connects}"
    finally:
        detector.stop()
        modem.stop()
        service.stop()
        ctx.close()
