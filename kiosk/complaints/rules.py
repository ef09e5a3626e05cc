"""The register's rules as data: categories, classes, deadlines and the major-complaint triggers.

Every number is a default from the handbooks (../shared/domain.md); a site overrides any of them in
the ``complaint_rules`` setting, key by key. The calendar (working days) is ``complaint_calendar``.
"""
from __future__ import annotations

from dataclasses import dataclass
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
    "work_start": "09:00", "work_end": "18:00",
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


def load(db: sqlite_utils.Database, *, use_package: bool = True) -> Rules:
    """The rules from the settings (defaults where a key is not overridden)."""
    values = dict(DEFAULT_RULES)
    values.update({k: v for k, v in (settings.get(db, "complaint_rules") or {}).items() if k in DEFAULT_RULES})
    cal = settings.get(db, "complaint_calendar") or {}
    calendar = WorkCalendar(frozenset(date.fromisoformat(d) for d in cal.get("holidays", [])),
                            frozenset(date.fromisoformat(d) for d in cal.get("makeup_days", [])),
                            use_package=use_package)
    return Rules(values, WorkingHours.parse(values["work_start"], values["work_end"]), calendar)
