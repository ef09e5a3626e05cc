"""Printer connections behind one small interface, with real (python-escpos) and virtual kinds.

`send(job_bytes)` delivers the bytes and says whether the printer confirmed them, or raises
PrinterError with a state the status bar can show and whether any byte went out. Status queries use
DLE EOT 1, 2 and 4 (offline, cover open, paper end, paper near end); a printer that says nothing is
"unknown", never "paper OK" (python-escpos 3.1 reports paper OK on silence).
"""
from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk.printing.documents import Receipt

log = logging.getLogger(__name__)
DLE_EOT_PRINTER = b"\x10\x04\x01"  # printer status (offline bit)
DLE_EOT_OFFLINE = b"\x10\x04\x02"  # offline cause (cover open, paper end, error)
DLE_EOT_PAPER = b"\x10\x04\x04"    # paper roll sensor (near end, end)
# States a printer can report; the first three are transient (the job waits and is tried again).
TRANSIENT = ("offline", "paper_out", "cover_open")


class PrinterError(Exception):
    """The job could not be printed now; state is offline | paper_out | cover_open | error.

    sent: some of the job's bytes may have reached the printer (the original is spent: it must
    never go out again as an original, only as a marked copy).
    """

    def __init__(self, state: str, detail: str, *, sent: bool = False) -> None:
        self.state, self.detail, self.sent = state, detail, sent
        super().__init__(f"{state}: {detail}")


@dataclass(frozen=True)
class SendResult:
    """How sure we are that the job came out: confirmed by a status answer, or not."""

    confirmed: bool
    detail: str
    paper: str = "ok"  # ok | paper_low (printed, but the roll is near its end)
    silent: bool = False  # the printer never answers status: nothing it takes can be confirmed
    saved: str = ""  # the virtual printer: the picture it wrote (detail is then "saved <path>")


class Printer(Protocol):
    """What the print worker needs from a printer."""

    name: str
    virtual: bool

    def send(self, data: bytes, receipt: Receipt | None) -> SendResult:
        """Deliver one job's bytes (the virtual printer renders the receipt instead)."""


def _status_byte(answer: bytes) -> int | None:
    """One DLE EOT answer byte, or None for silence or something that is not a status byte."""
    if len(answer) != 1 or answer[0] & 0x93 != 0x12:  # fixed bits of every status byte
        return None
    return answer[0]


def paper_state(status: bytes) -> str | None:
    """Decode a DLE EOT 4 answer: 'paper_out', 'paper_low', 'ok', or None for no/odd answer."""
    byte = _status_byte(status)
    if byte is None:
        return None
    if byte & 0x60:
        return "paper_out"
    if byte & 0x0C:
        return "paper_low"
    return "ok"


def printer_state(printer: bytes, offline: bytes, paper: bytes) -> str | None:
    """The state of a printer from its DLE EOT 1, 2 and 4 answers (each may be empty: silence).

    Returns ok | paper_low | paper_out | cover_open | offline | error, or None when it said nothing
    usable (a printer that says nothing is "unknown", never "paper OK").
    """
    p, o, r = _status_byte(printer), _status_byte(offline), paper_state(paper)
    if p is None and o is None and r is None:
        return None
    if o is not None:
        if o & 0x04:
            return "cover_open"
        if o & 0x20:
            return "paper_out"
        if o & 0x40:
            return "error"
    if r == "paper_out":
        return "paper_out"
    if p is not None and p & 0x08:
        return "offline"
    return "paper_low" if r == "paper_low" else "ok"


SECONDS_PER_BYTE = 0.0015  # a network printer's default: about 670 bytes a second (its own buffer drains)
BITS_PER_BYTE = 10  # a serial byte on the wire: start bit, 8 data bits, stop bit
MARGIN = 1.5  # a printer also stops reading while it feeds or cuts

STATE_DETAIL = {
    "paper_out": "reports no paper", "cover_open": "reports its cover open", "offline": "reports offline",
    "error": "reports an error",
}


@dataclass(frozen=True)
class Status:
    """One round of DLE EOT queries.

    answered: some byte came back (so the printer is not a "no status" printer);
    reliable: every answer was one valid status byte and nothing stale or extra was waiting, so the
    answer can confirm a job (a printer that answers twice, or with garbage, cannot confirm anything).
    """

    state: str | None
    answered: bool
    reliable: bool


class StreamPrinter:
    """A printer behind a byte stream that answers DLE EOT (TCP 9100, a serial port).

    send(): ask the state (a transient fault leaves the job untouched: no byte of it was sent),
    write the job, then ask again; the printer answers only after it has taken every byte before
    the query, so an answer confirms the job. Unread input is drained before every query, and any
    byte found there (a stale or doubled answer) makes the round unreliable: a confirmation can only
    come from bytes read after the job was written. Any failure after the first byte is "sent": the
    worker resolves it as unconfirmed, never as a second original.
    A printer that has answered once (answers_status) and then says nothing is not a "no status"
    printer: it is offline, and nothing is sent to it.
    """

    virtual = False
    name = "printer"
    status_timeout = 2.0
    seconds_per_byte = SECONDS_PER_BYTE
    answers_status = False  # it has answered DLE EOT at least once (the worker may also set it)

    def _open(self):  # -> a transport with write(bytes), read1(timeout) -> bytes, discard() -> int, close()
        raise NotImplementedError

    def _query(self, transport, command: bytes, timeout: float | None = None) -> bytes:
        transport.write(command)
        return transport.read1(self.status_timeout if timeout is None else timeout)

    def read_status(self, transport, first_timeout: float | None = None) -> Status:
        """One round of queries, with how far its answer can be trusted."""
        stale = transport.discard()  # a late answer to an earlier query must not be read as this one's
        first = self._query(transport, DLE_EOT_PRINTER, first_timeout)
        if not first:
            # A printer that does not answer one query answers none: do not wait thrice.
            return Status(None, bool(stale), not stale)
        answers = [first]
        for command in (DLE_EOT_OFFLINE, DLE_EOT_PAPER):
            stale += transport.discard()
            answers.append(self._query(transport, command))
        valid = _status_byte(first) is not None and all(not a or _status_byte(a) is not None for a in answers)
        return Status(printer_state(*answers), True, valid and not stale)

    def status(self, transport, first_timeout: float | None = None) -> str | None:
        """The printer's state now (None: it gives no status, or no usable one)."""
        answer = self.read_status(transport, first_timeout)
        return answer.state if answer.reliable else None

    def probe(self) -> str | None:
        """Connect and read the state without printing (for the status bar while idle)."""
        transport = self._open()
        try:
            answer = self.read_status(transport)
        except OSError as exc:
            raise PrinterError("offline", f"{self.name} went away ({exc})") from exc
        finally:
            transport.close()
        if answer.answered:
            self.answers_status = True
        elif self.answers_status:
            raise PrinterError("offline", f"{self.name} no longer answers status")
        return answer.state if answer.reliable else ("error" if answer.answered else None)

    def job_seconds(self, size: int) -> float:
        """How long the printer may take to read `size` bytes (from its configured speed)."""
        return size * self.seconds_per_byte

    def send(self, data: bytes, receipt: Receipt | None) -> SendResult:
        transport = self._open()
        started = False
        try:
            try:
                before = self.read_status(transport)
            except OSError as exc:
                raise PrinterError("offline", f"{self.name} went away before the job ({exc})") from exc
            if before.answered:
                self.answers_status = True
            elif self.answers_status:
                # It answered before and is silent now: offline (or not reading), not a printer
                # without status. No byte of the job went out, so the original waits and is retried.
                raise PrinterError("offline", f"{self.name} no longer answers status")
            if before.reliable and before.state in STATE_DETAIL:
                raise PrinterError(before.state, f"{self.name} {STATE_DETAIL[before.state]}")
            started = True
            transport.write(data, deadline=self.timeout + self.job_seconds(len(data)))
            if not before.answered:
                after = None  # it gave no status before the job: it will give none after it either
            else:
                # The answer comes after the printer has read the whole job: give a slow printer
                # the time its configured speed needs to read it.
                after = self.read_status(transport, first_timeout=self.status_timeout + self.job_seconds(len(data)))
        except PrinterError:
            raise
        except OSError as exc:
            raise PrinterError("offline", f"{self.name} went away mid-job ({exc})", sent=started) from exc
        finally:
            transport.close()
        if after is None:
            return SendResult(False, "sent; printer gives no status", silent=True)
        if not after.answered:
            return SendResult(False, "sent; the printer did not confirm")
        if not (before.reliable and after.reliable):
            return SendResult(False, "sent; the printer's status answers are not valid")
        if after.state in STATE_DETAIL:
            raise PrinterError(after.state, f"{self.name} {STATE_DETAIL[after.state]} after the job", sent=True)
        return SendResult(True, "printed" + (" (paper low)" if after.state == "paper_low" else ""), paper=after.state)


class _SocketTransport:
    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self.sock, self.timeout = sock, timeout

    def write(self, data: bytes, deadline: float | None = None) -> None:
        """Send everything, or raise TimeoutError: a printer that stops reading blocks the socket,
        and a send that never completes is a failure (after the first byte: unconfirmed)."""
        limit = time.monotonic() + (self.timeout if deadline is None else deadline)
        view = memoryview(data)
        while view:
            left = limit - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"the printer stopped reading ({len(data) - len(view)} of {len(data)} bytes sent)")
            self.sock.settimeout(min(left, self.timeout))
            try:
                view = view[self.sock.send(view[:65536]):]
            except socket.timeout:
                # No byte taken for `timeout` seconds: the printer has stopped reading.
                raise TimeoutError(f"the printer stopped reading ({len(data) - len(view)} of {len(data)}"
                                   " bytes sent)") from None

    def read1(self, timeout: float) -> bytes:
        self.sock.settimeout(timeout)
        try:
            answer = self.sock.recv(1)
        except socket.timeout:
            return b""
        if not answer:
            raise ConnectionError("the printer closed the connection")
        return answer

    def discard(self) -> int:
        """Drop whatever input is waiting unread; returns how many bytes (a closed peer raises)."""
        self.sock.setblocking(False)
        dropped = 0
        try:
            while True:
                try:
                    chunk = self.sock.recv(4096)
                except (BlockingIOError, InterruptedError):
                    return dropped
                if not chunk:
                    raise ConnectionError("the printer closed the connection")
                dropped += len(chunk)
        finally:
            self.sock.settimeout(self.timeout)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class NetworkPrinter(StreamPrinter):
    """An ESC/POS printer on TCP port 9100."""

    def __init__(self, host: str, port: int = 9100, timeout: float = 5.0, status_timeout: float = 2.0) -> None:
        self.host, self.port, self.timeout, self.status_timeout = host, port, timeout, status_timeout
        self.name = f"{host}:{port}"

    def _open(self) -> _SocketTransport:
        try:
            return _SocketTransport(socket.create_connection((self.host, self.port), timeout=self.timeout),
                                    self.timeout)
        except OSError as exc:
            raise PrinterError("offline", f"no printer at {self.name} ({exc.strerror or exc})") from exc


class _SerialTransport:
    def __init__(self, port) -> None:
        self.port = port

    def write(self, data: bytes, deadline: float | None = None) -> None:
        try:
            if deadline is not None:
                self.port.write_timeout = deadline  # a long job at a slow baud rate takes its time
            self.port.write(data)
            self.port.flush()
        except Exception as exc:  # serial.SerialException is an OSError only on some versions
            raise OSError(str(exc)) from exc

    def read1(self, timeout: float) -> bytes:
        try:
            self.port.timeout = timeout
            return self.port.read(1)
        except Exception as exc:
            raise OSError(str(exc)) from exc

    def discard(self) -> int:
        try:
            waiting = self.port.in_waiting
            if waiting:
                self.port.read(waiting)
            self.port.reset_input_buffer()
            return waiting
        except Exception as exc:
            raise OSError(str(exc)) from exc

    def close(self) -> None:
        try:
            self.port.close()
        except Exception:
            pass


class SerialPrinter(StreamPrinter):
    """An ESC/POS printer on a serial port (pyserial), opened exclusively for each job."""

    def __init__(self, device: str, baudrate: int = 9600, timeout: float = 5.0, status_timeout: float = 2.0, *,
                 exclusive: bool = True) -> None:
        self.device, self.baudrate, self.timeout, self.status_timeout = device, baudrate, timeout, status_timeout
        self.exclusive = exclusive
        self.name = f"serial:{device}"
        # The wait after a job follows the line's speed (4800 baud carries about 480 bytes a second),
        # never shorter than a printer's own reading speed (a fast line still waits for the paper).
        self.seconds_per_byte = max(SECONDS_PER_BYTE, BITS_PER_BYTE * MARGIN / max(1, int(baudrate)))

    def _open(self) -> _SerialTransport:
        import serial
        try:
            port = serial.Serial(self.device, self.baudrate, timeout=self.status_timeout,
                                 write_timeout=self.timeout, exclusive=self.exclusive)
        except (serial.SerialException, OSError, ValueError) as exc:
            raise PrinterError("offline", f"no printer at {self.name} ({exc})") from exc
        return _SerialTransport(port)


class EscposDevicePrinter:
    """USB, serial, device-file and CUPS printers through python-escpos' own connections."""

    virtual = False

    def __init__(self, kind: str, **options) -> None:
        self.kind, self.options = kind, options
        self.name = f"{kind}:{options.get('devfile') or options.get('printer_name') or options.get('idVendor')}"

    def _open(self):
        from escpos import printer as p
        try:
            if self.kind == "usb":
                return p.Usb(self.options["idVendor"], self.options["idProduct"])
            if self.kind == "serial":
                return p.Serial(devfile=self.options["devfile"], baudrate=self.options.get("baudrate", 9600))
            if self.kind == "file":
                return p.File(devfile=self.options["devfile"])
            if self.kind == "cups":
                return p.CupsPrinter(printer_name=self.options["printer_name"])
        except Exception as exc:  # python-escpos raises several types for "not there"
            raise PrinterError("offline", f"{self.name}: {exc}") from exc
        raise PrinterError("error", f"unknown printer kind {self.kind}")

    def _state(self, device) -> str | None:
        answers = []
        for command in (DLE_EOT_PRINTER, DLE_EOT_OFFLINE, DLE_EOT_PAPER):
            try:
                answers.append(bytes(device.query_status(command) or b"")[:1])
            except Exception:  # many cheap printers never answer
                answers.append(b"")
        return printer_state(*answers)

    def send(self, data: bytes, receipt: Receipt | None) -> SendResult:
        device = self._open()
        started = False
        try:
            if self.kind == "usb":
                before = self._state(device)
                if before in STATE_DETAIL:
                    raise PrinterError(before, f"{self.name} {STATE_DETAIL[before]}")
            started = True
            device._raw(data)
            status = b""
            if self.kind in ("usb", "serial"):
                try:
                    status = device.query_status(DLE_EOT_PAPER)
                except Exception:  # many cheap printers never answer
                    status = b""
        except PrinterError:
            raise
        except Exception as exc:
            raise PrinterError("offline", f"{self.name}: {exc}", sent=started) from exc
        finally:
            try:
                device.close()
            except Exception:
                pass
        if paper_state(status) == "paper_out":
            raise PrinterError("paper_out", f"{self.name} ran out of paper during the job", sent=True)
        status = bytes(status or b"")
        if not status:
            return SendResult(False, "sent; printer gives no status", silent=True)
        paper = paper_state(status[:1]) if len(status) == 1 else None
        if paper is None:  # an answer that is not one valid status byte is not silence, and confirms nothing
            return SendResult(False, "sent; the printer's status answer is not valid")
        return SendResult(True, "printed" + (" (paper low)" if paper == "paper_low" else ""), paper=paper)


class VirtualPrinter:
    """Demo and test printer: writes each receipt as a PNG at the paper's real pixel width."""

    virtual = True

    def __init__(self, output_dir: Path, paper_mm: int = 80) -> None:
        self.output_dir, self.paper_mm = Path(output_dir), paper_mm
        self.name = f"virtual:{self.output_dir}"
        self.kicks = 0

    def send(self, data: bytes, receipt: Receipt | None) -> SendResult:
        from hardware.printer.png import render_png
        # Slips name people (the roll call lists everyone on site): owner only whatever the umask.
        self.output_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            self.output_dir.chmod(0o700)
        if receipt is None:
            self.kicks += 1
            return SendResult(True, "drawer opened (virtual)")
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{receipt.kind}-{receipt.number or 'slip'}{'-reprint' if receipt.reprint else ''}.png"
        path = self.output_dir / name.replace("/", "_")
        tmp = path.with_suffix(".tmp.png")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            render_png(receipt, self.paper_mm).save(handle, format="PNG")
        tmp.replace(path)
        return SendResult(True, f"saved {path}", saved=str(path))


def from_config(printer_cfg: dict, state_dir: Path) -> Printer | None:
    """The printer the box configuration names (None for kind = 'none')."""
    kind = printer_cfg["kind"]
    if kind == "none":
        return None
    if kind == "virtual":
        out = Path(printer_cfg["output_dir"]) if printer_cfg["output_dir"] else state_dir / "receipts"
        return VirtualPrinter(out, printer_cfg["paper_mm"])
    if kind == "network":
        return NetworkPrinter(printer_cfg["host"], printer_cfg["port"])
    if kind == "usb":
        return EscposDevicePrinter("usb", idVendor=printer_cfg["usb_vendor_id"], idProduct=printer_cfg["usb_product_id"])
    if kind == "serial":
        return SerialPrinter(printer_cfg["device"], printer_cfg.get("baudrate", 9600))
    if kind == "file":
        return EscposDevicePrinter(kind, devfile=printer_cfg["device"])
    return EscposDevicePrinter("cups", printer_name=printer_cfg["cups_name"])
