"""Builds and starts the desk's devices from the box configuration: the one place that does it.

Used alike by the app's launcher (screens/app.py, ``start_devices``) and the command line
(``kiosk phone watch``, ``kiosk printer test``, ``kiosk receipt preview``), so a detector or printer
set up by the CLI at install time is wired exactly as the desk will run it.

- phone: the configured detector (AT modem, RI pin, line protocol, or a simulated pty line in demo
  mode) feeding a PhoneService (tracker + call log + "call.*" events on the bus);
- printer: the configured connection and its ESC/POS profile, run by the supervised PrintWorker.
"""
from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path
from typing import Any, Protocol

from hardware.phone.detectors import SerialDetector
from hardware.phone.runtime import PhoneService, play_demo_call
from hardware.printer.connections import Printer, from_config
from hardware.printer.escpos import PrinterProfile
from hardware.printer.worker import MAX_BACKOFF, POLL_SECONDS, PrintWorker
from kiosk.core.context import Context
from kiosk.core.paths import state_dir

log = logging.getLogger(__name__)
DEMO_CALL_AFTER = 20.0
DEVICES = ("phone", "printer")


class Handle(Protocol):
    def stop(self) -> None: ...


class NoPrinter:
    """What start_printer returns when no printer is configured."""

    def stop(self) -> None:
        pass


# --- printer ---------------------------------------------------------------------------------------
def printer_profile(printer_config: dict[str, Any]) -> PrinterProfile:
    """The ESC/POS profile of the configured printer (paper, Chinese mode, drawer pulse)."""
    return PrinterProfile(printer_config["paper_mm"], printer_config["chinese"], printer_config["drawer_pin"],
                          printer_config["drawer_pulse_ms"])


def open_printer(printer_config: dict[str, Any]) -> Printer | None:
    """The configured connection (virtual PNGs go to the state folder); None for kind = 'none'."""
    return from_config(printer_config, state_dir())


def start_printer(ctx: Context, *, poll: float = POLL_SECONDS, max_backoff: float = MAX_BACKOFF) -> Handle:
    """Start the supervised print worker for the configured printer; returns a handle with stop()."""
    cfg = ctx.config.section("printer")
    printer = open_printer(cfg)
    if printer is None:
        ctx.bus.publish("printer.state", state="off", detail="no printer configured", queued=0)
        return NoPrinter()
    return PrintWorker(ctx, printer, printer_profile(cfg), poll=poll, max_backoff=max_backoff,
                       attempts=cfg["attempts"]).start()


# --- phone -----------------------------------------------------------------------------------------
def build_detector(service: PhoneService, phone_config: dict[str, Any], kind: str, port: str) -> SerialDetector:
    """A serial detector of this kind on port, feeding the service (not started)."""
    return SerialDetector(kind, port, service.put, service.on_state, baudrate=phone_config["baudrate"],
                          init=phone_config["init"] if kind == "at" else "",
                          offhook_line=phone_config["offhook_line"], monotonic=service.ctx.clock.monotonic,
                          publish=service.ctx.bus.publish, probe_after=float(phone_config.get("probe_seconds", 30.0)),
                          ring_output=phone_config.get("ring_output", "auto"))


def start_phone(ctx: Context, *, kind: str | None = None, port: str | None = None, log_calls: bool = True,
                demo_call_after: float | None = DEMO_CALL_AFTER) -> PhoneService:
    """Start the configured detector and its tracker thread; kind and port override the configuration
    (``kiosk phone watch``). A simulated detector gets a pty line, and, unless demo_call_after is None,
    one demo call that many seconds after start. Returns the service (stop() ends it all)."""
    cfg = ctx.config.section("phone")
    kind = kind or cfg["detector"]
    cfg = cfg | {"detector": kind}
    service = PhoneService(ctx, kind, phone_config=cfg, log_calls=log_calls)
    if kind == "none":
        ctx.bus.publish("phone.state", state="off", detail="no ring detector configured")
        return service  # still accepts staff answers; never started
    if kind == "simulated":
        from hardware.phone.simulator import ModemResponder, PtyLine
        line = PtyLine(Path(tempfile.mkdtemp(prefix="kiosk-phone-")))
        service.simulator = line
        service.add_closer(line)
        service.add_closer(ModemResponder(line).start())   # answers the heartbeat's PING, as the board does
        port, detector_kind = line.path, "line"
        if demo_call_after is not None:
            # Demo mode: the desk phone rings once shortly after start, so a newcomer sees the prompt.
            timer = threading.Timer(demo_call_after, lambda: play_demo_call(service, "unanswered_6"))
            timer.daemon = True
            timer.start()
            service.add_closer(timer)
    else:
        port, detector_kind = port or cfg["port"], kind
    service.detector = build_detector(service, cfg, detector_kind, port)
    service.start_unwatched()
    service.start()
    service.detector.start()
    return service


# --- both ------------------------------------------------------------------------------------------
def start_devices(ctx: Context) -> dict[str, Handle]:
    """Start the phone and the printer. One that cannot start publishes an error state (the status bar
    shows it) and the other still starts: a broken device must not stop the desk."""
    starters = {"phone": start_phone, "printer": start_printer}
    handles: dict[str, Handle] = {}
    for kind in DEVICES:
        try:
            handles[kind] = starters[kind](ctx)
        except Exception as exc:
            log.exception("could not start the %s", kind)
            ctx.bus.publish(f"{kind}.state", state="error", detail=str(exc)[:200])
    return handles


def stop_devices(handles: dict[str, Handle]) -> None:
    """Stop every handle; one that fails to stop is logged and the rest still stop."""
    for kind, handle in handles.items():
        try:
            handle.stop()
        except Exception:  # stopping must never keep the app from closing
            log.exception("stopping the %s failed", kind)
