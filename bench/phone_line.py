"""The phone line's figures: unplug/replug soak, ring -> event latency, "ringing stopped" decision time.

Run: .venv/bin/python bench/phone_line.py [--cycles 100] [--calls 200] [--stop-calls 5]

1. Soak: `cycles` unplug/replug cycles on a real pty behind a by-id symlink, replug windows random in
   0-5 s, alternating the same node and a new tty; after each replug a call of 1-6 rings with caller
   ID, through the desk's own wiring (hardware.devices.start_phone, tracker, call log). Reports the
   reconnect time after the path reappears (target: every one <= 2 s), calls logged, stale fds.
2. Ring -> event: from the RING bytes written to the pty to the "call.ring" event on the bus
   (target p95 <= 2 ms; NCID measured here: 0.44 ms). Baseline in the same run: a bare pty
   write -> read on the same machine.
3. Ringing stopped: from the last ring's end (and from its RING line) to "call.ended" in real time, per
   cadence, for a modem and a ring board (target <= 6 s; NCID measured here: 9.6 s).
"""
from __future__ import annotations

import argparse
import os
import random
import select
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.stats import describe, percentile  # noqa: E402


class OffsetClock:
    """Real time plus an offset the benchmark jumps forward (calls end without waiting)."""

    def __init__(self) -> None:
        self.offset, self.lock = 0.0, threading.Lock()

    def monotonic(self) -> float:
        with self.lock:
            return time.monotonic() + self.offset

    def now(self) -> datetime:
        with self.lock:
            return datetime.now(timezone.utc) + timedelta(seconds=self.offset)

    def jump(self, seconds: float) -> None:
        with self.lock:
            self.offset += seconds


def wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)
    return False


def rig(tmp: Path, cadence: str = "CN", kind: str = "at"):
    from hardware import devices
    from hardware.phone.simulator import ModemResponder, PtyLine
    from kiosk.core import config
    from kiosk.core.context import Context
    line = PtyLine(tmp / "by-id")
    modem = ModemResponder(line).start()
    phone = {"detector": kind, "port": line.path, "cadence": cadence} | ({"init": "ATZ;AT+VCID=1"} if kind == "at" else {})
    cfg = config.validate({"phone": phone, "printer": {"kind": "none"}})
    clock = OffsetClock()
    ctx = Context(config=cfg, db_path=tmp / f"bench-{cadence}.db", clock=clock)
    events: list[tuple[float, str, dict]] = []
    lock = threading.Lock()

    def record(event) -> None:
        stamp = time.perf_counter()
        with lock:
            events.append((stamp, event.kind, dict(event.data)))

    ctx.bus.subscribe("*", record)
    service = devices.start_phone(ctx)
    return line, modem, ctx, clock, service, events, lock


def soak(cycles: int, seed: int) -> None:
    from hardware.phone.simulator import pts_fds
    rnd = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-soak-"))
    os.environ["KIOSK_HOME"] = str(tmp)
    line, modem, ctx, clock, service, events, lock = rig(tmp)
    det = service.detector
    reconnects, opens, lost, stale, windows = [], [], 0, 0, []
    try:
        assert wait(lambda: det.state.value == "connected", 5)
        for cycle in range(cycles):
            old = os.path.realpath(line.path)
            line.unplug()
            wait(lambda: det.state.value != "connected", 3)
            window = rnd.uniform(0.0, 5.0)
            windows.append(window)
            time.sleep(window)
            connects = det.connects
            line.plug(new_node=cycle % 2 == 1)
            t0 = time.monotonic()
            if wait(lambda: det.connects > connects, 10):
                opens.append(time.monotonic() - t0)   # the port is open and read (rings heard during init)
            if not wait(lambda: det.state.value == "connected" and det.connects > connects, 10):
                print(f"cycle {cycle}: no reconnect in 10 s", flush=True)
                lost += 1
                continue
            reconnects.append(time.monotonic() - t0)
            new = os.path.realpath(line.path)
            stale += sum(1 for t in pts_fds() if t == old and old != new)
            rings = rnd.randint(1, 6)
            with lock:
                before = sum(1 for _, k, _ in events if k == "call.ended")
            line.write(f"\r\nNMBR = 1390000{cycle:04d}\r\n\r\n".encode())
            for ring in range(rings):
                # Rings one cadence cycle apart on the desk's clock (RINGs within a second are one ring,
                # as a modem printing each burst of a double ring): the clock jumps, nobody waits 5 s.
                with lock:
                    mark = len(events)
                line.write(b"RING\r\n")
                wait(lambda: any(k == "call.ring" and d.get("rings") == ring + 1 for _, k, d in events[mark:]), 2)
                clock.jump(5.0)
            wait(lambda: sum(1 for _, k, d in events if k == "call.ring" and d.get("number") == f"1390000{cycle:04d}"
                             and d.get("rings") == rings) >= 1, 5)
            clock.jump(10)
            if not wait(lambda: sum(1 for _, k, _ in events if k == "call.ended") > before, 5):
                lost += 1
            if cycle % 10 == 9:
                print(f"  {cycle + 1} cycles, worst reconnect {max(reconnects):.3f} s", flush=True)
    finally:
        service.stop()
        modem.stop()
    calls = ctx.db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
    numbers = ctx.db.execute("SELECT COUNT(DISTINCT number) FROM call_events WHERE number IS NOT NULL").fetchone()[0]
    line.close()
    print(f"soak: {cycles} cycles, replug windows {min(windows):.2f}-{max(windows):.2f} s")
    print("  " + describe("port open after the path reappeared", opens))
    print("  " + describe("connected (init sent and answered) after the path reappeared", reconnects))
    print(f"  reconnects over 2 s: {sum(r > 2 for r in reconnects)}; calls logged {calls}/{cycles};"
          f" numbers on their call {numbers}/{cycles}; calls lost {lost}; stale descriptors seen {stale}")


def latency(calls: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-lat-"))
    os.environ["KIOSK_HOME"] = str(tmp)
    # baseline: a bare pty write -> read
    master, slave = os.openpty()
    import tty
    tty.setraw(slave)
    base = []
    for _ in range(calls):
        t0 = time.perf_counter()
        os.write(master, b"RING\r\n")
        select.select([slave], [], [], 1)
        os.read(slave, 64)
        base.append(time.perf_counter() - t0)
    os.close(master); os.close(slave)
    line, modem, ctx, clock, service, events, lock = rig(tmp)
    lat = []
    try:
        assert wait(lambda: service.detector.state.value == "connected", 5)
        for _ in range(calls):
            with lock:
                n = len(events)
            t0 = time.perf_counter()
            line.write(b"\r\nRING\r\n")
            if not wait(lambda: any(k == "call.ring" for _, k, _ in events[n:]), 2):
                continue
            with lock:
                stamp = next(s for s, k, _ in events[n:] if k == "call.ring")
            lat.append(stamp - t0)
            clock.jump(10)
            wait(lambda: any(k == "call.ended" for _, k, _ in events[n:]), 2)
            time.sleep(0.2)   # rings come seconds apart: the last call's log writes are done, as at a desk
    finally:
        service.stop(); modem.stop(); line.close()
    print(describe("baseline pty write -> read", base))
    print(describe("ring -> call.ring event (AT modem, pty, tracker, call log)", lat))
    print(f"  ratio p95 to baseline p95: {percentile(lat, 0.95) / percentile(base, 0.95):.1f}; target p95 <= 2 ms;"
          f" NCID here 0.44 ms")


def stop_time(calls: int) -> None:
    """Real time from the last ring to "call.ended". The rule (kiosk.phone.tracker): the ring's end +
    the cadence's longest silence + the margin. A modem prints RING at a ring's start and never says
    when it ends, so for it the end is RING + the cadence's 'on'; a ring board reports the end itself."""
    from kiosk.phone.tracker import CADENCES
    for kind in ("at", "line"):
        for cadence in ("CN", "US", "UK"):
            on = CADENCES[cadence].on
            tmp = Path(tempfile.mkdtemp(prefix="kiosk-stop-"))
            os.environ["KIOSK_HOME"] = str(tmp)
            line, modem, ctx, clock, service, events, lock = rig(tmp, cadence, kind)
            from_end, from_start = [], []
            try:
                assert wait(lambda: service.detector.state.value == "connected", 5)
                for _ in range(calls):
                    with lock:
                        n = len(events)
                    t0 = time.perf_counter()
                    line.write(b"\r\nRING\r\n" if kind == "at" else b"RING_ON\n")
                    if kind == "line":
                        time.sleep(on)
                        line.write(b"RING_OFF\n")
                    if wait(lambda: any(k == "call.ended" for _, k, _ in events[n:]), 15):
                        with lock:
                            stamp = next(s for s, k, _ in events[n:] if k == "call.ended")
                        from_start.append(stamp - t0)
                        from_end.append(stamp - t0 - on)   # the ring ended 'on' after it began
            finally:
                service.stop(); modem.stop(); line.close()
            print(f"ringing stopped ({kind}, {cadence}): after the last ring ended median {statistics.median(from_end):.2f} s,"
                  f" max {max(from_end):.2f} s; after its start (RING line) median {statistics.median(from_start):.2f} s"
                  f" (n={len(from_end)}); target <= 6 s after the ring ends; NCID here 9.6 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--stop-calls", type=int, default=5)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--only", choices=["soak", "latency", "stop"], default=None)
    args = parser.parse_args()
    if args.only in (None, "latency"):
        latency(args.calls)
    if args.only in (None, "stop"):
        stop_time(args.stop_calls)
    if args.only in (None, "soak"):
        soak(args.cycles, args.seed)


if __name__ == "__main__":
    main()
