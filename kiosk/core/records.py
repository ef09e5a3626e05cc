"""The one declaration of which tables are records (append-only) and which hold mutable state.

A record table keeps what happened: rows are only ever added (a correction is a new row), every
row carries a globally unique ``uid`` (UUIDv7) and the ``site_id`` and ``terminal_id`` that wrote
it, and two triggers named ``<table>_no_update`` and ``<table>_no_delete`` refuse changes.
A state table holds what is true now (settings, the numbered series, master data, the stock
balance) and may be updated in place; changes that matter are audited.

`kiosk db check` and the schema tests derive what to expect from this module; a migration that
adds a table adds it here, and a test fails on any table the declaration does not name.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordTable:
    """One append-only table and the conventions it follows.

    actor: rows are an act by someone, named by ``actor_id`` (users.id, NULL for a visitor or the
    system) and ``actor`` (the name at the time). Detail rows (sale lines, payments, ...) and rows the
    machine writes on its own (calls, print-job outcomes) belong to their header and have none.
    approver: a second person who approved the act: ``approver_id`` + ``approver``.
    anonymise: the privacy exception: the one UPDATE allowed blanks exactly these columns and sets
    ``anonymised_at`` (the retention job); every other column must stay as it was.
    """

    name: str
    actor: bool = True
    approver: bool = False
    anonymise: tuple[str, ...] = ()
    since: int = 1  # the migration that created the table (tests of older databases skip newer tables)


RECORD_TABLES: tuple[RecordTable, ...] = (
    # platform
    RecordTable("audit"),
    RecordTable("auth_events"),
    RecordTable("backups", since=19),
    RecordTable("backup_renames", since=41),
    # phone
    RecordTable("calls", actor=False),
    RecordTable("call_events"),
    RecordTable("call_notes"),
    RecordTable("callbacks_done"),
    RecordTable("phone_line_gaps", actor=False, since=16),
    # printing
    RecordTable("print_jobs"),
    RecordTable("print_job_events", actor=False),
    RecordTable("drawer_kicks"),
    # visitors
    RecordTable("visits", anonymise=("name", "phone", "organisation", "id_number")),
    RecordTable("visit_signouts"),
    RecordTable("deny_list"),
    RecordTable("deny_list_lifts"),
    RecordTable("expected_visitors"),
    RecordTable("rollcall_marks"),
    RecordTable("rollcalls", since=15),
    RecordTable("rollcall_ends", since=45),
    # lost and found
    RecordTable("lf_items"),
    RecordTable("lf_events"),
    RecordTable("lf_reports"),
    RecordTable("lf_claims"),
    RecordTable("lf_handovers"),
    RecordTable("lf_handover_items", actor=False),
    RecordTable("lf_disposals", approver=True),
    RecordTable("lf_amendments", since=15),
    # counter
    RecordTable("stock_movements"),
    RecordTable("sales"),
    RecordTable("sale_lines", actor=False),
    RecordTable("payments", actor=False),
    RecordTable("sale_reversals", approver=True),
    RecordTable("reversal_lines", actor=False),
    RecordTable("fee_collections"),
    RecordTable("fee_voids", approver=True),
    RecordTable("shifts"),
    RecordTable("shift_closes"),
    RecordTable("cash_handovers"),
    RecordTable("stock_counts"),
    RecordTable("stock_count_lines", actor=False),
    # complaints and service requests
    RecordTable("complaints", anonymise=("customer_name", "customer_contact", "what"), since=13),
    RecordTable("complaint_events", since=13),
    RecordTable("complaint_report_exports", since=13),
)

# Mutable state: updated in place, no uid (yet), no append-only triggers. Why each is not a record:
STATE_TABLES: dict[str, str] = {
    "settings": "business settings a manager edits; each change is audited with before/after",
    "series": "the last number of each gapless series (receipts, lost-and-found references)",
    "users": "staff accounts: PIN hashes and active flags change; sign-ins are in auth_events",
    "hosts": "the host directory; people leave and come back (audited)",
    "products": "the catalogue: prices and reorder levels change (audited); stock is in stock_movements",
    "fee_types": "the fee catalogue (audited)",
    "stock_levels": "running stock balance kept by a trigger; stock_movements stay the record",
    "print_queue": "where each print job stands now (queued, sending, printed, unconfirmed, held, cancelled);"
                   " every change is also a print_job_events row, so the history stays a record",
    "schema_migrations": "which migrations this database has",
    "kiosk_secrets": "the per-database secret of the identity numbers' keyed hashes (one row, never changed)",
    "erasure_ledger": "keyed hashes of what erasure requests were given (migration 0047), carried across a"
                      " restore so the erasure is applied again; the erasure's audit row stays the record",
    "erasure_keys": "secrets of ledger hashes carried from a file with another secret, by tag (never changed)",
    "local_offsets": "the site zone's UTC offsets for the local-day views (migration 0020), derived from tzdata "
                     "and rewritten when the configured zone changes (kiosk.core.localday)",
    "visits_fts": "full-text index over visits, kept by triggers (with its visits_fts_* shadow tables)",
    "visits_open": "who is on site now: a row per visit from sign-in to sign-out, kept by triggers (migration"
                   " 0018); visits and visit_signouts stay the record",
    "callbacks_open": "promised callbacks not yet made, kept by triggers from call_notes and callbacks_done",
    "complaints_open": "complaints not closed yet, kept by triggers from complaints and complaint_events",
    "complaint_duties": "what each open complaint waits on now and by when (migration 0040), rewritten from its"
                        " events by kiosk.complaints.dueindex in the same transaction; the events stay the record",
    "lf_item_status": "where each lost item stands now (its newest lf_events row), kept by a trigger",
    "privacy_erasing": "a row only inside an erasure's own transaction: lets the append-only triggers of the "
                       "personal-data tables pass the blanking of a person's data (kiosk.core.erasure)",
}

APPEND_ONLY_EVENTS = ("update", "delete")
# Record tables holding personal data whose UPDATE guard lets an erasure through (migration 0014: only
# while kiosk.core.erasure holds a row in privacy_erasing inside its own transaction).
ERASABLE = ("expected_visitors", "print_jobs", "audit", "call_events", "call_notes", "callbacks_done", "lf_items",
            "lf_reports", "lf_claims", "lf_events", "fee_collections", "payments",
            "complaint_events",  # its follow-up notes name the customer (migration 0028)
            "lf_amendments",  # an amendment's reason and before/after may name someone (migration 0031)
            # free text at the counter and the lost-and-found desk that may name someone (migration 0041)
            "fee_voids", "sale_reversals", "cash_handovers", "lf_disposals", "lf_handovers", "print_job_events")

# Where the acting person used to be named before migration 0011 (kept for the schema tests).
RETIRED_ACTOR_COLUMNS = ("staff_id", "added_by", "authorised_by", "approved_by", "approved_by_id",
                         "opened_by", "opened_by_id", "closed_by", "closed_by_id", "handed_by", "handed_by_id",
                         "received_by_id", "user_id")
# The one name for a reference to a row of any table.
REFERENCE_COLUMNS = ("record_table", "record_id")


def trigger_name(table: str, event: str) -> str:
    """The one naming style of append-only triggers: visits_no_update, visits_no_delete."""
    return f"{table}_no_{event}"


def append_only_triggers() -> list[tuple[str, str]]:
    """(table, trigger name) for every trigger the record tables must have."""
    return [(t.name, trigger_name(t.name, event)) for t in RECORD_TABLES for event in APPEND_ONLY_EVENTS]


def record_names(upto: int | None = None) -> tuple[str, ...]:
    """Names of the record tables, in declaration order (only those that migration `upto` had made)."""
    return tuple(t.name for t in RECORD_TABLES if upto is None or t.since <= upto)


def is_state_table(name: str) -> bool:
    """True for a declared state table or one of the full-text index's shadow tables."""
    return name in STATE_TABLES or name.startswith("visits_fts_")
