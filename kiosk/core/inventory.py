"""The personal-data inventory: for every text column of the schema, whether it holds a person's data,
what kind (name, phone, identity number, free text that may mention them) and for how long it is kept.

`kiosk.core.erasure` (find, erase) and the retention job read only this declaration, and
`tests/core/test_core_inventory.py` fails on any text column it names neither personal nor
not-personal, so a new column cannot be forgotten. Staff names (`actor`, `approver`) are not declared
personal here: they are the accountability of the desk, kept with the record.
"""
from __future__ import annotations

from dataclasses import dataclass

NAME, PHONE, ID_NUMBER, TEXT, DOCUMENT = "name", "phone", "id_number", "text", "document"


@dataclass(frozen=True)
class Personal:
    """One column that holds a person's data.

    kind: how a person is looked up in it (exact name/phone/id, or a substring of free text/JSON).
    retention: the settings key of its period in days (None: kept until an erasure request).
    since: the column whose date starts the period.
    """

    table: str
    column: str
    kind: str
    retention: str | None = None
    since: str = "at"
    where: str = ""  # which rows the retention applies to (SQL condition), when not all of them


PERSONAL: tuple[Personal, ...] = (
    # visitors
    Personal("visits", "name", NAME, "visitor_retention_days", "signed_in_at"),
    Personal("visits", "phone", PHONE, "visitor_retention_days", "signed_in_at"),
    Personal("visits", "organisation", TEXT, "visitor_retention_days", "signed_in_at"),
    Personal("visits", "id_number", ID_NUMBER, "visitor_retention_days", "signed_in_at"),
    Personal("visits_fts", "name", NAME), Personal("visits_fts", "phone", PHONE),
    Personal("visits_fts", "organisation", TEXT),
    Personal("expected_visitors", "name", NAME, "visitor_retention_days", "expected_on"),
    Personal("expected_visitors", "phone", PHONE, "visitor_retention_days", "expected_on"),
    Personal("deny_list", "name", NAME), Personal("deny_list", "phone", PHONE),
    Personal("deny_list", "id_number", ID_NUMBER), Personal("deny_list", "reason", TEXT),
    # printing: a badge or claim slip carries the name on paper and in its stored document
    Personal("print_jobs", "document", DOCUMENT, "visitor_retention_days", "created_at",
             "record_table IN ('visits', 'expected_visitors') OR kind = 'onsite'"),  # badges, roll-call lists
    # platform: before/after values of audited changes may quote a person
    Personal("audit", "before", DOCUMENT), Personal("audit", "after", DOCUMENT),
    # phone: caller ID and the note taken
    Personal("call_events", "number", PHONE), Personal("call_events", "name", NAME),
    Personal("call_notes", "caller_name", NAME), Personal("call_notes", "caller_number", PHONE),
    Personal("call_notes", "what", TEXT), Personal("call_notes", "place", TEXT),
    Personal("call_notes", "why", TEXT), Personal("call_notes", "how", TEXT),
    Personal("call_notes", "follow_up", TEXT), Personal("callbacks_done", "result", TEXT),
    # lost and found: who handed in, who reported a loss, who claimed
    Personal("lf_items", "handed_in_name", NAME), Personal("lf_items", "handed_in_contact", PHONE),
    Personal("lf_reports", "owner_name", NAME), Personal("lf_reports", "contact", PHONE),
    Personal("lf_claims", "claimant_name", NAME), Personal("lf_claims", "contact", PHONE),
    Personal("lf_claims", "id_number", ID_NUMBER), Personal("lf_claims", "described_features", TEXT),
    Personal("lf_events", "detail", TEXT),
    # counter: who paid a fee, their membership number
    Personal("fee_collections", "payer", NAME), Personal("fee_collections", "member_no", TEXT),
    Personal("fee_collections", "reference", TEXT), Personal("payments", "reference", TEXT),
    # complaints: the customer who complained (its retention, complaint_retention_days, is run by
    # kiosk.complaints through the table's anonymising guard; an erasure request blanks both at once)
    Personal("complaints", "customer_name", NAME), Personal("complaints", "customer_contact", PHONE),
    # master data that names a person a visitor comes to see (staff, not visitors; kept while active)
    Personal("hosts", "name", NAME), Personal("hosts", "phone", PHONE),
)

_COMMON = ("uid", "site_id", "terminal_id", "actor", "approver", "at", "created_at", "receipt_no", "report_no",
           "record_table", "record_id", "kind", "reason", "method", "status")
# Text columns that hold no one's personal data, by table (plus the common columns above).
NOT_PERSONAL: dict[str, tuple[str, ...]] = {
    "audit": ("action",), "auth_events": (), "call_events": ("outcome", "source"), "calls": ("started_at", "detector"),
    "call_notes": ("category", "callback_due"), "callbacks_done": (), "cash_handovers": ("received_by", "note"),
    "deny_list": ("added_at",), "deny_list_lifts": (), "drawer_kicks": (), "expected_visitors": ("expected_on",),
    "fee_collections": ("period",), "fee_types": ("code", "name_zh", "name_en"), "fee_voids": (),
    "hosts": ("department",), "lf_claims": ("id_type", "register_features", "signature_sha256"),
    "lf_disposals": ("note",), "lf_events": (), "lf_handover_items": (), "lf_handovers": ("received_by", "note"),
    "lf_items": ("ref", "category", "description", "features", "colour", "brand", "found_at", "found_place",
                 "handed_in_kind", "storage"),
    "lf_reports": ("category", "description", "features", "colour", "brand", "lost_on", "lost_place"),
    "payments": (), "print_job_events": ("detail",), "print_jobs": (),
    "products": ("sku", "name_zh", "name_en", "barcode", "category"), "reversal_lines": (), "rollcall_marks": (),
    "sale_lines": ("name",), "sale_reversals": (), "sales": (), "schema_migrations": ("name", "applied_at"),
    "series": ("name",), "settings": ("key", "value", "updated_at"), "shift_closes": ("report",),
    "shifts": ("opened_at",), "stock_count_lines": (), "stock_counts": (), "stock_levels": (),
    "stock_movements": (), "users": ("name", "role", "pin_hash"), "visit_signouts": (),
    "visits": ("signed_in_at", "host_name", "purpose", "registered_by", "id_type", "signout_code", "anonymised_at"),
    "visits_fts": ("host_name",), "privacy_erasing": ("request",),
    # complaints: what and where are the matter itself (a name typed into them is not yet found by an
    # erasure: the table's guard lets only the two customer columns change); dues are times
    "complaints": ("ref", "taken_at", "channel", "category", "responsibility", "what", "place", "topic",
                   "major_reason", "start_due", "resolve_due", "calendar_source", "anonymised_at"),
    "complaint_events": ("note", "outcome", "resolve_due", "callback_due"),
    "complaint_report_exports": ("month", "folder"),
    "lf_amendments": ("field", "before", "after"), "rollcalls": ("started_at",),
    "phone_line_gaps": ("started_at", "ended_at", "state", "detail", "detector"),
    "print_queue": ("detail", "updated_at"),
}
INDEXES = ("visits_fts_config", "visits_fts_data", "visits_fts_docsize", "visits_fts_idx", "visits_fts_content")


def personal_columns(table: str | None = None) -> list[Personal]:
    """The declared personal columns (of one table)."""
    return [p for p in PERSONAL if table is None or p.table == table]


def is_declared(table: str, column: str) -> bool:
    """Named personal or not-personal (a shadow table of a full-text index counts as its index)."""
    if table in INDEXES:
        return True
    if any(p.table == table and p.column == column for p in PERSONAL):
        return True
    return column in _COMMON or column in NOT_PERSONAL.get(table, ())
