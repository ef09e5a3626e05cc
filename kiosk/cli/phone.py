"""`kiosk phone watch` (check the wiring at install time) and `kiosk phone simulate`."""
from __future__ import annotations

import json
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import CliRefusal, say

from kiosk.cli.main import build_context, config_option
from kiosk.cli.params import FilePath, Number


def _emit(kind: str, **data) -> None:
    record = {"event": kind, "wall": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
              "mono": round(time.monotonic(), 4), **data}
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


# What the simulator does at each step, as the terminal says it (msgids, cli.po).
STEP_WORDS = {"ring": "rings", "ring_off": "stops ringing", "offhook": "picked up", "onhook": "hung up",
              "cid": "caller number", "plug": "plugged in", "unplug": "unplugged"}


@click.group("phone", cls=words.Group)
def phone_group() -> None:
    """The desk phone's ring detector."""


@phone_group.command("watch")
@click.option("--port", required=True, help="Serial device, e.g. /dev/serial/by-id/usb-...")
@click.option("--kind", type=click.Choice(["at", "ri", "line"]), required=True)
@config_option
@click.option("--seconds", type=Number(0, 31 * 24 * 3600), default=None, help="Stop after this long (default: until Ctrl-C).")
@click.option("--learn", is_flag=True, help="RI: after a test call, suggest [phone] ring_output (pulse or level).")
def phone_watch(port: str, kind: str, config_path: Path | None, seconds: float | None, learn: bool) -> None:
    """Print one JSON object per line for every event (ring, prompt, answered, missed, ended,
    callerid, state), with wall and monotonic timestamps, flushed as it happens."""
    from hardware import devices
    from kiosk.core.i18n import gettext
    # The desk's own wiring, without writing the call log; the database is opened only if a caller is
    # looked up, and a missing one is never created (known callers then stay unknown).
    ctx = build_context(config_path, None, open_db=False)
    lock = threading.Lock()
    from kiosk.core.config import Text
    lang = words.site_lang()

    def show(event) -> None:
        group, _, name = event.kind.partition(".")
        # The records' keys and codes (event, state, outcome) are the documented format tools read
        # (docs/hardware.md); what is written for a person (a state's detail) is in the site's language.
        data = {k: v.said(lambda m: gettext(m, lang)) if isinstance(v, Text) else v for k, v in event.data.items()}
        if group == "call":
            data.pop("call_id", None)  # nothing is logged while watching
        elif event.kind == "phone.state":
            name = "state"
        elif event.kind == "phone.alarm":
            name = "alarm"   # not watched for over 10 s (active) / watched again
        elif event.kind == "worker.state" and data.get("state") == "restarting":
            name = "worker"
        else:
            return
        with lock:
            if name == "ended" and data.get("outcome") == "missed":
                _emit("missed", **data)
            _emit(name, **data)

    ctx.bus.subscribe("*", show)
    service = devices.start_phone(ctx, kind=kind, port=port, log_calls=False)
    deadline = time.monotonic() + seconds if seconds else None
    try:
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.05)
    except KeyboardInterrupt:
        pass
    finally:
        service.stop()
    if learn:
        bursts = getattr(service.detector, "bursts", None)
        suggestion = bursts.suggestion() if bursts is not None else ""
        _emit("learned", ring_output=suggestion, bursts=len(bursts.bursts) if bursts else 0,
              rejected=bursts.rejected if bursts else 0,
              hint=say('set ring_output = "{value}" in [phone]', value=suggestion) if suggestion else
              say("no ring burst seen: make a test call while watching (RI detectors only)"))


@phone_group.command("simulate")
@click.option("--kind", type=click.Choice(["at", "line"]), default="line", show_default=True)
@click.option("--scenario", "names", multiple=True,
              help="answered_ring2, unanswered_6, abandoned_3, cid_before_ring1, cid_after_ring1, "
                   "unplug_mid_call (repeatable; default: all in turn).")
@click.option("--speed", type=Number(0.01, 1000), default=1.0, show_default=True, help="2 plays twice as fast.")
@click.option("--cadence", type=click.Choice(["CN", "US", "UK"]), default="CN", show_default=True)
@click.option("--link-dir", type=FilePath(file_okay=False, path_type=Path), default=None,
              help="Where the by-id style symlink goes (default: a temporary folder).")
@click.option("--pause", type=Number(0, 3600), default=3.0, show_default=True, help="Seconds between calls.")
def phone_simulate(kind: str, names: tuple[str, ...], speed: float, cadence: str, link_dir: Path | None,
                   pause: float) -> None:
    """Create a pseudo-terminal, print its path, and play realistic calls on it."""
    import tempfile

    from hardware.phone.simulator import SCENARIOS, ModemResponder, PtyLine, play, scenario
    if speed <= 0:
        raise CliRefusal("{option}: must be above 0", option="--speed")
    for name in names:
        if name not in SCENARIOS:
            raise CliRefusal("{option}: expected one of {choices}", option="--scenario", choices=", ".join(SCENARIOS))
    line = PtyLine(link_dir or Path(tempfile.mkdtemp(prefix="kiosk-phone-")))
    modem = ModemResponder(line).start()   # AT commands (at) and the heartbeat's PING (line)
    click.echo(say("simulated {kind} detector at {path}", kind=kind, path=line.path))
    click.echo(say("watch it with: {command}", command=f"kiosk phone watch --kind {kind} --port {line.path}"))
    sys.stdout.flush()
    try:
        for name in names or SCENARIOS:
            click.echo(say("playing {name}", name=name))
            steps = scenario(name, cadence)
            play(line, steps, kind, cadence=cadence, speed=speed,
                 echo=lambda step: click.echo(f"  {step.t:6.1f}s {say(STEP_WORDS.get(step.action, step.action))}"
                                              f" {step.number}".rstrip()))
            # The next call must not ring before the desk has decided this one stopped ringing, or the
            # two would be one call (as at a real exchange, where calls are seconds apart).
            time.sleep((_ringing_tail(steps, cadence) + pause) / speed)
    except KeyboardInterrupt:
        pass
    finally:
        if modem:
            modem.stop()
        line.close()


def _ringing_tail(steps, cadence: str) -> float:
    """Seconds after a scenario's last step until the desk decides its ringing stopped (0 if it has)."""
    from kiosk.phone.tracker import CADENCES, TrackerSettings
    rings = [step.t for step in steps if step.action == "ring"]
    if not rings or not steps:
        return 0.0
    decided = rings[-1] + TrackerSettings(cadence=CADENCES[cadence]).stop_timeout + 0.3
    return max(0.0, decided - max(step.t for step in steps))
