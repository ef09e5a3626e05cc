"""Business settings that a manager edits on screen (site name, greeting, retention...)."""
from __future__ import annotations

import json
import re
from typing import Any

import sqlite_utils

from kiosk.core import audit
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.core.errors import Refusal

DEFAULTS: dict[str, Any] = {
    "site_name": {"zh_CN": "前台服务中心", "en": "Front Desk"},
    "greeting": {"zh_CN": "您好，{site}，请问有什么可以帮您？", "en": "Hello, {site}, how can I help you?"},
    "apology": {"zh_CN": "对不起，让您久等了。", "en": "Sorry to keep you waiting."},
    "privacy_notice": {
        "zh_CN": "您的登记信息仅用于访客管理和安全，保存 {days} 天后匿名化处理，不会向其他访客披露。",
        "en": "Your details are used only to manage visits and for safety. They are anonymised after {days} days "
              "and never shown to other visitors.",
    },
    "visitor_retention_days": 30,
    "lostfound_handover_days": 15,
    # How long the names and contacts in the lost-and-found register (who handed in, reported, claimed)
    # and the callers' names, numbers and notes are kept (kiosk.core.inventory; the retention job).
    "lostfound_retention_days": 180,
    "call_note_retention_days": 180,
    "callback_due_minutes": 240,
    # The reorder list suggests ordering up to this share of a product's reorder level (200: twice the
    # level, so an order lasts about as long again as the shelf took to run down to it).
    "reorder_par_percent": 200,
    # A roll call left open (a sign-out, crash or restart came first) is offered for resume this long after
    # it started; an older one is a drill long over, not carried on (its record stays: kiosk.visitors).
    "rollcall_resume_hours": 12,
    "store_full_id_numbers": False,
    "auto_signout_time": "",  # "HH:MM" local time, empty: off
    "demo_data": None,  # which demo data this database holds (kiosk.demo.accounts)
    # The box's configured time zone, mirrored here at start-up so receipts built from records alone
    # print local times (kiosk.core.context keeps it in step with the configuration file).
    "site_timezone": "Asia/Shanghai",
    # Which site and terminal stamp new records ({"site_id", "terminal_id"}), mirrored from the
    # configuration for connections opened without it (worker threads; kiosk.core.db.ORIGIN_KEY).
    "box_origin": None,
    # A random id made once for this database file (kiosk.core.context): two kiosks left with the same
    # site and terminal ids still never rotate each other's backups away on a shared folder.
    "database_id": None,
    "visitor_retention_last_day": None,
    "retention_status": None,  # the retention job's last word: ok, or blocked and retrying (kiosk.core.retention)
    # A restore carried erasure requests into this file; they are applied again (kiosk.core.erasure_ledger).
    "erasure_reapply_pending": False,
    # The verified copy of the file that restore replaced (its unchanged free texts need no search): a
    # re-erasure finished at the next start after a kill still reads it (kiosk.core.erasure_reapply).
    "erasure_reapply_before": None,
    # Complaints and service requests (kiosk.complaints.rules reads these; defaults are the handbooks').
    "complaint_rules": {},         # overrides of kiosk.complaints.rules.DEFAULT_RULES, key by key
    "complaint_calendar": {"holidays": [], "makeup_days": []},  # the manager's list (a year the package lacks)
    "complaint_retention_days": 365,
    "complaint_retention_last_day": None,  # local date the anonymisation last ran (kiosk.visitors.housekeeping)
}


def get(db: sqlite_utils.Database, key: str) -> Any:
    """A setting's value (its default when never set)."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    if row is None:
        if key not in DEFAULTS:
            raise KeyError(f"unknown setting {key!r}")
        return DEFAULTS[key]
    return json.loads(row[0])


def put(db: sqlite_utils.Database, clock: Clock, actor: Actor, key: str, value: Any) -> None:
    """Change a setting; the change is audited with before/after."""
    with write(db):
        before = get(db, key) if key in DEFAULTS or _exists(db, key) else None
        db.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (key, json.dumps(value, ensure_ascii=False), utc_iso(clock.now())),
        )
        audit.record(db, clock, actor, "setting.change", "settings", key, before, value)


def _exists(db: sqlite_utils.Database, key: str) -> bool:
    return db.execute("SELECT 1 FROM settings WHERE key = ?", (key,)).fetchone() is not None


def localized(db: sqlite_utils.Database, key: str, lang: str) -> str:
    """A per-language text setting in the given language (English as the fallback)."""
    value = get(db, key)
    if isinstance(value, dict):
        return value.get(lang) or value.get("en") or next(iter(value.values()), "")
    return str(value)


class SettingError(Refusal, ValueError):
    """A value a manager typed that the setting cannot take; `field` is the setting's key."""

    @property
    def key(self) -> str:
        return self.field or ""

    def __str__(self) -> str:  # the English text names the setting (logs, the command line)
        return f"{self.field}: {super().__str__()}" if self.field else super().__str__()


# What managers may change on screen, and what each accepts. Texts are per language.
NUMBERS = {"visitor_retention_days": (1, 3650), "lostfound_handover_days": (1, 365),
           "callback_due_minutes": (5, 7 * 24 * 60)}
# Retention periods a manager may change (kiosk.core.inventory reads them). Not on the settings screen
# yet: checked and audited like NUMBERS, set through put_checked.
PERIODS = {"lostfound_retention_days": (16, 3650), "call_note_retention_days": (7, 3650)}
TEXTS = {"site_name": 40, "greeting": 120, "apology": 120, "privacy_notice": 400}
MANAGER_EDITABLE = (*TEXTS, *NUMBERS, *PERIODS, "store_full_id_numbers", "auto_signout_time", "reorder_par_percent",
                    "rollcall_resume_hours")
PAR_PERCENT = (100, 1000)
ROLLCALL_RESUME_HOURS = (1, 72)  # on the settings screen (screens/settings_section), checked and audited


_FULL_WIDTH_DIGITS = {0xFF10 + i: ord("0") + i for i in range(10)}


def _whole_number(key: str, value: Any, low: int, high: int) -> int:
    """A typed whole number in its range. ASCII digits (full width folded to them), at most a few of
    them: `str.isdigit` also takes "²" and "١", which int() then rejects, and a pasted page of digits
    would reach int()'s own limit - both used to escape as ValueError instead of this refusal."""
    if isinstance(value, bool):
        value = ""
    text = str(value).translate(_FULL_WIDTH_DIGITS).strip()
    if not re.fullmatch(r"[0-9]{1,12}", text) or not low <= int(text) <= high:
        raise SettingError("must be a whole number from {low} to {high}", field=key, low=low, high=high)
    return int(text)


def check(key: str, value: Any) -> Any:
    """The value as stored, or SettingError saying what the setting accepts."""
    if key in NUMBERS or key in PERIODS:
        return _whole_number(key, value, *(NUMBERS.get(key) or PERIODS[key]))
    if key in TEXTS:
        if not isinstance(value, dict) or set(value) != {"zh_CN", "en"}:
            raise SettingError("needs a Chinese and an English text", field=key)
        cleaned = {lang: str(text).strip() for lang, text in value.items()}
        if not all(cleaned.values()):
            raise SettingError("needs a Chinese and an English text", field=key)
        if any(len(text) > TEXTS[key] for text in cleaned.values()):
            raise SettingError("is too long (at most {n} characters)", field=key, n=TEXTS[key])
        if key == "privacy_notice" and not all("{days}" in text for text in cleaned.values()):
            raise SettingError("must say how long details are kept: include {days}", field=key)
        return cleaned
    if key == "store_full_id_numbers":
        return bool(value)
    if key == "reorder_par_percent":
        return _whole_number(key, value, *PAR_PERCENT)
    if key == "rollcall_resume_hours":
        return _whole_number(key, value, *ROLLCALL_RESUME_HOURS)
    if key == "auto_signout_time":
        text = str(value).strip()
        if text and not (len(text) == 5 and text[2] == ":" and text[:2].isdigit() and text[3:].isdigit()
                         and int(text[:2]) < 24 and int(text[3:]) < 60):
            raise SettingError("a time looks like 20:00 (or leave it empty)", field=key)
        return text
    raise SettingError("cannot be changed here", field=key)


def put_checked(db: sqlite_utils.Database, clock: Clock, actor: Actor, values: dict[str, Any]) -> list[str]:
    """A manager saves several settings: all are checked first, then the changed ones are written
    (audited) together. Returns the keys that changed."""
    if actor.role != "manager":
        raise SettingError("only a manager can change settings")
    cleaned = {key: check(key, value) for key, value in values.items()}
    changed = [key for key, value in cleaned.items() if get(db, key) != value]
    with write(db):
        for key in changed:
            put(db, clock, actor, key, cleaned[key])
    return changed


def site_timezone(db: sqlite_utils.Database) -> str:
    """The site's time zone name, for printing local times."""
    return get(db, "site_timezone")
