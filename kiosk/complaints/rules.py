"""The register's rules as data: categories, classes, deadlines and the major-complaint triggers.

Every number is a default from the handbooks (../shared/domain.md); a site overrides any of them in
the ``complaint_rules`` setting, key by key. The calendar (working days) is ``complaint_calendar``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import sqlite_utils

from kiosk.complaints.workdays import WorkCalendar, WorkingHours
from kiosk.core import settings

KINDS = ("complaint", "request")
CATEGORIES = ("service", "facilities", "cleanliness", "safety", "noise", "billing", "staff", "repair", "parcel", "other")
RESPONSIBILITIES = ("company", "not_company", "assisted")
MAJOR_REASONS = ("undelivered", "serious_loss", "unresolved_month", "authority_press", "five_customers")
RESOLVE_OUTCOMES = ("resolved", "referred", "not_resolved")
CALLBACK_OUTCOMES = ("satisfied", "unsatisfied", "unreachable")

# msgids, translated in complaints.po
KIND_LABELS = {"complaint": "Complaint", "request": "Service request"}
CATEGORY_LABELS = {"service": "Service", "facilities": "Facilities", "cleanliness": "Cleanliness", "safety": "Safety",
                   "noise": "Noise", "billing": "Billing", "staff": "Staff", "repair": "Repair", "parcel": "Parcel",
                   "other": "Other"}
RESPONSIBILITY_LABELS = {"company": "Our responsibility", "not_company": "Not our responsibility",
                         "assisted": "Assisted (outside service)"}
MAJOR_LABELS = {"undelivered": "Promised service not delivered after repeated requests",
                "serious_loss": "Serious loss or injury", "unresolved_month": "Unresolved for a month",
                "authority_press": "A government body or the press is involved",
                "five_customers": "Five or more customers on the same matter"}
OUTCOME_LABELS = {"resolved": "Resolved", "referred": "Referred", "not_resolved": "Not resolved",
                  "satisfied": "Satisfied", "unsatisfied": "Not satisfied", "unreachable": "Could not reach"}

DEFAULT_RULES: dict[str, Any] = {
    "work_start": "09:00", "work_end": "18:00",  # "00:00"-"24:00": a desk open round the clock
    # How each type's deadlines count days: "working" (China's working days, holidays and 调休 from the
    # package) or "calendar" (every day counts: a desk that works seven days a week). The hours apply to both.
    "complaint_days": "working",
    "request_days": "working",
    "start_minutes": 10,                  # start handling within 10 minutes (working time)
    "general_resolve_minutes": 120,       # a general complaint resolved within 2 hours
    "major_resolve_days": 2,              # a major one within 2 working days
    "callback_days": 2,                   # callback within 2 working days of resolution (responsibility)
    "assisted_callback_days": 3,          # assisted ones: within 3 working days
    "assisted_callback_share": 0.30,      # ... for at least 30 % of them
    "request_start_minutes": 30,          # repair and other service requests
    "request_resolve_days": 1,
    "request_callback_days": 1,
    "same_topic_count": 5,                # five open complaints on one topic within a day: propose major
    "same_topic_hours": 24,
    "unresolved_major_days": 30,          # open for a month: propose major
    "warn_start_minutes": 3,              # the quiet prompt: this close to a missed start ...
    "warn_resolve_minutes": 15,           # ... or a missed 2-hour resolution
    "soon_minutes": 60,                   # "due soon" in today's duties
    "report_due_day": 5,                  # the monthly report by the 5th
}


@dataclass(frozen=True)
class Rules:
    """The rules in force: numbers, working hours and the working-day calendar."""

    values: dict[str, Any]
    hours: WorkingHours
    calendar: WorkCalendar

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def calendar_for(self, kind: str) -> WorkCalendar:
        """The calendar a complaint ("complaint") or a service request ("request") counts its days by."""
        mode = self.values["request_days" if kind == "request" else "complaint_days"]
        return replace(self.calendar, every_day=True) if mode == "calendar" else self.calendar


def load(db: sqlite_utils.Database, *, use_package: bool = True) -> Rules:
    """The rules from the settings (defaults where a key is not overridden)."""
    values = dict(DEFAULT_RULES)
    values.update({k: v for k, v in (settings.get(db, "complaint_rules") or {}).items() if k in DEFAULT_RULES})
    cal = settings.get(db, "complaint_calendar") or {}
    calendar = WorkCalendar(frozenset(date.fromisoformat(d) for d in cal.get("holidays", [])),
                            frozenset(date.fromisoformat(d) for d in cal.get("makeup_days", [])),
                            use_package=use_package)
    return Rules(values, WorkingHours.parse(values["work_start"], values["work_end"]), calendar)


# --- the manager's settings screen --------------------------------------------------------------------------
# What a manager may change, and within which bounds: (low, high) for whole numbers; the times are HH:MM.
# The share is edited as a percentage (30) and stored as a fraction (0.30), as the rules read it.
RULE_BOUNDS: dict[str, tuple[int, int]] = {
    "start_minutes": (1, 480), "general_resolve_minutes": (10, 7 * 24 * 60), "major_resolve_days": (1, 30),
    "callback_days": (1, 30), "assisted_callback_days": (1, 30), "assisted_callback_share": (0, 100),
    "request_start_minutes": (1, 480), "request_resolve_days": (1, 30), "request_callback_days": (1, 30),
    "same_topic_count": (2, 100), "same_topic_hours": (1, 168), "unresolved_major_days": (1, 365),
    "warn_start_minutes": (1, 120), "warn_resolve_minutes": (1, 480), "soon_minutes": (5, 24 * 60),
    "report_due_day": (1, 28),
}
RULE_TIMES = ("work_start", "work_end")
# Choices: the key's values, each with its msgid (the settings screen shows a button that cycles them).
DAY_MODES = ("working", "calendar")
DAY_MODE_LABELS = {"working": "Working days (public holidays off)", "calendar": "Calendar days (open every day)"}
RULE_CHOICES: dict[str, tuple[str, ...]] = {"complaint_days": DAY_MODES, "request_days": DAY_MODES}
# msgids: the caption of each rule on the settings screen (complaints.po)
RULE_CAPTIONS = {
    "work_start": "Working day starts (HH:MM)", "work_end": "Working day ends (HH:MM, 24:00 for round the clock)",
    "complaint_days": "Complaint deadlines count", "request_days": "Service request deadlines count",
    "start_minutes": "Start handling within (working minutes)",
    "general_resolve_minutes": "Resolve a general complaint within (working minutes)",
    "major_resolve_days": "Resolve a major complaint within (working days)",
    "callback_days": "Call back within (working days after resolution)",
    "assisted_callback_days": "Call back assisted ones within (working days)",
    "assisted_callback_share": "Call back at least this share of assisted ones (%)",
    "request_start_minutes": "Start a service request within (working minutes)",
    "request_resolve_days": "Resolve a service request within (working days)",
    "request_callback_days": "Call back after a request within (working days)",
    "same_topic_count": "Propose major when this many share a topic",
    "same_topic_hours": "Same topic counted within (hours)",
    "unresolved_major_days": "Propose major when open for (days)",
    "warn_start_minutes": "Prompt this long before a start is missed (minutes)",
    "warn_resolve_minutes": "Prompt this long before a resolution is missed (minutes)",
    "soon_minutes": "\"Due soon\" in today's duties (minutes)",
    "report_due_day": "Monthly report due by day",
}
RULE_KEYS = (*RULE_TIMES, *RULE_CHOICES, *RULE_BOUNDS)


def rule_texts(db: sqlite_utils.Database) -> dict[str, str]:
    """The rules in force as the settings screen shows them (the share as a percentage)."""
    values = load(db, use_package=False).values
    out = {key: str(values[key]) for key in RULE_KEYS}
    out["assisted_callback_share"] = str(round(float(values["assisted_callback_share"]) * 100))
    return out


def check_rules(texts: dict[str, Any]) -> dict[str, Any]:
    """The rules as stored, from what a manager typed; SettingError naming the rule (field
    ``complaint_rules.<key>``) when one is out of its bounds or the rules contradict each other."""
    from kiosk.core.settings import SettingError

    def refuse(key: str, msgid: str, **params: Any) -> SettingError:
        return SettingError(msgid, field=f"complaint_rules.{key}", **params)

    out: dict[str, Any] = {}
    for key in RULE_TIMES:
        text = str(texts.get(key, DEFAULT_RULES[key])).strip()
        if not (len(text) == 5 and text[2] == ":" and text[:2].isascii() and text[:2].isdigit()
                and text[3:].isascii() and text[3:].isdigit()
                and (int(text[:2]) < 24 and int(text[3:]) < 60 or (key == "work_end" and text == "24:00"))):
            raise refuse(key, "a time looks like 09:00")
        out[key] = text
    if out["work_start"] >= out["work_end"]:
        raise refuse("work_end", "the working day must end after it starts")
    for key, choices in RULE_CHOICES.items():
        value = str(texts.get(key, DEFAULT_RULES[key])).strip()
        if value not in choices:
            raise refuse(key, "choose one of the options")
        out[key] = value
    for key, (low, high) in RULE_BOUNDS.items():
        text = str(texts.get(key, "")).strip()
        if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
            raise refuse(key, "must be a whole number from {low} to {high}", low=low, high=high)
        out[key] = int(text)
    out["assisted_callback_share"] = out["assisted_callback_share"] / 100
    day = WorkingHours.parse(out["work_start"], out["work_end"]).minutes
    if out["start_minutes"] >= out["general_resolve_minutes"]:
        raise refuse("start_minutes", "must be shorter than the time to resolve")
    if out["warn_start_minutes"] >= out["start_minutes"]:
        raise refuse("warn_start_minutes", "must be shorter than the time to start")
    if out["warn_resolve_minutes"] >= out["general_resolve_minutes"]:
        raise refuse("warn_resolve_minutes", "must be shorter than the time to resolve")
    if out["request_start_minutes"] > day:
        raise refuse("request_start_minutes", "must fit in one working day ({n} minutes)", n=day)
    return out


def save_rules(db: sqlite_utils.Database, clock, actor, texts: dict[str, Any]) -> bool:
    """A manager saves the complaint rules (checked, audited as a setting change); True when they changed."""
    from kiosk.core.settings import SettingError
    if actor.role != "manager":
        raise SettingError("only a manager can change settings")
    values = check_rules(texts)
    if load(db, use_package=False).values == {**DEFAULT_RULES, **values}:
        return False
    settings.put(db, clock, actor, "complaint_rules", values)
    return True
