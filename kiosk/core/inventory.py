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
# A picture of the person (a signature): nothing to search in it, so it goes with its row - when an erasure
# finds the person anywhere in that row, and with the row's retention period.
IMAGE = "image"
# Free text about something else that may mention a person (a found ID card's description, a complaint's
# place): an erasure cuts the person's words out of it, never the whole text, and no period blanks it.
MENTION = "mention"
# The settings keys of the periods (kiosk.core.settings.DEFAULTS holds the days).
VISITORS, CALLS, LOSTFOUND = "visitor_retention_days", "call_note_retention_days", "lostfound_retention_days"


@dataclass(frozen=True)
class Personal:
    """One column that holds a person's data.

    kind: how a person is looked up in it (exact name/phone/id, or a substring of free text/JSON).
    retention: the settings key of its period in days (None: kept until an erasure request).
    since: the column (or SQL expression of the row) whose date starts the period; NULL: not started.
    """

    table: str
    column: str
    kind: str
    retention: str | None = None
    since: str = "at"
    where: str = ""  # which rows the retention applies to (SQL condition), when not all of them


# A complaint's period runs from its close: one not closed still owes a duty (a callback, a resolution) and
# keeps the customer's name and contact however long ago it was taken (NULL: no period yet).
COMPLAINT_CLOSED_AT = ("(SELECT MAX(e.at) FROM complaint_events e WHERE e.complaint_id = complaints.id"
                       " AND e.kind = 'closed')")

PERSONAL: tuple[Personal, ...] = (
    # mentions (migration 0031): the person's words are cut out, the rest of the text stays
    Personal("lf_items", "description", MENTION), Personal("lf_items", "features", MENTION),
    Personal("lf_reports", "description", MENTION), Personal("lf_reports", "features", MENTION),
    Personal("lf_amendments", "reason", MENTION), Personal("lf_amendments", "before", MENTION),
    Personal("lf_amendments", "after", MENTION),
    Personal("complaints", "place", MENTION), Personal("complaints", "topic", MENTION),
    # (migration 0041) the counter's and the lost-and-found desk's free text that may name a person
    Personal("fee_voids", "reason", MENTION), Personal("sale_reversals", "reason", MENTION),
    Personal("cash_handovers", "received_by", MENTION), Personal("cash_handovers", "note", MENTION),
    Personal("lf_disposals", "note", MENTION), Personal("lf_handovers", "received_by", MENTION),
    Personal("lf_handovers", "note", MENTION), Personal("lf_items", "found_place", MENTION),
    Personal("lf_reports", "lost_place", MENTION), Personal("print_job_events", "detail", MENTION),
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
    # the keyed hash of the full number (migration 0041): found only by hashing the number asked for
    Personal("deny_list", "id_hash", ID_NUMBER),
    # printing: a badge or claim slip carries the name on paper and in its stored document
    Personal("print_jobs", "document", DOCUMENT, "visitor_retention_days", "created_at",
             "record_table IN ('visits', 'expected_visitors') OR kind = 'onsite'"),  # badges, roll-call lists
    # platform: before/after values of audited changes may quote a person
    Personal("audit", "before", DOCUMENT), Personal("audit", "after", DOCUMENT),
    # ... and the register's own audit rows quote who handed in or claimed: those values (JSON keys named
    # in AUDIT_KEYS) go with the register's period, the rest of the row stays
    Personal("audit", "after", DOCUMENT, LOSTFOUND, "at", "action IN ('lostfound.register', 'lostfound.claim') AND ("
             + " OR ".join(f"COALESCE(json_extract(after, '$.{k}'), '') != ''"
                           for k in ("handed_in_name", "handed_in_contact", "claimant", "id_number")) + ")"),
    # phone: caller ID and the note taken. After call_note_retention_days the caller's name and number
    # go (from the caller-ID events too) and so does the note's free text, which may name them; the call,
    # its times, rings, outcome and the note's category stay for the figures.
    Personal("call_events", "number", PHONE, CALLS), Personal("call_events", "name", NAME, CALLS),
    Personal("call_notes", "caller_name", NAME, CALLS), Personal("call_notes", "caller_number", PHONE, CALLS),
    Personal("call_notes", "what", TEXT, CALLS), Personal("call_notes", "place", TEXT, CALLS),
    Personal("call_notes", "why", TEXT, CALLS), Personal("call_notes", "how", TEXT, CALLS),
    Personal("call_notes", "follow_up", TEXT, CALLS), Personal("callbacks_done", "result", TEXT, CALLS),
    # lost and found: who handed in, who reported a loss, who claimed - kept lostfound_retention_days
    # (longer than the handover period: a claim can be disputed after the item went to the admin office);
    # the items, their features, where they were found and what became of them stay.
    Personal("lf_items", "handed_in_name", NAME, LOSTFOUND, "created_at"),
    Personal("lf_items", "handed_in_contact", PHONE, LOSTFOUND, "created_at"),
    Personal("lf_reports", "owner_name", NAME, LOSTFOUND), Personal("lf_reports", "contact", PHONE, LOSTFOUND),
    Personal("lf_claims", "claimant_name", NAME, LOSTFOUND), Personal("lf_claims", "contact", PHONE, LOSTFOUND),
    Personal("lf_claims", "id_number", ID_NUMBER, LOSTFOUND),
    Personal("lf_claims", "described_features", TEXT, LOSTFOUND),
    Personal("lf_claims", "signature_png", IMAGE, LOSTFOUND),
    Personal("lf_events", "detail", TEXT),
    Personal("lf_events", "detail", TEXT, LOSTFOUND, "at", "status = 'claimed'"),  # "claim 3 by <name>"
    # the claim slip names the owner on paper and in its stored document (same period as the claim)
    Personal("print_jobs", "document", DOCUMENT, LOSTFOUND, "created_at", "record_table = 'lf_claims'"),
    # counter: who paid a fee, their membership number
    Personal("fee_collections", "payer", NAME), Personal("fee_collections", "member_no", TEXT),
    Personal("fee_collections", "reference", TEXT), Personal("payments", "reference", TEXT),
    # complaints: the customer who complained (its retention, complaint_retention_days from
    # COMPLAINT_CLOSED_AT, is run by kiosk.complaints through the table's anonymising guard; an erasure
    # request blanks both at once)
    Personal("complaints", "customer_name", NAME), Personal("complaints", "customer_contact", PHONE),
    Personal("complaints", "what", TEXT),  # free text names people; blanked with them (migration 0021)
    # ... and so do the follow-up notes and the printed slip: blanked with their complaint (TRAILS below),
    # searched on their own by an erasure request (migration 0028)
    Personal("complaint_events", "note", TEXT),
    Personal("print_jobs", "document", DOCUMENT, where="record_table = 'complaints'"),
    # master data that names a person a visitor comes to see (staff, not visitors; kept while active)
    Personal("hosts", "name", NAME), Personal("hosts", "phone", PHONE),
)

# Rows that go with an anonymised row of another table, whatever they say: (table, column, the column that
# points at the anonymised row's id, which rows). A complaint's notes and slip are blanked with it.
TRAILS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "complaints": (("complaint_events", "note", "complaint_id", ""),
                   ("print_jobs", "document", "record_id", "record_table = 'complaints'")),
}

# Rows of other tables that an erased row points at and shows, which go with it when a person asks to be
# forgotten (kiosk.core.erasure.blank_linked; not retention, where each keeps its own period): (table, a
# SELECT of their rowids from the erased rows' ids, "{ids}"). A complaint opened from a call note shows the
# call's number and copied the note's words: the note, its callbacks' results and the call's caller ID go.
LINKED: dict[str, tuple[tuple[str, str], ...]] = {
    "complaints": (
        ("call_notes", "SELECT call_note_id FROM complaints WHERE id IN ({ids})"),
        ("callbacks_done", "SELECT b.rowid FROM callbacks_done b JOIN complaints c ON c.call_note_id = b.note_id"
                           " WHERE c.id IN ({ids})"),
        ("call_events", "SELECT e.rowid FROM call_events e JOIN call_notes n ON n.call_id = e.call_id"
                        " JOIN complaints c ON c.call_note_id = n.id WHERE c.id IN ({ids})"),
    ),
}

# Keys of an audited before/after JSON that hold a person's data: blanked by retention (not the whole row).
AUDIT_KEYS = frozenset({"name", "phone", "contact", "handed_in_name", "handed_in_contact", "claimant", "owner_name",
                        "id_number", "caller_name", "caller_number", "organisation", "payer", "member_no"})

_COMMON = ("uid", "site_id", "terminal_id", "actor", "approver", "at", "created_at", "receipt_no", "report_no",
           "record_table", "record_id", "kind", "reason", "method", "status")
# Text columns that hold no one's personal data, by table (plus the common columns above).
NOT_PERSONAL: dict[str, tuple[str, ...]] = {
    "audit": ("action",), "auth_events": (), "call_events": ("outcome", "source"), "calls": ("started_at", "detector"),
    "call_notes": ("category", "callback_due"), "callbacks_done": (), "cash_handovers": (),
    "deny_list": ("added_at",), "deny_list_lifts": (), "drawer_kicks": (), "expected_visitors": ("expected_on", "invite_code"),
    "fee_collections": ("period",), "fee_types": ("code", "name_zh", "name_en"), "fee_voids": (),
    "hosts": ("department",), "lf_claims": ("id_type", "register_features", "signature_sha256"),
    "lf_disposals": (), "lf_events": (), "lf_handover_items": (), "lf_handovers": (),
    "lf_items": ("ref", "category", "colour", "brand", "found_at",
                 "handed_in_kind", "storage"),
    "lf_reports": ("category", "colour", "brand", "lost_on"),
    "payments": (), "print_job_events": (), "print_jobs": (),
    "products": ("sku", "name_zh", "name_en", "barcode", "category"), "reversal_lines": (), "rollcall_marks": (),
    "sale_lines": ("name",), "sale_reversals": (), "sales": (), "schema_migrations": ("name", "applied_at"),
    "series": ("name",), "settings": ("key", "value", "updated_at"), "shift_closes": ("report",),
    "shifts": ("opened_at",), "stock_count_lines": (), "stock_counts": (), "stock_levels": (),
    "stock_movements": (), "users": ("name", "role", "pin_hash"), "visit_signouts": (),
    "visits": ("signed_in_at", "host_name", "purpose", "registered_by", "id_type", "signout_code", "anonymised_at"),
    "visits_fts": ("host_name",), "privacy_erasing": ("request",),
    "kiosk_secrets": ("name", "value"), "backup_renames": ("old_file", "new_file"),
    # keyed hashes of what an erasure was asked to erase, and the secrets of carried ones (migration 0047)
    "erasure_ledger": ("at", "kind", "digest", "key_tag", "folded_length"), "erasure_keys": ("tag", "value"),
    # complaints: where and the topic are the matter itself; the free text ("what") is personal (above);
    # dues are times
    "complaints": ("ref", "taken_at", "channel", "category", "responsibility",
                   "major_reason", "start_due", "resolve_due", "calendar_source", "anonymised_at",
                   "deadline_basis"),
    "complaint_events": ("outcome", "resolve_due", "callback_due", "deadline_basis"),
    "complaint_report_exports": ("month", "folder"),
    "lf_amendments": ("field",), "rollcalls": ("started_at",), "rollcall_ends": ("ended_at",),
    "phone_line_gaps": ("started_at", "ended_at", "state", "detail", "detector"),
    # what is open now, kept by triggers (migration 0018): ids, times and a status word, nobody's data
    "visits_open": ("signed_in_at",), "callbacks_open": ("due",), "lf_item_status": ("status", "since"),
    "complaints_open": ("next_due", "month_watch"), "complaint_duties": ("due",),  # times (migration 0040)
    "print_queue": ("detail", "updated_at"),
    # backups: file and folder paths, times, digests and outcomes; no personal data of their own
    "backups": ("kind", "started_at", "finished_at", "outcome", "file", "destination", "sha256", "error", "reason"),
    "local_offsets": ("utc_from", "utc_to", "tz"),   # the site zone's offsets (migration 0020)
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
