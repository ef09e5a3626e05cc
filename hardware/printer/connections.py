"""Printer connections behind one small interface, with real (python-escpos) and virtual kinds.

`send(job_bytes)` either delivers the bytes and confirms them or raises PrinterError with a state
the status bar can show. Status queries use DLE EOT; a printer that says nothing is "unknown", never
"paper OK" (python-escpos 3.1 reports paper OK on silence).
"""
from __future__ import annotations

import logging
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk.printing.documents import Receipt

log = logging.getLogger(__name__)
DLE_EOT_PAPER = b"\x10\x04\x04"   # paper roll sensor status
DLE_EOT_OFFLINE = b"\x10\x04\x02"  # offline cause (cover open, paper end)


class PrinterError(Exception):
    """The job could not be printed now; state is offline | paper_out | error."""

    def __init__(self, state: str, detail: str) -> None:
        self.state, self.detail = state, detail
        super().__init__(f"{state}: {detail}")


@dataclass(frozen=True)
class SendResult:
    """How sure we are that the job came out: confirmed by a status answer, or not."""

    confirmed: bool
    detail: str


class Printer(Protocol):
    """What the print worker needs from a printer."""

    name: str
    virtual: bool

    def send(self, data: bytes, receipt: Receipt | None) -> SendResult:
        """Deliver one job's bytes (the virtual printer renders the receipt instead)."""


def paper_state(status: bytes) -> str | None:
    """Decode a DLE EOT 4 answer: 'paper_out', 'paper_low', 'ok', or None for no/odd answer."""
    if len(status) != 1 or status[0] & 0x93 != 0x12:  # fixed bits of a status byte
        return None
    if status[0] & 0x60:
        return "paper_out"
    if status[0] & 0x0C:
        return "paper_low"
    return "ok"


class NetworkPrinter:
    """An ESC/POS printer on TCP port 9100. Confirms each job with a status query after it."""

    virtual = False

    def __init__(self, host: str, port: int = 9100, timeout: float = 5.0, status_timeout: float = 2.0) -> None:
        self.host, self.port, self.timeout, self.status_timeout = host, port, timeout, status_timeout
        self.name = f"{host}:{port}"

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise PrinterError("offline", f"no printer at {self.name} ({exc.strerror or exc})") from exc

    def _status(self, sock: socket.socket) -> bytes:
        sock.sendall(DLE_EOT_PAPER)
        sock.settimeout(self.status_timeout)
        try:
            return sock.recv(1)
        except socket.timeout:
            return b""
        finally:
            sock.settimeout(self.timeout)

    def send(self, data: bytes, receipt: Receipt | None) -> SendResult:
        sock = self._connect()
        try:
            before = paper_state(self._status(sock))
            if before == "paper_out":
                raise PrinterError("paper_out", f"{self.name} reports no paper")
            sock.sendall(data)
            # The printer answers a status query only after it has taken every byte before it.
            after = self._status(sock)
        except (ConnectionError, OSError) as exc:
            if isinstance(exc, PrinterError):
                raise
            raise PrinterError("offline", f"{self.name} went away mid-job ({exc})") from exc
        finally:
            sock.close()
        if not after:
            if before is None:
                return SendResult(False, "sent; printer gives no status (unconfirmed)")
            raise PrinterError("offline", f"{self.name} did not confirm the job")
        state = paper_state(after)
        if state == "paper_out":
            # It took the bytes but ran out while printing: the job must come out again.
            raise PrinterError("paper_out", f"{self.name} ran out of paper during the job")
        return SendResult(True, "printed" + (" (paper low)" if state == "paper_low" else ""))


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

    def send(self, data: bytes, receipt: Receipt | None) -> SendResult:
        device = self._open()
        try:
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
            raise PrinterError("offline", f"{self.name}: {exc}") from exc
        finally:
            try:
                device.close()
            except Exception:
                pass
        if paper_state(status) == "paper_out":
            raise PrinterError("paper_out", f"{self.name} ran out of paper during the job")
        return SendResult(bool(status), "printed" if status else "sent; printer gives no status (unconfirmed)")


class VirtualPrinter:
    """Demo and test printer: writes each receipt as a PNG at the paper's real pixel width."""

    virtual = True

    def __init__(self, output_dir: Path, paper_mm: int = 80) -> None:
        self.output_dir, self.paper_mm = Path(output_dir), paper_mm
        self.name = f"virtual:{self.output_dir}"
        self.kicks = 0

    def send(self, data: bytes, receipt: Receipt | None) -> SendResult:
        from hardware.printer.png import render_png
        self.output_dir.mkdir(parents=True, exist_ok=True)
        if receipt is None:
            self.kicks += 1
            return SendResult(True, "drawer opened (virtual)")
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{receipt.kind}-{receipt.number or 'slip'}{'-reprint' if receipt.reprint else ''}.png"
        path = self.output_dir / name.replace("/", "_")
        tmp = path.with_suffix(".tmp.png")
        render_png(receipt, self.paper_mm).save(tmp)
        tmp.replace(path)
        return SendResult(True, f"saved {path}")


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
    if kind in ("serial", "file"):
        return EscposDevicePrinter(kind, devfile=printer_cfg["device"])
    return EscposDevicePrinter("cups", printer_name=printer_cfg["cups_name"])
