"""systemd's notify protocol (sd_notify) without a dependency: READY=1 once, then WATCHDOG=1 pings.

The unit (deploy/kiosk.service) is Type=notify with WatchdogSec: systemd kills and restarts the app
when the pings stop. The app pings from its UI loop (a Kivy Clock callback), so a hung main loop
stops them; and it pings only while every supervised worker's thread is alive, so a worker that is
gone for good (its supervisor thread died, not just restarting with back-off) stops them too.

The protocol is one datagram per message to the AF_UNIX socket named by $NOTIFY_SOCKET (a name
starting with "@" is in the abstract namespace). Without $NOTIFY_SOCKET (a desk PC, the tests' app)
every call is a no-op.
"""
from __future__ import annotations

import logging
import os
import socket
from typing import Iterable

log = logging.getLogger(__name__)


class Notifier:
    """Sends sd_notify datagrams; silently does nothing outside systemd."""

    def __init__(self, address: str | None = None, watchdog_usec: str | None = None) -> None:
        self.address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")
        usec = watchdog_usec if watchdog_usec is not None else os.environ.get("WATCHDOG_USEC", "")
        try:
            self.watchdog_seconds = int(usec) / 1_000_000 if usec else 0.0
        except ValueError:
            self.watchdog_seconds = 0.0
        self._sock: socket.socket | None = None
        self.sent = 0

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def ping_interval(self, default: float = 5.0) -> float:
        """How often to ping: half the watchdog period (systemd's advice), else default."""
        return self.watchdog_seconds / 2 if self.watchdog_seconds else default

    def send(self, message: str) -> bool:
        """One datagram; False when not under systemd or the socket is gone (never raises)."""
        if not self.enabled:
            return False
        target = self.address
        if target.startswith("@"):
            target = "\0" + target[1:]
        try:
            if self._sock is None:
                # Non-blocking: this runs on the UI loop, and a notify socket whose queue is full (systemd
                # busy, a listener not reading) would otherwise freeze the screen; a dropped ping is harmless.
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC | socket.SOCK_NONBLOCK)
            self._sock.sendto(message.encode("utf-8"), target)
        except OSError as exc:
            log.warning("sd_notify %r failed: %s", message, exc)
            return False
        self.sent += 1
        return True

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1" + (f"\nSTATUS={status}" if status else ""))

    def ping(self) -> bool:
        return self.send("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.send("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def workers_alive(supervisors: Iterable) -> list[str]:
    """Names of supervised workers that should be running and whose thread is gone (empty: all well).

    A worker waiting out its back-off is still alive (its supervisor thread runs); one stopped on
    purpose (state "stopped") or never started ("idle") does not count."""
    dead = []
    for each in supervisors:
        state = getattr(getattr(each, "state", None), "value", "")
        if state in ("running", "restarting") and not each.alive:
            dead.append(each.name)
    return dead


def tick(notifier: Notifier, supervisors: Iterable) -> bool:
    """One watchdog tick from the UI loop: ping when every worker is alive; True when a ping went."""
    dead = workers_alive(supervisors)
    if dead:
        log.error("not pinging the watchdog: worker(s) %s are dead; systemd will restart the app", ", ".join(dead))
        return False
    return notifier.ping()
