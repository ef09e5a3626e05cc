"""Business settings that a manager edits on screen (site name, greeting, retention...)."""
from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from kiosk import audit
from kiosk.audit import Actor
from kiosk.clock import Clock, utc_iso
from kiosk.db import write

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
    "callback_due_minutes": 240,
    "store_full_id_numbers": False,
    "auto_signout_time": "",  # "HH:MM" local time, empty: off
    "demo_data": None,  # which demo data this database holds (kiosk.demo)
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
