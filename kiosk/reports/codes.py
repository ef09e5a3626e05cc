"""Code values in the reader's language: one vocabulary per enumerated column of the exported logs.

The database stores short English codes (``meeting``, ``self``, ``missed``, ``card``...). An export shows
each code in the export's language, and keeps the raw code in a column of its own beside it
("Purpose (code)") so an analyst can filter and join on a value that never changes with the language.

Where an area already names its codes for its own screens (visit purposes, lost-item categories,
payment methods, complaint categories...), the vocabulary is that area's dictionary, so the export
says what the screen says. The rest are named here. A code that no vocabulary knows (a value a newer
program wrote) is shown as it is, never dropped.
"""
from __future__ import annotations

from kiosk.core.i18n import gettext


def _(msgid: str) -> str:
    """Marks a msgid for the catalogue check; translated when the export is written."""
    return msgid


def _vocabularies() -> dict[str, dict[str, str]]:
    from kiosk.complaints import rules as complaints
    from kiosk.counter.receipts import METHOD_LABELS
    from kiosk.lostfound.service import CATEGORY_LABELS as LOST_CATEGORIES
    from kiosk.phone.calllog import CALLBACK_RESULTS, CATEGORY_LABELS as NOTE_CATEGORIES
    from kiosk.visitors.service import ID_TYPES, PURPOSE_LABELS

    return {
        "purpose": dict(PURPOSE_LABELS),
        "registered_by": {"self": _("Self sign-in"), "staff": _("Registered by staff")},
        "signout_kind": {"code": _("Signed out with code"), "staff": _("Signed out by staff"),
                         "auto": _("Signed out automatically")},
        "visit_id_type": dict(ID_TYPES),
        "detector": {"at": _("AT modem"), "ri": _("RI pin"), "line": _("Line detector"),
                     "simulated": _("Simulated"), "manual": _("Entered by hand")},
        "call_outcome": {"answered": _("answered"), "missed": _("missed"), "unknown": _("Not confirmed")},
        "note_category": dict(NOTE_CATEGORIES),
        "lost_category": dict(LOST_CATEGORIES),
        "handed_in_kind": {"customer": _("Handed in by a customer"), "staff": _("Handed in by staff")},
        "lost_status": {"held": _("Held"), "claimed": _("Claimed"), "handed_over": _("Handed over"),
                        "disposed": _("Disposed"), "amended": _("Corrected")},
        "method": dict(METHOD_LABELS),
        "reversal_kind": {"void": _("Void"), "refund": _("Refund"), "fee void": _("Fee void")},
        "stock_kind": {"receipt": _("Goods delivered"), "sale": _("Sale"), "void": _("Void"), "refund": _("Refund"),
                       "adjustment": _("Adjustment"), "opening": _("Opening count"), "stocktake": _("Stocktake")},
        "channel": {"counter": _("At the counter"), "call": _("By phone")},
        "complaint_kind": dict(complaints.KIND_LABELS),
        "complaint_category": dict(complaints.CATEGORY_LABELS),
        "responsibility": dict(complaints.RESPONSIBILITY_LABELS),
        "major": {"major": _("Major"), "proposed": _("Proposed as major"),
                  "declined": _("Declined as major by a manager")},
        "complaint_outcome": dict(complaints.OUTCOME_LABELS),
        "calendar_source": {"package": _("Public-holiday calendar"), "fallback": _("Weekends only"),
                            "manual": _("Manager's holiday list"),
                            "estimated": _("Estimated: weekends only (no holiday data)"),
                            "calendar": _("Calendar days")},
        "anonymised": {"yes": _("Yes")},
        # kiosk.phone's line gaps (kiosk.phone.calllog.record_gap's states)
        "line_gap_state": {"reconnecting": _("Detector unplugged or reconnecting"),
                           "deaf": _("Detector not answering"), "error": _("Detector error"),
                           "off": _("Detector switched off")},
        "callback_result": dict(CALLBACK_RESULTS),
        # The two actors that are no person (kiosk.core.audit SYSTEM and VISITOR); staff names pass as they are.
        "actor": {"system": _("System"), "visitor": _("Visitor (self-service)")},
        # Why the drawer opened: the receipt kind that kicked it (kiosk.printing.queue), or a bare kick.
        "drawer_reason": {"sale": _("Sale paid in cash"), "fee": _("Fee paid in cash"), "refund": _("Refund"),
                          "void": _("Void"), "feevoid": _("Fee void"), "drawer": _("Drawer opened")},
        "disposal_method": {"returned_to_finder": _("Returned to the finder"), "donated": _("Donated"),
                            "destroyed": _("Destroyed")},
        # The one stock reason the program writes itself (kiosk.counter.sales.add_product); staff's own pass.
        "stock_reason": {"opening stock": _("Opening stock"), "delivery": _("Goods delivered")},
        "lf_field": {"description": _("description"), "features": _("features"), "storage": _("storage place")},
        "record_table": {
            "visits": _("Visitors"), "visit_signouts": _("Visitors"), "calls": _("Calls"),
            "call_notes": _("Call notes"), "lf_items": _("Lost and found items"), "lf_claims": _("Lost-item claims"),
            "lf_handovers": _("Lost-item handovers"), "lf_amendments": _("Lost-and-found corrections"),
            "lf_reports": _("Lost-item reports"), "sales": _("Sales"), "sale_reversals": _("Voids and refunds"),
            "fee_collections": _("Fee collections"), "fee_voids": _("Fee voids"), "fee_types": _("Fee types"),
            "products": _("Products"), "stock_counts": _("Stock counts"), "shifts": _("Shifts"),
            "shift_closes": _("End-of-day reports"), "cash_handovers": _("Cash handovers"),
            "drawer_kicks": _("Cash drawer openings"), "print_jobs": _("Print jobs"), "complaints": _("Complaints"),
            "complaint_report_exports": _("Complaint reports"), "hosts": _("Hosts"), "users": _("Staff accounts"),
            "settings": _("Settings"), "backups": _("Backups"), "deny_list": _("Deny list"),
            "expected_visitors": _("Expected visitors"), "rollcalls": _("Roll calls"),
            # where `kiosk privacy find` can find a person besides (kiosk.core.erasure)
            "audit": _("Audit log"), "call_events": _("Call events"),
        },
    }


_CACHE: dict[str, dict[str, str]] = {}


def vocabulary(name: str) -> dict[str, str]:
    """code -> English msgid for one vocabulary (KeyError for an unknown vocabulary name)."""
    if not _CACHE:
        _CACHE.update(_vocabularies())
    return _CACHE[name]


def names() -> list[str]:
    """Every vocabulary's name (for tests and the catalogue check)."""
    vocabulary("purpose")
    return sorted(_CACHE)


def translator(name: str, lang: str):
    """A function code -> text in lang for one vocabulary; unknown codes come back unchanged.

    Built once per column per export: a month is hundreds of thousands of cells, each a dict look-up.
    """
    table = {code: gettext(msgid, lang) for code, msgid in vocabulary(name).items()}

    def translate(code):
        if code is None:
            return None
        return table.get(code, code)
    return translate


def label(name: str, code: str | None, lang: str) -> str:
    """One code in lang (the screen's tiles and the PDF); '' for None, the code itself when unknown."""
    if code is None:
        return ""
    msgid = vocabulary(name).get(code)
    return code if msgid is None else gettext(msgid, lang)
