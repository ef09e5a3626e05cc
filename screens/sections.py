"""Registry of the staff desk's sections and the visitor home screen's flows.

Each area adds one entry; screens are imported only when first opened (fast start-up).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A screen reachable from the desk navigation or the visitor home screen."""

    name: str           # Kivy screen name, unique
    title: str          # English msgid, translated on screen
    target: str         # "module:ScreenClass"
    order: int = 50     # position in the navigation
    manager_only: bool = False

    def load(self):
        """Import the screen class."""
        module, attr = self.target.split(":")
        return getattr(importlib.import_module(module), attr)


# Staff desk sections (signed-in staff only). Keep entries one per line.
STAFF_SECTIONS: list[Section] = [
    Section("visitors", "Visitors", "screens.visitors.visitors_section:VisitorsSection", order=10),
    Section("phone", "Phone", "screens.phone.phone_section:PhoneSection", order=20),
    Section("lostfound", "Lost & Found", "screens.lostfound.lostfound_section:LostFoundSection", order=30),
    Section("goods", "Goods", "screens.counter.goods_section:GoodsSection", order=40),
    Section("fees", "Fees", "screens.counter.fees_section:FeesSection", order=45),
    Section("complaints", "Complaints", "screens.complaints.complaints_section:ComplaintsSection", order=35),
    Section("counter_day", "Day & cash", "screens.counter.counter_day:CounterDaySection", order=50),
    Section("catalogue", "Catalogue", "screens.counter.catalogue_section:CatalogueSection", order=80, manager_only=True),
    Section("fee_types", "Fee types", "screens.counter.fee_types_section:FeeTypesSection", order=85, manager_only=True),
    Section("settings", "Settings", "screens.settings_section:SettingsSection", order=95, manager_only=True),
    Section("reports", "Reports", "screens.reports.reports_section:ReportsSection", order=90, manager_only=True),
    # everyone changes their own PIN here; a manager also keeps every account (each change with a PIN)
    Section("accounts", "Accounts", "screens.accounts_section:AccountsSection", order=97),
]

# Visitor flows offered on the home screen (no sign-in; never show another visitor's data).
VISITOR_FLOWS: list[Section] = [
    Section("visitor_signin", "Sign in as a visitor", "screens.visitors.visitor_signin:VisitorSignIn", order=10),
    Section("visitor_signout", "Sign out when you leave", "screens.visitors.visitor_signout:VisitorSignOut", order=20),
]


def staff_sections(is_manager: bool) -> list[Section]:
    """Sections this user may open, in navigation order."""
    return sorted((s for s in STAFF_SECTIONS if is_manager or not s.manager_only), key=lambda s: s.order)


def visitor_flows() -> list[Section]:
    """Visitor flows in home-screen order."""
    return sorted(VISITOR_FLOWS, key=lambda s: s.order)


def find(name: str) -> Section | None:
    """Look a section or flow up by screen name."""
    for section in STAFF_SECTIONS + VISITOR_FLOWS:
        if section.name == name:
            return section
    return None
