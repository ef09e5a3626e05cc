"""Serial ring detectors: a Hayes AT modem, the RI pin of an RS-232 port, or a small
microcontroller speaking a line protocol (hardware/phone/PHONE_PROTOCOL.md).

Transport is split from protocol: parsers are fed bytes (or pin samples) and return
kiosk.phone.tracker.DetectorEvent objects; one reader thread per detector runs the transport, reconnects
with back-off after an unplug, re-sends the modem's init string, and reports its state. The thread runs
under kiosk.core.supervisor, so even a bug outside a session restarts the reader instead of ending it.
"""
from __future__ import annotations

import enum
import logging
import re
import threading
import time
from datetime import datetime
from typing import Callable

import serial

from kiosk.core.supervisor import Publish, Supervisor
from kiosk.phone.tracker import DetectorEvent

log = logging.getLogger(__name__)
MAX_LINE = 256


class DetectorState(str, enum.Enum):
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    ERROR = "error"
    OFF = "off"


# --- parsers ----------------------------------------------------------------------------------
class LineSplitter:
    """Bytes to lines; over-long or binary lines are dropped (and counted), never fatal."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.dropped = 0

    def feed(self, data: bytes) -> list[str]:
        self._buffer += data
        lines = []
        while True:
            cut = min((i for i in (self._buffer.find(b"\n"), self._buffer.find(b"\r")) if i >= 0), default=-1)
            if cut < 0:
                if len(self._buffer) > MAX_LINE:
                    self.dropped += 1
                    log.warning("dropping %d bytes without a line end", len(self._buffer))
                    self._buffer.clear()
                return lines
            raw, self._buffer = bytes(self._buffer[:cut]), self._buffer[cut + 1:]
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                self.dropped += 1
                log.warning("ignoring a line that is not text: %r", raw[:40])
                continue
            if any(ord(ch) < 32 for ch in text) or len(text) > MAX_LINE:
                self.dropped += 1
                log.warning("ignoring a garbled line: %r", text[:40])
                continue
            lines.append(text)


_CID_FIELD = re.compile(r"^(DATE|TIME|NMBR|NAME|MESG|DDN_NMBR)\s*=\s*(.*)$", re.I)
CID_PRIVATE = {"P": "private", "O": "unavailable"}


class ATParser:
    """Hayes modem output: RING lines and caller-ID blocks (DATE, TIME, NMBR, NAME, MESG)."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self.lines = LineSplitter()
        self._cid: dict[str, str] = {}
        self._now = now or datetime.now
        self.replies: list[str] = []   # OK / ERROR, for the init sequence

    def feed(self, data: bytes, t: float) -> list[DetectorEvent]:
        events = []
        for line in self.lines.feed(data):
            upper = line.upper()
            if upper == "RING":
                events += self._flush_cid(t)
                events.append(DetectorEvent("ring", t))
            elif upper in ("OK", "ERROR") or upper.startswith("AT"):
                self.replies.append(upper)
            elif (match := _CID_FIELD.match(line)):
                key, value = match.group(1).upper(), match.group(2).strip()
                self._cid[key] = value
                if key in ("NMBR", "DDN_NMBR") and "NAME" in self._cid or key == "NAME" and "NMBR" in self._cid:
                    events += self._flush_cid(t)
            elif upper in ("NO CARRIER", "BUSY", "NO DIALTONE", "CONNECT"):
                continue
            else:
                log.debug("ignoring modem line %r", line)
        return events

    def _flush_cid(self, t: float) -> list[DetectorEvent]:
        if not self._cid:
            return []
        cid, self._cid = self._cid, {}
        number = cid.get("NMBR") or cid.get("DDN_NMBR") or ""
        name = cid.get("NAME", "")
        number = CID_PRIVATE.get(number.upper(), number) if len(number) == 1 else number
        name = CID_PRIVATE.get(name.upper(), name) if len(name) == 1 else name
        moment = self.cid_time(cid.get("DATE", ""), cid.get("TIME", ""))
        return [DetectorEvent("callerid", t, number=number, name=name,
                              when=moment.isoformat(timespec="minutes") if moment else "")]

    def cid_time(self, date: str, time_: str) -> datetime | None:
        """The call's time from MMDD and HHMM; the modem sends no year, so ours is supplied."""
        try:
            now = self._now()
            moment = datetime(now.year, int(date[:2]), int(date[2:4]), int(time_[:2]), int(time_[2:4]))
        except (ValueError, IndexError):
            return None
        # A call stamped 31 Dec and read just after midnight on 1 Jan belongs to last year.
        if moment.month == 12 and now.month == 1:
            moment = moment.replace(year=now.year - 1)
        return moment


class LineProtocolParser:
    """The microcontroller's protocol: RING_ON, RING_OFF, OFFHOOK, ONHOOK, CID <number> [name]."""

    KINDS = {"RING_ON": "ring_on", "RING_OFF": "ring_off", "OFFHOOK": "offhook", "ONHOOK": "onhook"}

    def __init__(self) -> None:
        self.lines = LineSplitter()
        self.ignored = 0

    def feed(self, data: bytes, t: float) -> list[DetectorEvent]:
        events = []
        for line in self.lines.feed(data):
            word, _, rest = line.partition(" ")
            if word in self.KINDS and not rest:
                events.append(DetectorEvent(self.KINDS[word], t))
            elif word == "CID" and rest:
                number, _, name = rest.strip().partition(" ")
                events.append(DetectorEvent("callerid", t, number=CID_PRIVATE.get(number, number), name=name.strip()))
            elif word in ("HELLO", "PONG"):
                continue  # the detector's greeting and keep-alive
            else:
                self.ignored += 1
                log.warning("ignoring unknown detector line %r", line[:60])
        return events


class RIBurstGrouper:
    """RI pin samples to ring bursts: pulses at 20-50 Hz; ~300 ms of quiet ends a burst."""

    def __init__(self, quiet: float = 0.3) -> None:
        self.quiet = quiet
        self._in_burst = False
        self._last_edge: float | None = None
        self._level = False

    def sample(self, t: float, level: bool) -> list[DetectorEvent]:
        events = []
        if level != self._level:
            self._level = level
            self._last_edge = t
            if not self._in_burst:
                self._in_burst = True
                events.append(DetectorEvent("ring_on", t))
        elif self._in_burst and self._last_edge is not None and t - self._last_edge >= self.quiet:
            self._in_burst = False
            events.append(DetectorEvent("ring_off", self._last_edge))
        return events


# --- transports ---------------------------------------------------------------------------------
EventSink = Callable[[DetectorEvent], None]
StateSink = Callable[[DetectorState, str], None]


class SerialDetector:
    """Reads a serial port in a thread; reconnects with back-off; never raises into the app."""

    def __init__(self, kind: str, port: str, on_event: EventSink, on_state: StateSink, *, baudrate: int = 9600,
                 init: str = "", offhook_line: str = "", monotonic: Callable[[], float] = time.monotonic,
                 max_backoff: float = 10.0, publish: Publish | None = None) -> None:
        if kind not in ("at", "line", "ri"):
            raise ValueError(f"unknown detector kind {kind!r}")
        self.kind, self.port, self.baudrate, self.init = kind, port, baudrate, init
        self.offhook_line = offhook_line
        self.on_event, self.on_state, self.monotonic = on_event, on_state, monotonic
        self.max_backoff = max_backoff
        self.state = DetectorState.OFF
        self.supervisor = Supervisor("phone.reader", self._run, publish=publish, first_delay=min(0.25, max_backoff),
                                     max_delay=max_backoff, monotonic=monotonic)
        self._stop = self.supervisor.stopping
        self.connects = 0

    def start(self) -> "SerialDetector":
        self.supervisor.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        self.supervisor.stop(timeout)

    def _set_state(self, state: DetectorState, detail: str) -> None:
        """The one place the state changes: logged and published."""
        if state != self.state:
            log.info("phone detector %s: %s %s", self.port, state.value, detail)
        self.state = state
        self.on_state(state, detail)

    def _run(self, stop: threading.Event) -> None:
        backoff = 0.25
        while not stop.is_set():
            try:
                port = serial.Serial(self.port, self.baudrate, timeout=0.05, exclusive=True)
            except (serial.SerialException, OSError, ValueError) as exc:
                self._set_state(DetectorState.RECONNECTING, f"cannot open {self.port}: {exc}")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = 0.25
            self.connects += 1
            try:
                self._session(port)
            except (serial.SerialException, OSError) as exc:
                self._set_state(DetectorState.RECONNECTING, f"lost {self.port}: {exc}")
            except Exception as exc:  # never die: a bug in one session must not stop the desk's phone
                log.exception("phone detector failed")
                self._set_state(DetectorState.ERROR, str(exc))
            finally:
                try:
                    port.close()
                except Exception:
                    pass
            self._stop.wait(0.2)
        self._set_state(DetectorState.OFF, "stopped")

    def _session(self, port: serial.Serial) -> None:
        if self.kind == "at":
            parser = ATParser()
            self._send_init(port, parser)
        elif self.kind == "line":
            parser = LineProtocolParser()
        else:
            return self._ri_session(port)
        self._set_state(DetectorState.CONNECTED, self.port)
        while not self._stop.is_set():
            data = port.read(port.in_waiting or 1)
            if data:
                for event in parser.feed(data, self.monotonic()):
                    self.on_event(event)
            elif not _still_there(port):
                raise serial.SerialException("device went away")

    def _send_init(self, port: serial.Serial, parser: ATParser) -> None:
        """Send each init command; 'A|B' means try B when A answers ERROR (e.g. caller-ID syntax)."""
        for command in filter(None, (c.strip() for c in self.init.split(";"))):
            for alternative in command.split("|"):
                parser.replies.clear()
                port.write(alternative.encode("ascii") + b"\r")
                deadline = self.monotonic() + 2.0
                while self.monotonic() < deadline and not {"OK", "ERROR"} & set(parser.replies):
                    data = port.read(port.in_waiting or 1)
                    if data:
                        for event in parser.feed(data, self.monotonic()):
                            self.on_event(event)
                if "OK" in parser.replies:
                    break
            else:
                log.warning("modem refused %r", command)

    def _ri_session(self, port: serial.Serial) -> None:
        grouper = RIBurstGrouper()
        hook = None
        self._set_state(DetectorState.CONNECTED, self.port)
        while not self._stop.is_set():
            t = self.monotonic()
            for event in grouper.sample(t, bool(port.ri)):
                self.on_event(event)
            if self.offhook_line:
                level = bool(getattr(port, {"DCD": "cd", "DSR": "dsr", "CTS": "cts"}[self.offhook_line]))
                if hook is not None and level != hook:
                    self.on_event(DetectorEvent("offhook" if level else "onhook", t))
                hook = level
            time.sleep(0.005)  # 200 Hz: twice the fastest ring pulse edges


def _still_there(port: serial.Serial) -> bool:
    """A pty or USB adapter that vanished reads empty; poking the port tells."""
    try:
        port.in_waiting
        return True
    except (OSError, serial.SerialException):
        return False
