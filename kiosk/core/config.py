"""The box configuration: a TOML file, checked strictly before anything starts.

Unknown keys, wrong types and impossible values stop start-up with a message that names the file,
the key and what was expected. Business settings (site name, hosts, catalogue) live in the database.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES = ("zh_CN", "en")


class Text(str):
    """An English sentence (the str itself) that remembers its msgid and values, so the command line can
    say it in the site's language (:meth:`said`); the values may be Texts too. The translation is handed in
    (kiosk.core.i18n imports this module for its LANGUAGES: no import back)."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Text:
        made = super().__new__(cls, msgid.format(**params) if params else msgid)
        made.msgid, made.params = msgid, params
        return made

    def said(self, translate: Callable[[str], str]) -> str:
        """The sentence through translate (msgid -> the language's text)."""
        values = {k: v.said(translate) if isinstance(v, Text) else v for k, v in self.params.items()}
        text = translate(self.msgid)
        return text.format(**values) if values else text


class ConfigError(ValueError):
    """One or more problems in a configuration file; str() lists them all (English), :meth:`message`
    in a language. Each problem is a :class:`Text` where this module wrote it."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path, self.problems = path, problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))

    def lines(self, translate: Callable[[str], str]) -> list[str]:
        """Each problem through translate (msgid -> text); a plain str (a parser's own) as it is."""
        return [p.said(translate) if isinstance(p, Text) else p for p in self.problems]


@dataclass(frozen=True)
class Field:
    """One allowed key: its type, default, and an optional check returning an error or None."""

    type: type | tuple[type, ...]
    default: Any
    expected: str
    check: Callable[[Any], bool] | None = None


def _one_of(*choices: str) -> Field:
    return Field(str, choices[0], Text("one of {choices}", choices=", ".join(choices)), lambda v: v in choices)


def _between(lo: float, hi: float, default: float, kind: type = int) -> Field:
    types = (int, float) if kind is float else int
    return Field(types, default, Text("a number from {lo} to {hi}", lo=lo, hi=hi), lambda v: lo <= v <= hi)


def _timezone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


_TERMINAL = re.compile(r"^[A-Z0-9]{1,8}$")
# A site names one building or club across all its desks; stamped on every record with the terminal id.
_SITE = re.compile(r"^[A-Z0-9](?:[A-Z0-9-]{0,14}[A-Z0-9])?$")

SCHEMA: dict[str, dict[str, Field]] = {
    "site": {
        "id": Field(str, "T01", "1-8 capital letters or digits (prefixes receipt numbers)",
                    lambda v: bool(_TERMINAL.match(v))),
        "site_id": Field(str, "SITE", "1-16 capital letters, digits or inner hyphens, the same on every desk of"
                         " the site (stamped on every record)", lambda v: bool(_SITE.match(v))),
        "language": _one_of(*LANGUAGES),
        "timezone": Field(str, "Asia/Shanghai", "an IANA time zone such as Asia/Shanghai", _timezone_ok),
    },
    "ui": {
        "staff_idle_seconds": _between(15, 3600, 90),
        "visitor_idle_seconds": _between(15, 600, 60),
        "fullscreen": Field(bool, False, "true or false"),
        "width": _between(320, 3840, 800),
        "height": _between(240, 2160, 480),
    },
    "database": {
        "path": Field(str, "", "a file path (empty: the platform data folder)"),
    },
    "phone": {
        "detector": _one_of("simulated", "at", "ri", "line", "none"),
        "port": Field(str, "", "a serial device path, e.g. /dev/serial/by-id/usb-..."),
        "baudrate": Field(int, 9600, "one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200",
                      lambda v: v in (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)),
        "init": Field(str, "ATZ;AT+VCID=1|AT#CID=1|AT%CCID=1|AT+CLIP=1",
                      "AT commands separated by ';' (alternatives by '|': the first that answers OK is kept)"),
        "probe_seconds": _between(5, 600, 30.0, float),   # a port quiet this long is asked AT / PING
        "ring_output": _one_of("auto", "pulse", "level"),    # what the ring board's output does during a burst
        "cadence": _one_of("CN", "US", "UK"),
        "rings_before_prompt": _between(1, 10, 3),
        "apology_mandatory_rings": _between(2, 20, 5),  # from this many rings on the apology is mandatory
        "offhook_line": Field(str, "", "empty, or one of DCD, DSR, CTS",
                              lambda v: v in ("", "DCD", "DSR", "CTS")),
        "grace_seconds": _between(0, 10, 1.0, float),
        # "Ringing stopped" = a ring's end + the cadence's longest silence + this margin. Not set: the
        # cadence's own (0.8 s: CN and US decide 4.8 s after the last ring ended, UK 2.8 s).
        "stop_margin_seconds": Field((int, float), None, "a number of seconds from 0.1 to 5",
                                     lambda v: 0.1 <= v <= 5),
        # An answered call whose ONHOOK never arrives ends as answered after this long (a lost ONHOOK
        # must not swallow every later ring).
        "max_call_seconds": _between(60, 86400, 7200.0, float),
        # A flapping cable: the alarm also rises when the line was unwatched this long in total within
        # the last unwatched_window_seconds, however short each gap.
        "unwatched_alarm_seconds": _between(5, 3600, 60.0, float),
        "unwatched_window_seconds": _between(30, 86400, 120.0, float),
    },
    "printer": {
        "kind": _one_of("virtual", "usb", "serial", "network", "file", "cups", "none"),
        "paper_mm": Field(int, 80, "58 or 80", lambda v: v in (58, 80)),
        "chinese": _one_of("raster", "gb18030"),
        "host": Field(str, "127.0.0.1", "a host name or address"),
        "port": _between(1, 65535, 9100),
        "device": Field(str, "", "a device path such as /dev/usb/lp0 or a serial port"),
        "usb_vendor_id": _between(0, 0xFFFF, 0),
        "usb_product_id": _between(0, 0xFFFF, 0),
        "cups_name": Field(str, "", "a CUPS printer name"),
        "output_dir": Field(str, "", "a folder for the virtual printer's PNGs (empty: data folder)"),
        "drawer_pin": Field(int, 2, "2 or 5", lambda v: v in (2, 5)),
        "drawer_pulse_ms": _between(10, 500, 100),
        "baudrate": _between(1200, 115200, 9600),
        "attempts": _between(1, 100, 5),   # tries before a job is held for staff (transient faults)
    },
    "backup": {
        # The second place: a mounted USB stick or network share (empty: no nightly backups, and the
        # manager's screen says so). kiosk.core.backup writes, verifies and rotates there.
        "folder": Field(str, "", "a folder on another disk: a USB stick's or a share's mount point (empty: none)"),
        "at": Field(str, "02:30", "a local time HH:MM for the nightly backup (empty: no nightly backup)",
                    lambda v: v == "" or bool(re.match(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", v))),
        "keep_daily": _between(1, 366, 7),
        "keep_weekly": _between(0, 520, 4),
        "keep_monthly": _between(0, 240, 12),
        "warn_hours": _between(1, 24 * 30, 48),
        # Copies kept in before-restore/ (each restore sets the current file aside there first).
        "keep_before_restore": _between(1, 100, 5),
    },
    "export": {
        "folder": Field(str, "", "a folder for exports when no USB stick is plugged in (empty: none)"),
        # Scheduled exports without a manager at the box: `kiosk export --key` (or KIOSK_EXPORT_KEY) must
        # hash to this. Empty: only a manager with their PIN can export.
        "key_sha256": Field(str, "", "the SHA-256 (hex) of the export key for scheduled runs (empty: none)",
                            lambda v: v == "" or (len(v) == 64 and all(c in "0123456789abcdef" for c in v))),
    },
}


@dataclass(frozen=True)
class Config:
    """Validated configuration: ``cfg.section("phone")["cadence"]`` or ``cfg.get("phone", "cadence")``."""

    path: str
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.values[name])

    def get(self, section: str, key: str) -> Any:
        return self.values[section][key]

    @property
    def demo(self) -> bool:
        """No hardware configured: simulated phone line and virtual printer."""
        return self.get("phone", "detector") in ("simulated", "none") and self.get("printer", "kind") in ("virtual", "none")


def defaults() -> dict[str, dict[str, Any]]:
    """Every key at its default value."""
    return {section: {key: f.default for key, f in fields.items()} for section, fields in SCHEMA.items()}


def validate(raw: dict[str, Any], path: str = "<config>") -> Config:
    """Check a parsed TOML document against SCHEMA; raise ConfigError listing every problem."""
    problems: list[str] = []
    values = defaults()
    for section, body in raw.items():
        if section not in SCHEMA:
            problems.append(Text("unknown section [{section}] (expected one of {choices})", section=section,
                                 choices=", ".join(SCHEMA)))
            continue
        if not isinstance(body, dict):
            problems.append(Text("[{section}] must be a table", section=section))
            continue
        for key, value in body.items():
            spec = SCHEMA[section].get(key)
            if spec is None:
                problems.append(Text("[{section}] unknown key '{key}' (expected one of {choices})", section=section,
                                     key=key, choices=", ".join(SCHEMA[section])))
                continue
            # bool is an int in Python; a number field must not accept true/false.
            wrong_type = not isinstance(value, spec.type) or (isinstance(value, bool) and spec.type is not bool)
            if wrong_type or (spec.check is not None and not spec.check(value)):
                problems.append(Text("[{section}] {key} = {value}: expected {expected}", section=section, key=key,
                                     value=repr(value), expected=spec.expected if isinstance(spec.expected, Text)
                                     else Text(spec.expected)))
                continue
            values[section][key] = value
    if values["phone"]["detector"] in ("at", "ri", "line") and not values["phone"]["port"]:
        problems.append(Text("[phone] port: expected a serial device path when detector = '{detector}'",
                             detector=values["phone"]["detector"]))
    phone_raw = raw.get("phone") if isinstance(raw.get("phone"), dict) else {}
    if "apology_mandatory_rings" not in phone_raw:
        # Not set: five rings, or one past the prompt when the prompt itself comes later (a box that
        # prompts after 6 rings must not fail to start for a key its operator never wrote).
        phone = values["phone"]
        phone["apology_mandatory_rings"] = max(phone["apology_mandatory_rings"], phone["rings_before_prompt"] + 1)
    elif values["phone"]["apology_mandatory_rings"] <= values["phone"]["rings_before_prompt"]:
        problems.append(Text("[phone] apology_mandatory_rings = {rings}: expected more than rings_before_prompt"
                             " ({prompt})", rings=values["phone"]["apology_mandatory_rings"],
                             prompt=values["phone"]["rings_before_prompt"]))
    if values["printer"]["kind"] == "network" and not values["printer"]["host"]:
        problems.append(Text("[printer] host: expected a host name when kind = 'network'"))
    if values["printer"]["kind"] == "usb" and not (values["printer"]["usb_vendor_id"] and values["printer"]["usb_product_id"]):
        problems.append(Text("[printer] usb_vendor_id/usb_product_id: expected both when kind = 'usb'"))
    if values["printer"]["kind"] in ("file", "serial") and not values["printer"]["device"]:
        problems.append(Text("[printer] device: expected a device path when kind = '{kind}'",
                             kind=values["printer"]["kind"]))
    if values["printer"]["kind"] == "cups" and not values["printer"]["cups_name"]:
        problems.append(Text("[printer] cups_name: expected a CUPS printer name when kind = 'cups'"))
    if problems:
        raise ConfigError(path, problems)
    return Config(path=path, values=values)


def load(path: str | Path | None) -> Config:
    """Read and validate a TOML file; a missing default file means all defaults (demo mode)."""
    if path is None:
        return Config(path="<defaults>", values=defaults())
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), [Text("file not found")]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), [Text("not UTF-8 text")]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [Text("not valid TOML: {detail}", detail=str(exc))]) from None
    return validate(raw, str(path))
