"""A simulated phone line on a real pseudo-terminal, for demo mode, tests and install-time checks.

The detector opens the pty's slave through a stable by-id style symlink, exactly as it would open
/dev/serial/by-id/usb-...; closing the master is a faithful unplug, and `plug()` makes a new pty
appear at the same symlink.
"""
from __future__ import annotations

import os
import select
import termios
import threading
import time
import tty
from dataclasses import dataclass
from pathlib import Path

from kiosk.phone.tracker import CADENCES

LINK_NAME = "usb-FrontDesk_Simulated_Ring_Detector-if00-port0"


class PtyLine:
    """One end of a simulated serial cable: write what the detector should read."""

    def __init__(self, link_dir: Path, name: str = LINK_NAME) -> None:
        self.link = Path(link_dir) / name
        self.link.parent.mkdir(parents=True, exist_ok=True)
        self.master: int | None = None
        self._slave: int | None = None
        self.plug()

    @property
    def path(self) -> str:
        return str(self.link)

    def plug(self, new_node: bool = False) -> None:
        """A (new) device appears at the stable path: the same /dev/pts node as before when the
        kernel reuses it (the default), or, with new_node, a different one (a USB adapter that
        came back as ttyUSB1)."""
        spare = os.openpty() if new_node else None   # holds the old number so the new pty gets another
        try:
            master, slave = os.openpty()
        finally:
            if spare:
                for fd in spare:
                    os.close(fd)
        # No echo, no CR/LF translation: a serial line, not a terminal. TCSANOW, not the default
        # TCSAFLUSH: a detector that opened the new node at once may already have written its init.
        tty.setraw(slave, termios.TCSANOW)
        self.master, self._slave = master, slave
        tmp = self.link.with_name(self.link.name + ".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(slave))
        os.replace(tmp, self.link)

    def unplug(self) -> None:
        """Pull the cable: the detector's reads fail from now on."""
        for fd in (self.master, self._slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.master = self._slave = None

    def write(self, data: bytes) -> None:
        if self.master is not None:
            os.write(self.master, data)

    def read_available(self, timeout: float = 0.0) -> bytes:
        fd = self.master  # may be unplugged by another thread at any moment
        if fd is None:
            time.sleep(timeout)
            return b""
        try:
            ready, _, _ = select.select([fd], [], [], timeout)
            return os.read(fd, 4096) if ready else b""
        except (OSError, ValueError):
            return b""

    def close(self) -> None:
        self.unplug()
        self.link.unlink(missing_ok=True)


class ModemResponder:
    """Answers the detector's AT commands like a modem ('OK'; optionally ERROR to one command)."""

    def __init__(self, line: PtyLine, refuse: tuple[str, ...] = ()) -> None:
        self.line, self.refuse = line, refuse
        self.commands: list[str] = []
        self.mute = False
        self.hook: str | None = "ONHOOK"   # what the line board answers to HOOK (None: an older sketch)
        self._stop = threading.Event()
        self._buffer = b""
        self._thread = threading.Thread(target=self._run, daemon=True, name="modem-sim")

    def start(self) -> "ModemResponder":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.is_set():
            data = self.line.read_available(0.05)
            if not data:
                continue
            self._buffer += data
            while b"\r" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\r", 1)
                command = raw.decode("ascii", "replace").strip()
                if command:
                    self.commands.append(command)
                    if self.mute:
                        continue   # a hung modem: the port is open but nothing answers
                    self.line.write(b"\r\nERROR\r\n" if command in self.refuse else b"\r\nOK\r\n")
            while b"\n" in self._buffer:   # the line protocol's heartbeat
                raw, self._buffer = self._buffer.split(b"\n", 1)
                if raw.strip() == b"PING" and not self.mute:
                    self.commands.append("PING")
                    self.line.write(b"PONG\n")
                elif raw.strip() == b"HOOK" and not self.mute:
                    self.commands.append("HOOK")
                    if self.hook:
                        self.line.write(self.hook.encode() + b"\n")


@dataclass(frozen=True)
class Step:
    """One thing that happens on the line, at t seconds into the scenario."""

    t: float
    action: str          # ring | offhook | onhook | cid | unplug | plug
    number: str = ""
    name: str = ""


def _rings(count: int, start: float = 0.0, cycle: float = 5.0) -> list[Step]:
    return [Step(start + n * cycle, "ring") for n in range(count)]


def scenario(name: str, cadence: str = "CN") -> list[Step]:
    """The realistic calls the simulator can play."""
    cycle = CADENCES[cadence].cycle
    cid = Step(0.0, "cid", "13800138000", "WANG XIAOMING")
    scenarios = {
        "answered_ring2": _rings(2, 0.5, cycle) + [Step(0.5 + cycle + 1.5, "offhook"), Step(0.5 + cycle + 40, "onhook")],
        "unanswered_6": _rings(6, 0.5, cycle),
        "abandoned_3": _rings(3, 0.5, cycle),
        "cid_before_ring1": [cid] + _rings(4, 0.8, cycle),
        "cid_after_ring1": _rings(1, 0.5, cycle) + [Step(0.5 + 1.8, "cid", cid.number, cid.name)]
                           + _rings(3, 0.5 + cycle, cycle),
        "unplug_mid_call": _rings(2, 0.5, cycle) + [Step(0.5 + cycle + 1.2, "unplug"), Step(0.5 + cycle + 3.0, "plug")]
                           + _rings(3, 0.5 + 2 * cycle, cycle),
    }
    if name not in scenarios:
        raise KeyError(f"unknown scenario {name!r}; expected one of {', '.join(sorted(scenarios))}")
    return sorted(scenarios[name], key=lambda s: s.t)


SCENARIOS = ("answered_ring2", "unanswered_6", "abandoned_3", "cid_before_ring1", "cid_after_ring1", "unplug_mid_call")


def step_bytes(step: Step, kind: str) -> bytes:
    """What the detector sends for a step: modem text for 'at', the line protocol for 'line'."""
    if kind == "at":
        if step.action == "ring":
            return b"\r\nRING\r\n"
        if step.action == "cid":
            stamp = time.strftime("%m%d\r\nTIME = %H%M")
            return (f"\r\nDATE = {stamp}\r\nNMBR = {step.number}\r\nNAME = {step.name}\r\n").encode()
        return b""   # a modem hears no off-hook
    if step.action == "ring":
        return b"RING_ON\n"
    if step.action == "cid":
        return f"CID {step.number} {step.name}\n".encode()
    return {"offhook": b"OFFHOOK\n", "onhook": b"ONHOOK\n"}.get(step.action, b"")


def play(line: PtyLine, steps: list[Step], kind: str, *, cadence: str = "CN", speed: float = 1.0,
         stop: threading.Event | None = None, echo=None) -> None:
    """Play a scenario on the line in (scaled) real time. Line-protocol rings also send RING_OFF."""
    on = CADENCES[cadence].on
    timeline: list[Step] = []
    for step in steps:
        timeline.append(step)
        if kind == "line" and step.action == "ring":
            timeline.append(Step(step.t + on, "ring_off"))
    timeline.sort(key=lambda s: s.t)
    start = time.monotonic()
    for step in timeline:
        delay = start + step.t / speed - time.monotonic()
        if delay > 0 and (stop.wait(delay) if stop else time.sleep(delay)):
            return
        if step.action == "unplug":
            line.unplug()
        elif step.action == "plug":
            line.plug()
        elif step.action == "ring_off":
            line.write(b"RING_OFF\n")
        else:
            line.write(step_bytes(step, kind))
        if echo:
            echo(step)


def pts_fds() -> list[str]:
    """Where this process's descriptors on pseudo-terminal slaves point (a stale one is a deaf detector
    still holding an unplugged line: the reconnect tests and the soak bench look for them)."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("/dev/pts/"):
            out.append(target)
    return out
