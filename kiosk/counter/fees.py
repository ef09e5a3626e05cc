"""The fee counter: fee types kept by managers, collections with their own receipt series, voids."""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from kiosk.core import audit
from kiosk.printing import queue as printqueue
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.counter.sales import CounterError, Payment, check_catalogue_text, counter_text, payment_change
from kiosk.counter.shift_state import require_open
from kiosk.core.db import write
from kiosk.printing.documents import receipt_number


@dataclass(frozen=True)
class FeeType:
    id: int
    code: str
    name_zh: str
    name_en: str
    default_fen: int
    amount_editable: bool
    member_required: bool
    active: bool = True

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh_CN" else self.name_en


FEE_EDITABLE = ("name_zh", "name_en", "default_fen", "amount_editable", "member_required", "active")
MAX_FEE_FEN = 100_000_000  # ¥1,000,000: anything larger is a typing slip


def fee_types(db: sqlite_utils.Database, *, active_only: bool = True) -> list[FeeType]:
    """Fee types by code; retired ones (active = 0) only when asked, for the managers' list."""
    return [FeeType(r["id"], r["code"], r["name_zh"], r["name_en"], r["default_fen"], bool(r["amount_editable"]),
                    bool(r["member_required"]), bool(r["active"]))
            for r in db.query("SELECT * FROM fee_types" + (" WHERE active = 1" if active_only else "") + " ORDER BY code")]


def _check_fee_fields(values: dict) -> None:
    for key in ("name_zh", "name_en"):
        if key in values and not str(values[key]).strip():
            raise CounterError("code and both names are required", field="code")
    check_catalogue_text(values, {"code": "fee code", "name_zh": "fee name", "name_en": "fee name"})
    if "default_fen" in values and (not isinstance(values["default_fen"], int) or
                                    not 0 <= values["default_fen"] <= MAX_FEE_FEN):
        raise CounterError("the default amount must be between ¥0 and ¥1,000,000", field="default_amount")


def add_fee_type(db: sqlite_utils.Database, clock: Clock, actor: Actor, *, code: str, name_zh: str, name_en: str,
                 default_fen: int, amount_editable: bool = True, member_required: bool = False) -> int:
    """A new fee type (manager only, audited); the code is its permanent key."""
    if not actor.is_manager:
        raise CounterError("only a manager can change fee types")
    if not code.strip() or not name_zh.strip() or not name_en.strip():
        raise CounterError("code and both names are required", field="code")
    _check_fee_fields({"code": code, "name_zh": name_zh, "name_en": name_en, "default_fen": default_fen})
    with write(db):
        if db.execute("SELECT 1 FROM fee_types WHERE code = ?", (code.strip(),)).fetchone():
            raise CounterError("fee code {code} is already used", field="code", code=code.strip())
        fee_id = db.execute("INSERT INTO fee_types (code, name_zh, name_en, default_fen, amount_editable,"
                            " member_required) VALUES (?, ?, ?, ?, ?, ?)",
                            (code.strip(), name_zh.strip(), name_en.strip(), default_fen, int(amount_editable),
                             int(member_required))).lastrowid
        audit.record(db, clock, actor, "fee_type.add", "fee_types", fee_id, None, {"code": code, "default_fen": default_fen})
    return fee_id


def update_fee_type(db: sqlite_utils.Database, clock: Clock, actor: Actor, fee_id: int, **changes) -> FeeType:
    """A manager changes a fee type (audited with before and after). Past collections keep their amounts;
    a fee type is retired (active = False), never deleted."""
    if not actor.is_manager:
        raise CounterError("only a manager can change fee types")
    unknown = set(changes) - set(FEE_EDITABLE)
    if unknown:
        raise CounterError("cannot change {fields}", fields=", ".join(sorted(unknown)))
    _check_fee_fields(changes)
    changes = {k: (int(bool(v)) if k in ("amount_editable", "member_required", "active") else
                   v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    with write(db):
        if audit.update_changed(db, clock, actor, "fee_type.change", "fee_types", fee_id, changes) is None:
            raise CounterError("choose a fee type", field="fee_type")
    return next(f for f in fee_types(db, active_only=False) if f.id == fee_id)


def collect(db: sqlite_utils.Database, clock: Clock, actor: Actor, terminal_id: str, *, fee_type_id: int, payer: str,
            payment: Payment, amount_fen: int | None = None, member_no: str = "", period: str = "",
            lang: str = "zh_CN") -> tuple[int, str, int]:
    """Collect a fee; returns (collection id, receipt number, change). One receipt per payment.

    Refuses ("open the counter first") when no shift is open on this terminal, like a sale.
    """
    require_open(db, terminal_id)
    fee = next((f for f in fee_types(db) if f.id == fee_type_id), None)
    if fee is None:
        raise CounterError("choose a fee type", field="fee_type")
    payer = (payer or "").strip()
    if not payer:
        raise CounterError("payer is required", field="payer")
    payer = counter_text(payer, "payer")
    member_no = counter_text(member_no, "member number")
    period = counter_text(period, "period")
    if fee.member_required and not member_no:
        raise CounterError("this fee needs a member or account number", field="member_number")
    amount = fee.default_fen if amount_fen is None else amount_fen
    if not fee.amount_editable and amount != fee.default_fen:
        raise CounterError("this fee has a fixed amount", field="amount")
    if not isinstance(amount, int) or amount <= 0:
        raise CounterError("amount must be more than zero", field="amount")
    change = payment_change(payment, amount)
    from kiosk.counter.receipts import fee_receipt
    with write(db):
        require_open(db, terminal_id)  # again under the lock: the shift may have closed meanwhile
        number = receipt_number(db, terminal_id, "fee")
        collection_id = db.execute(
            "INSERT INTO fee_collections (at, receipt_no, fee_type_id, payer, member_no, amount_fen, period, method,"
            " tendered_fen, change_fen, reference, actor_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (utc_iso(clock.now()), number, fee.id, payer, member_no, amount, (period or "").strip(), payment.method,
             payment.tendered_fen, change, payment.reference.strip(), actor.id, actor.name)).lastrowid
        audit.record(db, clock, actor, "fee.collect", "fee_collections", collection_id, None,
                     {"receipt_no": number, "amount_fen": amount, "method": payment.method})
        printqueue.enqueue(db, clock, actor, fee_receipt(db, collection_id, lang), record_table="fee_collections",
                           record_id=collection_id, kick_drawer=payment.method == "cash")
    return collection_id, number, change or 0


def void(db: sqlite_utils.Database, clock: Clock, actor: Actor, approver: Actor, terminal_id: str,
         collection_id: int, reason: str, lang: str = "zh_CN") -> int:
    """Void a fee collection with a manager's approval and a reason (a new record); a slip prints."""
    from kiosk.counter.receipts import fee_void_slip
    if not approver.is_manager:
        raise CounterError("a manager must approve")
    if not (reason or "").strip():
        raise CounterError("a reason is required", field="reason")
    reason = counter_text(reason, "reason")
    with write(db):
        require_open(db, terminal_id)  # a voided fee's money leaves the drawer: it belongs in a shift
        if db.execute("SELECT 1 FROM fee_collections WHERE id = ?", (collection_id,)).fetchone() is None:
            raise CounterError("no such fee collection")
        if db.execute("SELECT 1 FROM fee_voids WHERE collection_id = ?", (collection_id,)).fetchone():
            raise CounterError("this fee was already voided")
        number = receipt_number(db, terminal_id, "feevoid")
        void_id = db.execute("INSERT INTO fee_voids (collection_id, at, reason, approver_id, approver, actor_id, actor,"
                             " receipt_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (collection_id, utc_iso(clock.now()), reason.strip(), approver.id, approver.name,
                              actor.id, actor.name, number)).lastrowid
        audit.record(db, clock, actor, "fee.void", "fee_collections", collection_id, None,
                     {"approved_by": approver.name, "reason": reason.strip()})
        method = db.execute("SELECT method FROM fee_collections WHERE id = ?", (collection_id,)).fetchone()[0]
        printqueue.enqueue(db, clock, actor, fee_void_slip(db, void_id, lang), record_table="fee_voids",
                           record_id=void_id, kick_drawer=method == "cash")
    return void_id


def recent(db: sqlite_utils.Database, since_iso: str, limit: int = 100) -> list[dict]:
    """Fee collections since a moment, newest first, with their fee names and whether voided.

    Ordered along the `at` index, so a window with nothing in it reads nothing: ordering by id made
    SQLite walk every collection ever taken back to the first one (issue 18)."""
    return list(db.query(
        "SELECT c.id, c.at, c.receipt_no, c.payer, c.amount_fen, c.method, t.name_zh, t.name_en,"
        " EXISTS (SELECT 1 FROM fee_voids v WHERE v.collection_id = c.id) AS voided FROM fee_collections c"
        " JOIN fee_types t ON t.id = c.fee_type_id WHERE c.at >= ? ORDER BY c.at DESC, c.id DESC LIMIT ?",
        (since_iso, limit)))


def seed_demo(db: sqlite_utils.Database, clock: Clock) -> list[str]:
    """Demo mode: the fee types a golf club's desk collects."""
    if db.execute("SELECT COUNT(*) FROM fee_types").fetchone()[0]:
        return []
    manager = Actor("system", None, "manager")
    for code, zh, en, fen, editable, member in [
        ("GREEN18", "果岭费（18 洞）", "Green fee (18 holes)", 68000, False, False),
        ("GREEN9", "果岭费（9 洞）", "Green fee (9 holes)", 38000, False, False),
        ("MEMBER", "会员年费", "Membership (annual)", 1200000, True, True),
        ("LOCKER", "更衣柜月租", "Locker (monthly)", 15000, True, True),
    ]:
        add_fee_type(db, clock, manager, code=code, name_zh=zh, name_en=en, default_fen=fen, amount_editable=editable,
                     member_required=member)
    return ["fee types"]
