"""Serial ring detectors: a Hayes AT modem, the RI pin of an RS-232 port, or a small
microcontroller speaking a line protocol (hardware/phone/PHONE_PROTOCOL.md).

Transport is split from protocol: parsers are fed bytes (or pin samples) and return
kiosk.phone.tracker.DetectorEvent objects; one reader thread per detector runs the transport, reconnects
with back-off after an unplug, re-sends the modem's init string, and reports its state. The thread runs
under kiosk.core.supervisor, so even a bug outside a session restarts the reader instead of ending it.
"""
from __future__ import annotations

import enum
import fcntl
import logging
import os
import random
import re
import struct
import termios
import threading
import time
from datetime import datetime
from typing import Callable

import serial

from kiosk.core.config import Text
from kiosk.core.supervisor import Publish, Supervisor
from kiosk.phone import callerid
from kiosk.phone.tracker import DetectorEvent

log = logging.getLogger(__name__)
MAX_LINE = 256
TIOCGICOUNT = getattr(termios, "TIOCGICOUNT", 0x545D)
termios_error = termios.error


class DetectorState(str, enum.Enum):
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    DEAF = "deaf"           # open but not answering its heartbeat
    ERROR = "error"
    OFF = "off"


# --- parsers ----------------------------------------------------------------------------------
class LineSplitter:
    """Bytes to lines; over-long or binary lines are dropped (and counted), never fatal."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.dropped = 0
        self.count = 0   # valid lines returned so far

    def take_token(self, tokens: frozenset[str]) -> str | None:
        """The unterminated tail when it is exactly one of `tokens` (then it is consumed), else None."""
        tail = bytes(self._buffer).strip().decode("ascii", "replace")
        if tail not in tokens:
            return None
        self._buffer.clear()
        self.count += 1
        return tail

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
            self.count += 1
            lines.append(text)


_CID_FIELD = re.compile(r"^(DATE|TIME|NMBR|NAME|MESG|DDN_NMBR)\s*=\s*(.*)$", re.I)
CID_PRIVATE = {"P": "private", "O": "unavailable"}
CID_QUIET = 0.3   # seconds after the last caller-ID field: the block is complete


TOKEN_IDLE = 0.08   # seconds without a byte after which a complete token with no line end is a line


class _Parser:
    """What the AT and line-protocol parsers share: bytes to lines to events, and `heard`, the count
    of lines that meant something (noise and unknown lines are not proof the device is listening)."""

    TOKENS: frozenset[str] = frozenset()   # whole lines a device may leave unterminated

    def __init__(self) -> None:
        self.lines = LineSplitter()
        self.ignored = 0
        self._fed = 0.0

    @property
    def heard(self) -> int:
        return self.lines.count - self.ignored

    def feed(self, data: bytes, t: float) -> list[DetectorEvent]:
        self._fed = t
        return self._parse(self.lines.feed(data), t)

    def poll(self, t: float) -> list[DetectorEvent]:
        """Time passes: a known token left without a line end for TOKEN_IDLE is taken as a line.
        Some modems print the line end before the word (``\r\nRING``): waiting for the next byte
        would count each ring a whole ring cycle late, and the call's last ring never."""
        if t - self._fed < TOKEN_IDLE:
            return []
        token = self.lines.take_token(self.TOKENS)
        return self._parse([token], t) if token else []

    def _parse(self, lines: list[str], t: float) -> list[DetectorEvent]:
        raise NotImplementedError


class ATParser(_Parser):
    """Hayes modem output: RING lines, caller-ID blocks (DATE, TIME, NMBR, NAME, MESG) and +CLIP.

    A caller-ID block is handed on as soon as it is complete (a NAME after the NMBR, any other
    line, or CID_QUIET seconds of quiet via `poll`), never held until the next RING: a one-ring
    call keeps its number and nothing carries into the next call.
    """

    TOKENS = frozenset({"RING", "OK", "ERROR"})

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self._cid: dict[str, str] = {}
        self._cid_t = 0.0
        self._now = now or datetime.now
        self.replies: list[str] = []   # OK / ERROR, for the init sequence and the probe

    def _parse(self, lines: list[str], t: float) -> list[DetectorEvent]:
        events = []
        for line in lines:
            if line == "RING":   # exactly as modems print it; a lowercase 'ring' is an echo, not a ring
                events += self._flush_cid(t)
                events.append(DetectorEvent("ring", t))
            elif line in ("OK", "ERROR") or line.upper().startswith("AT"):
                self.replies.append(line.upper())
            elif line.startswith("+CLIP:"):
                events += self._flush_cid(t)
                clip = callerid.parse_clip(line)
                if clip is not None:
                    events.append(DetectorEvent("callerid", t, number=clip.number, name=clip.name))
            elif (match := _CID_FIELD.match(line)):
                key, value = match.group(1).upper(), match.group(2).strip()
                self._cid[key] = value
                self._cid_t = t
                if key == "MESG" or key == "NAME" and ("NMBR" in self._cid or "DDN_NMBR" in self._cid) \
                        or key in ("NMBR", "DDN_NMBR") and "NAME" in self._cid:
                    events += self._flush_cid(t)
            else:
                events += self._flush_cid(t)   # any other line ends a caller-ID block
                if line.upper() not in ("NO CARRIER", "BUSY", "NO DIALTONE", "CONNECT"):
                    self.ignored += 1
                    log.debug("ignoring modem line %r", line)
        return events

    def poll(self, t: float) -> list[DetectorEvent]:
        """Time passes: a block that has been quiet for CID_QUIET is complete; so is a bare token."""
        events = super().poll(t)
        if self._cid and t - self._cid_t >= CID_QUIET:
            events += self._flush_cid(t)
        return events

    def _flush_cid(self, t: float) -> list[DetectorEvent]:
        if not self._cid:
            return []
        cid, self._cid = self._cid, {}
        number = cid.get("NMBR") or cid.get("DDN_NMBR") or ""
        name = cid.get("NAME", "")
        date, time_ = cid.get("DATE", ""), cid.get("TIME", "")
        if cid.get("MESG"):
            try:
                frame = callerid.decode_hex(cid["MESG"])
            except callerid.FrameError:
                log.warning("ignoring a caller-ID message that is not a frame: %r", cid["MESG"][:40])
            else:
                number, name = number or frame.number, name or frame.name
                if frame.when and not date:
                    date, time_ = frame.when[:4], frame.when[4:]
        if not number and not name:
            return []
        number = CID_PRIVATE.get(number.upper(), number) if len(number) == 1 else number
        name = CID_PRIVATE.get(name.upper(), name) if len(name) == 1 else name
        moment = self.cid_time(date, time_)
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


class LineProtocolParser(_Parser):
    """The microcontroller's protocol (PHONE_PROTOCOL.md): RING_ON, RING_OFF, OFFHOOK, ONHOOK,
    CID <number> [name], FSK <hex frame>, DTMF <digits>, HELLO, PONG."""

    KINDS = {"RING_ON": "ring_on", "RING_OFF": "ring_off", "OFFHOOK": "offhook", "ONHOOK": "onhook"}
    TOKENS = frozenset(KINDS) | {"PONG"}

    def __init__(self) -> None:
        super().__init__()
        self.pongs = 0

    def _parse(self, lines: list[str], t: float) -> list[DetectorEvent]:
        events = []
        for line in lines:
            word, _, rest = line.partition(" ")
            rest = rest.strip()
            if word in self.KINDS and not rest:
                events.append(DetectorEvent(self.KINDS[word], t))
            elif word == "CID" and rest:
                number, _, name = rest.partition(" ")
                events.append(DetectorEvent("callerid", t, number=CID_PRIVATE.get(number, number), name=name.strip()))
            elif word in ("FSK", "DTMF") and rest:
                try:
                    cid = callerid.decode_hex(rest) if word == "FSK" else callerid.parse_dtmf(rest)
                except callerid.FrameError:
                    cid = None
                if cid is None or not (cid.number or cid.name):
                    self.ignored += 1
                    log.warning("ignoring a caller-ID frame that does not decode: %r", line[:60])
                else:
                    events.append(DetectorEvent("callerid", t, number=cid.number, name=cid.name))
            elif word == "PONG":
                self.pongs += 1   # the heartbeat's answer
            elif word == "HELLO":
                # The greeting after a reset: `HELLO <version> [level|pulse] [onhook|offhook]`. The hook
                # state resyncs the tracker (an ONHOOK lost while the board was away ends its call);
                # an older sketch's HELLO without it is fine.
                words = rest.lower().split()
                for state in ("onhook", "offhook"):
                    if state in words:
                        events.append(DetectorEvent(state, t))
                        break
            else:
                self.ignored += 1
                log.warning("ignoring unknown detector line %r", line[:60])
        return events


class RingBursts:
    """Ring-board output to ring bursts, for pulse trains and held levels alike.

    `sample(t, active)`: active is the board's output at t, or True when the port counted an RI
    transition since the last sample (the kernel's counter: immune to aliasing). A burst starts only
    on sustained activity: `min_burst` seconds of it with no hole longer than `max_gap` (a 17 Hz
    train's longest hole is 59 ms), made of one held level or at least `min_runs` separate pulses
    (two cycles of the slowest ringing). Two or three spikes — a line reversal, an extension lifted,
    contact bounce — never count, however far apart. The burst ends after `quiet` seconds without
    activity. Events are stamped with the burst's real start and end.
    """

    def __init__(self, quiet: float = 0.3, min_burst: float = 0.15, max_gap: float = 0.08,
                 min_runs: int = 4) -> None:
        self.quiet, self.min_burst, self.max_gap, self.min_runs = quiet, min_burst, max_gap, min_runs
        self._start: float | None = None       # first activity of the candidate burst
        self._last: float = 0.0                # last activity seen
        self._announced = False
        self._runs = 0                         # separate stretches of activity in the candidate
        self._run_start: float = 0.0           # where the current stretch of activity began
        self._held = 0.0                       # the longest stretch held without a quiet sample
        self._was_active = False
        self.rejected = 0                      # transients too short to be a ring
        self.samples = self.active_samples = 0  # inside announced bursts: for --learn
        self._idle = 0
        self.bursts: list[tuple[float, float]] = []

    def _sustained(self) -> bool:
        if self._last - self._start < self.min_burst:
            return False
        return self._held >= self.min_burst or self._runs >= self.min_runs

    def sample(self, t: float, active: bool) -> list[DetectorEvent]:
        events: list[DetectorEvent] = []
        if self._start is not None and self._announced:
            # inside a burst: quiet samples count only once activity resumes (not the burst's tail)
            if active:
                self.samples += 1 + self._idle
                self.active_samples += 1
                self._idle = 0
            else:
                self._idle += 1
        if active:
            if self._start is not None and not self._announced and t - self._last > self.max_gap:
                self.rejected += 1             # a hole too long for ringing: that was a transient
                self._start = None
            if self._start is None:
                self._start, self._announced, self._runs, self._held = t, False, 0, 0.0
                self._was_active = False
            if not self._was_active:
                self._runs += 1
                self._run_start = t
            self._held = max(self._held, t - self._run_start)
            self._last = t
            if not self._announced and self._sustained():
                self._announced = True
                events.append(DetectorEvent("ring_on", self._start))
        elif self._start is not None and t - self._last >= self.quiet:
            self._idle = 0
            if self._announced:
                events.append(DetectorEvent("ring_off", self._last))
                self.bursts.append((self._start, self._last))
                del self.bursts[:-50]   # bounded memory
            else:
                self.rejected += 1
            self._start = None
        self._was_active = active
        return events

    def suggestion(self) -> str:
        """'level' when the output stayed active through the bursts, else 'pulse' (for --learn)."""
        if not self.samples:
            return ""
        return "level" if self.active_samples / self.samples >= 0.9 else "pulse"


RIBurstGrouper = RingBursts   # the old name


# --- transports ---------------------------------------------------------------------------------
EventSink = Callable[[DetectorEvent], None]
StateSink = Callable[[DetectorState, str], None]
REOPEN_POLL = 0.1      # how often a missing path is looked for: a replug is seen within 2 s
OPEN_BACKOFF = (0.1, 1.0)   # first and longest wait after a path that exists fails to open
IDENTITY_CHECK = 0.25  # how often the open port is compared with what the path names now
INIT_REPLY = 0.6      # seconds a modem gets to answer one init command (they answer in milliseconds)
DEFAULT_INIT = "ATZ;AT+VCID=1|AT#CID=1|AT%CCID=1|AT+CLIP=1"
_CID_COMMAND = re.compile(r"CID|CLIP", re.I)   # the init commands that turn caller ID on


class SerialDetector:
    """Reads a serial port in a thread and is never deaf while alive.

    - After an unplug it reopens the configured path as soon as it reappears (polled every
      REOPEN_POLL), whether the same node comes back or a by-id symlink now names a new tty.
    - It never holds a port that no longer exists: every IDENTITY_CHECK the open descriptor is
      compared (device and inode) with what the path names now.
    - A port quiet for `probe_after` seconds is probed (AT modem: ``AT`` -> ``OK``; line protocol:
      ``PING`` -> ``PONG``; RI: the modem-status read itself) and reopened when the probe fails.
    - States (connected / reconnecting / deaf) go to on_state; `state_since` says since when.
    """

    def __init__(self, kind: str, port: str, on_event: EventSink, on_state: StateSink, *, baudrate: int = 9600,
                 init: str = "", offhook_line: str = "", monotonic: Callable[[], float] = time.monotonic,
                 max_backoff: float = 10.0, publish: Publish | None = None, probe_after: float = 30.0,
                 probe_timeout: float = 2.0, ring_output: str = "auto") -> None:
        if kind not in ("at", "line", "ri"):
            raise ValueError(f"unknown detector kind {kind!r}")
        if ring_output not in ("auto", "pulse", "level"):
            raise ValueError(f"unknown ring output {ring_output!r}")
        self.kind, self.port, self.baudrate, self.init = kind, port, baudrate, init
        self.offhook_line, self.ring_output = offhook_line, ring_output
        self.on_event, self.on_state, self.monotonic = on_event, on_state, monotonic
        self.max_backoff = max_backoff
        self.probe_after, self.probe_timeout = probe_after, probe_timeout
        self.state = DetectorState.OFF
        self.state_since = monotonic()
        self.supervisor = Supervisor("phone.reader", self._run, publish=publish, first_delay=min(0.25, max_backoff),
                                     max_delay=max_backoff, monotonic=monotonic)
        self._stop = self.supervisor.stopping
        self.connects = 0
        self.init_used: list[str] = []     # the init commands the modem accepted on the last connect
        self.bursts: RingBursts | None = None
        self._port: serial.Serial | None = None

    def start(self) -> "SerialDetector":
        self.supervisor.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        self.supervisor.stop(timeout)

    def _set_state(self, state: DetectorState, detail: str) -> None:
        """The one place the state changes: logged and published. The detail is English (the log, the call
        log's gaps); a Text also remembers its msgid, so `kiosk phone watch` says it in the site's language."""
        if (state, detail) == (self.state, getattr(self, "_detail", None)):
            return   # waiting for a missing path re-checks every 0.1 s: tell the desk once
        if state != self.state:
            log.info("phone detector %s: %s %s", self.port, state.value, detail)
            self.state_since = self.monotonic()
        self.state, self._detail = state, detail
        self.on_state(state, detail)

    def _run(self, stop: threading.Event) -> None:
        backoff = OPEN_BACKOFF[0]
        try:
            while not stop.is_set():
                if not os.path.exists(self.port):
                    self._set_state(DetectorState.RECONNECTING, Text("waiting for {port}", port=self.port))
                    stop.wait(REOPEN_POLL)
                    continue
                try:
                    port = serial.Serial(self.port, self.baudrate, timeout=0.05, exclusive=True)
                except (serial.SerialException, OSError, ValueError) as exc:
                    self._set_state(DetectorState.RECONNECTING, Text("cannot open {port}: {error}", port=self.port, error=str(exc)))
                    stop.wait(backoff)
                    backoff = min(backoff * 2, OPEN_BACKOFF[1])
                    continue
                backoff = OPEN_BACKOFF[0]
                self.connects += 1
                self._port = port
                try:
                    self._session(port, _identity(port))
                except _Deaf as exc:
                    self._set_state(DetectorState.DEAF, exc.args[0] if exc.args and isinstance(exc.args[0], Text) else str(exc))
                except (serial.SerialException, OSError, termios_error) as exc:
                    self._set_state(DetectorState.RECONNECTING, Text("lost {port}: {error}", port=self.port, error=str(exc)))
                except Exception as exc:  # never die: a bug in one session must not stop the desk's phone
                    log.exception("phone detector failed")
                    self._set_state(DetectorState.ERROR, str(exc))
                    stop.wait(0.5)
                finally:
                    self._port = None
                    try:
                        port.close()   # the descriptor goes now, never held for a vanished device
                    except Exception:
                        pass
        finally:
            self._set_state(DetectorState.OFF, Text("stopped"))

    def _check_identity(self, ident: tuple[int, int] | None) -> None:
        """Raise when the path is gone or now names another device than the one we hold."""
        try:
            st = os.stat(self.port)
        except OSError as exc:
            raise serial.SerialException(f"{self.port} is gone") from exc
        if ident is not None and (st.st_rdev, st.st_ino) != ident:
            raise serial.SerialException(f"{self.port} now names another device")

    def _session(self, port: serial.Serial, ident: tuple[int, int] | None) -> None:
        if self.kind == "ri":
            return self._ri_session(port, ident)
        if self.kind == "at":
            parser: _Parser = ATParser()
            self._send_init(port, parser, ident)
        else:
            parser = LineProtocolParser()
            # Ask the hook state at every (re)connect: an ONHOOK sent while the port was away is lost,
            # and the answer (ONHOOK/OFFHOOK) resyncs the call. An older sketch ignores the command.
            port.write(b"HOOK\n")
        self._prove_alive(port, parser, ident)
        if self._stop.is_set():
            return
        self._set_state(DetectorState.CONNECTED, self.port)
        probe = self._probe()
        last_heard = last_check = self.monotonic()
        probe_sent: float | None = None
        while not self._stop.is_set():
            heard = self._pump(port, parser, ident)
            now = self.monotonic()
            if now - last_check >= IDENTITY_CHECK:   # also while bytes flow: noise must not hide a replug
                last_check = now
                self._check_identity(ident)
            # The heartbeat: a port that said nothing valid for probe_after must prove it still listens.
            # Bytes that parse as no line (wrong baud, line noise) are no answer and do not postpone it.
            if heard:
                last_heard, probe_sent = now, None
            elif probe_sent is None and now - last_heard >= self.probe_after:
                port.write(probe)
                probe_sent = now
            elif probe_sent is not None and now - probe_sent >= self.probe_timeout:
                raise _Deaf(Text("no answer to the heartbeat on {port} in {seconds} s", port=self.port,
                                  seconds=f"{self.probe_timeout:g}"))

    def _probe(self) -> bytes:
        """The heartbeat's command: PING for the board; for a modem the caller-ID command it accepted at
        init (idempotent) or else AT. A modem reset by a power blip still answers a bare AT but has
        forgotten its caller-ID mode: this way it is back within one probe."""
        if self.kind == "line":
            return b"PING\n"
        cid = [command for command in self.init_used if _CID_COMMAND.search(command)]
        return (cid[-1] if cid else "AT").encode("ascii") + b"\r"

    def _pump(self, port: serial.Serial, parser: _Parser, ident: tuple[int, int] | None) -> bool:
        """Read what is there (at most the port's 50 ms timeout), pass its events on; after an empty read
        check that the port is still there and still what the path names. True when a valid line came."""
        before = parser.heard
        data = port.read(port.in_waiting or 1)
        if data:
            for event in parser.feed(data, self.monotonic()):
                self.on_event(event)
        elif not _still_there(port):
            raise serial.SerialException("device went away")
        else:
            self._check_identity(ident)
        for event in parser.poll(self.monotonic()):
            self.on_event(event)
        return parser.heard > before

    def _prove_alive(self, port: serial.Serial, parser: _Parser, ident: tuple[int, int] | None) -> None:
        """On every (re)connect, wait up to probe_timeout for a valid line (the heartbeat's answer, the
        hook state, a ring); raise _Deaf when none comes. A board hung since power-on, its USB still
        enumerated, must not read connected until its first heartbeat 30 s later."""
        if parser.heard:
            return   # the init sequence was answered just now
        port.write(self._probe())
        deadline = self.monotonic() + self.probe_timeout
        while self.monotonic() < deadline and not self._stop.is_set():
            if self._pump(port, parser, ident):
                return
        if not self._stop.is_set():
            raise _Deaf(Text("no answer on {port} since it was opened", port=self.port))

    def _send_init(self, port: serial.Serial, parser: ATParser, ident: tuple[int, int] | None = None) -> None:
        """Send each init command; 'A|B|C' tries the next when one does not answer OK (caller-ID
        syntax differs by chipset); the one that answered OK is kept in init_used."""
        self.init_used = []
        sent = heard = False
        for command in filter(None, (c.strip() for c in self.init.split(";"))):
            sent = True
            for alternative in filter(None, (a.strip() for a in command.split("|"))):
                # A modem just plugged in may drop its first command: a silent one is sent twice.
                for _attempt in range(2):
                    parser.replies.clear()
                    port.write(alternative.encode("ascii") + b"\r")
                    deadline = self.monotonic() + INIT_REPLY
                    while self.monotonic() < deadline and not {"OK", "ERROR"} & set(parser.replies):
                        self._pump(port, parser, ident)   # rings and caller ID during the init are heard
                    if parser.replies:
                        break
                heard = heard or bool(parser.replies)
                if "OK" in parser.replies:
                    self.init_used.append(alternative)
                    break
            else:
                log.warning("modem refused %r", command)
        if sent and not heard:
            # Open but silent (a hung modem): never "connected"; the desk's alarm must count this time.
            raise _Deaf(Text("the modem on {port} answers no AT command", port=self.port))

    def _ri_session(self, port: serial.Serial, ident: tuple[int, int] | None) -> None:
        quiet = 0.1 if self.ring_output == "level" else 0.3
        bursts = self.bursts = RingBursts(quiet=quiet)
        counter = _RingCounter(port)
        hook = None
        self._set_state(DetectorState.CONNECTED, self.port)
        last_check = self.monotonic()
        while not self._stop.is_set():
            t = self.monotonic()
            # Modem-status errors (an unplugged adapter) raise here and the port is reopened.
            active = bool(port.ri) or counter.changed()
            for event in bursts.sample(t, active):
                self.on_event(event)
            if self.offhook_line:
                level = bool(getattr(port, {"DCD": "cd", "DSR": "dsr", "CTS": "cts"}[self.offhook_line]))
                # The first look after a (re)connect reports the hook state too: an ONHOOK missed while
                # the adapter was away must still end its call.
                if hook is None or level != hook:
                    self.on_event(DetectorEvent("offhook" if level else "onhook", t))
                hook = level
            if t - last_check >= IDENTITY_CHECK:
                last_check = t
                self._check_identity(ident)
            # A jittered period (3-6 ms) never locks onto a 25 or 50 Hz pulse train.
            self._stop.wait(random.uniform(0.003, 0.006))


class _Deaf(Exception):
    """The port is open but does not answer: reopen it."""


class _RingCounter:
    """The kernel's count of RI transitions (TIOCGICOUNT), where the driver keeps one."""

    def __init__(self, port: serial.Serial) -> None:
        self.fd = getattr(port, "fd", None)
        self.last = self._read()

    def _read(self) -> int | None:
        if self.fd is None:
            return None
        try:
            buf = fcntl.ioctl(self.fd, TIOCGICOUNT, b"\0" * 80)
        except OSError:
            return None   # a pty or an adapter without counters: level sampling alone
        return struct.unpack_from("4i", buf)[2]   # struct serial_icounter_struct: cts, dsr, rng, dcd, ...

    def changed(self) -> bool:
        if self.last is None:
            return False
        now = self._read()
        if now is None:
            return False
        moved, self.last = now != self.last, now
        return moved


def _identity(port: serial.Serial) -> tuple[int, int] | None:
    """The device number and inode of the open descriptor."""
    try:
        st = os.fstat(port.fd)
    except (OSError, AttributeError, TypeError):
        return None
    return st.st_rdev, st.st_ino


def _still_there(port: serial.Serial) -> bool:
    """A pty or USB adapter that vanished reads empty; poking the port tells."""
    try:
        port.in_waiting
        return True
    except (OSError, serial.SerialException):
        return False
