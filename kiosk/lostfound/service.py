"""The lost-and-found register: items handed in, lost reports, claims, handovers and disposals.

Status is never edited: held → claimed, or held → handed_over → disposed, each a new lf_events row
with who and when, so the chain of custody can be read back. Forbidden transitions raise
LostFoundError and change nothing.
"""
from __future__ import annotations

import re

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.core import audit
from kiosk.core.privacy import normalise_phone
from kiosk.core.text import clean_text
from kiosk.printing import queue as printqueue
from kiosk.core import settings
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, parse_iso, utc_iso
from kiosk.core.db import write
from kiosk.core.errors import Refusal
from kiosk.core.privacy import mask_id_number
from kiosk.core.series import next_number

CATEGORIES = ("bag", "wallet", "phone", "keys", "clothing", "umbrella", "documents", "jewellery",
              "electronics", "sports", "other")
CATEGORY_LABELS = {"bag": "Bag", "wallet": "Wallet / purse", "phone": "Mobile phone", "keys": "Keys",
                   "clothing": "Clothing", "umbrella": "Umbrella", "documents": "Documents / cards",
                   "jewellery": "Jewellery / watch", "electronics": "Electronics", "sports": "Sports gear",
                   "other": "Other"}  # msgids
ID_TYPES = ("id_card", "passport", "driving_licence", "other")
DISPOSAL_METHODS = ("returned_to_finder", "donated", "destroyed")
HIGH_VALUE_FEN = 100_000  # ¥1,000 and above is kept in the safe and flagged
MAX_TEXT = 200


class LostFoundError(Refusal, ValueError):
    """A refused change (a Refusal); `field` names the service argument it is about; nothing was written."""


@dataclass(frozen=True)
class Item:
    """A register entry with its current status (from its latest event)."""

    id: int
    ref: str
    category: str
    description: str
    features: str
    colour: str
    brand: str
    quantity: int
    value_fen: int
    high_value: bool
    found_at: str
    found_place: str
    handed_in_kind: str
    handed_in_name: str
    handed_in_contact: str
    received_by: str
    storage: str
    created_at: str
    status: str


def _text(value: str, label: str, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    """A register field by the shared rules (kiosk.core.text); `label` names it in the message (a msgid
    prefix), `field` is its argument."""
    return clean_text(value, label, required=required, limit=limit,
                      refuse=lambda message, _label: LostFoundError(message, field=field))


AMENDABLE = ("description", "features", "storage")
# The newest amendment of a field is what the register shows (the entry itself is never changed).
_AMENDED = ", ".join(
    f"COALESCE((SELECT a.after FROM lf_amendments a WHERE a.item_id = i.id AND a.field = '{f}'"
    f" ORDER BY a.id DESC LIMIT 1), i.{f}) AS {f}" for f in AMENDABLE)
_ITEM_COLUMNS = ", ".join(f"i.{c}" for c in (
    "id", "ref", "category", "colour", "brand", "quantity", "value_fen", "high_value", "found_at", "found_place",
    "handed_in_kind", "handed_in_name", "handed_in_contact", "actor_id", "actor", "created_at", "uid", "site_id",
    "terminal_id"))  # every column but the amendable ones, which come amended (no duplicate names)
_ITEM_SQL = f"""SELECT {_ITEM_COLUMNS}, {_AMENDED}, i.actor AS received_by,
               (SELECT status FROM lf_events e WHERE e.item_id = i.id ORDER BY e.id DESC LIMIT 1)
               AS status FROM lf_items i"""


def _item(row: dict) -> Item:
    fields = {k: row[k] for k in Item.__dataclass_fields__ if k in row}
    fields["high_value"] = bool(row["high_value"])
    return Item(**fields)


def get(db: sqlite_utils.Database, item_id: int) -> Item:
    rows = list(db.query(_ITEM_SQL + " WHERE i.id = ?", (item_id,)))
    if not rows:
        raise LostFoundError("no such item")
    return _item(rows[0])


def by_ref(db: sqlite_utils.Database, ref: str) -> Item:
    rows = list(db.query(_ITEM_SQL + " WHERE i.ref = ?", (ref.strip().upper(),)))
    if not rows:
        raise LostFoundError("no item {ref}", field="ref", ref=ref)
    return _item(rows[0])


def register_item(db: sqlite_utils.Database, clock: Clock, actor: Actor, tz: str, *, category: str,
                  description: str, found_place: str, handed_in_kind: str, handed_in_name: str, storage: str,
                  quantity: int = 1, features: str = "", colour: str = "", brand: str = "", value_fen: int = 0,
                  high_value: bool = False, handed_in_contact: str = "", found_at: datetime | None = None) -> Item:
    """Enter a found item; it gets the next LF-YYYY-NNNN reference and status 'held'."""
    if category not in CATEGORIES:
        raise LostFoundError("choose a category", field="category")
    if handed_in_kind not in ("customer", "staff"):
        raise LostFoundError("handed in by a customer or a member of staff?", field="handed_in_kind")
    if not isinstance(quantity, int) or not 1 <= quantity <= 999:
        raise LostFoundError("quantity must be 1 to 999", field="quantity")
    if not isinstance(value_fen, int) or value_fen < 0:
        raise LostFoundError("value must be an amount of money", field="value_fen")
    values = {
        "description": _text(description, "description", "description", required=True),
        "features": _text(features, "features", "features"), "colour": _text(colour, "colour", "colour", limit=30),
        "brand": _text(brand, "brand", "brand", limit=40), "found_place": _text(found_place, "where found", "found_place", required=True),
        "handed_in_name": _text(handed_in_name, "handed in by", "handed_in_name", required=True, limit=60),
        "handed_in_contact": _text(handed_in_contact, "contact", "handed_in_contact", limit=40),
        "storage": _text(storage, "storage place", "storage", required=True, limit=60),
    }
    now = clock.now()
    found = found_at or now
    if found > now + timedelta(minutes=5):
        raise LostFoundError("found time is in the future", field="found_at")
    year = now.astimezone(ZoneInfo(tz)).year
    with write(db):
        ref = f"LF-{year}-{next_number(db, f'lostfound:{year}'):04d}"
        item_id = db.execute(
            "INSERT INTO lf_items (ref, category, description, features, colour, brand, quantity, value_fen, high_value,"
            " found_at, found_place, handed_in_kind, handed_in_name, handed_in_contact, actor_id, actor,"
            " storage, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ref, category, values["description"], values["features"], values["colour"], values["brand"], quantity,
             value_fen, int(high_value or value_fen >= HIGH_VALUE_FEN), utc_iso(found), values["found_place"],
             handed_in_kind, values["handed_in_name"], values["handed_in_contact"], actor.id, actor.name,
             values["storage"], utc_iso(now))).lastrowid
        _event(db, clock, actor, item_id, "held", f"stored at {values['storage']}")
        audit.record(db, clock, actor, "lostfound.register", "lf_items", item_id, None, {"ref": ref, **values})
    return get(db, item_id)


def _event(db, clock: Clock, actor: Actor, item_id: int, status: str, detail: str = "") -> None:
    db.execute("INSERT INTO lf_events (item_id, at, status, actor_id, actor, detail) VALUES (?, ?, ?, ?, ?, ?)",
               (item_id, utc_iso(clock.now()), status, actor.id, actor.name, detail))


# Why a step is refused, by (the item's status, the step): one msgid each, so each translates whole.
TRANSITION_REFUSALS = {
    ("claimed", "claim"): "{ref} is claimed: it cannot be claimed",
    ("handed_over", "claim"): "{ref} is handed over: it cannot be claimed",
    ("disposed", "claim"): "{ref} is disposed: it cannot be claimed",
    ("claimed", "hand_over"): "{ref} is claimed: it cannot be handed over",
    ("handed_over", "hand_over"): "{ref} is handed over: it cannot be handed over",
    ("disposed", "hand_over"): "{ref} is disposed: it cannot be handed over",
    ("held", "dispose"): "{ref} is held: it cannot be disposed of",
    ("claimed", "dispose"): "{ref} is claimed: it cannot be disposed of",
    ("disposed", "dispose"): "{ref} is disposed: it cannot be disposed of",
}


def _require(item: Item, wanted: str, step: str) -> None:
    """Refuse the step (claim, hand_over, dispose) unless the item's status is `wanted`."""
    if item.status != wanted:
        raise LostFoundError(TRANSITION_REFUSALS[(item.status, step)], ref=item.ref)


# Items by where they stand now, through lf_item_status (kept by a trigger, migration 0018): a list
# costs what it shows, not a walk over every item the desk ever registered.
_BY_STATUS_SQL = f"""SELECT {_ITEM_COLUMNS}, {_AMENDED}, i.actor AS received_by, s.status AS status
               FROM lf_item_status s CROSS JOIN lf_items i ON i.id = s.item_id"""
LIST_LIMIT = 500   # the most a status list loads at once (the screen pages through a RecycleView)


def held_items(db: sqlite_utils.Database) -> list[Item]:
    """Items in the desk's keeping, oldest first."""
    return [_item(r) for r in db.query(_BY_STATUS_SQL + " WHERE s.status = 'held' ORDER BY s.item_id")]


def items_with_status(db: sqlite_utils.Database, status: str, limit: int | None = None, offset: int = 0) -> list[Item]:
    """Items that stand at `status` now: held ones oldest first (the first to hand over), finished ones
    (claimed, handed over, disposed) newest first; `limit`/`offset` page through a long register."""
    order = "ASC" if status == "held" else "DESC"
    sql = _BY_STATUS_SQL + f" WHERE s.status = ? ORDER BY s.item_id {order}"
    params: tuple = (status,)
    if limit is not None:
        sql, params = sql + " LIMIT ? OFFSET ?", params + (max(0, int(limit)), max(0, int(offset)))
    return [_item(r) for r in db.query(sql, params)]


def status_count(db: sqlite_utils.Database, status: str) -> int:
    """How many items stand at `status` now (one count over the status index)."""
    return db.execute("SELECT COUNT(*) FROM lf_item_status WHERE status = ?", (status,)).fetchone()[0]


def due_for_handover(db: sqlite_utils.Database, clock: Clock, days: int | None = None) -> list[Item]:
    """Held items older than the handover period (default 15 days, a site setting)."""
    days = settings.get(db, "lostfound_handover_days") if days is None else days
    cutoff = utc_iso(clock.now() - timedelta(days=days))
    return [_item(r) for r in db.query(_BY_STATUS_SQL + " WHERE s.status = 'held' AND i.created_at <= ?"
                                       " ORDER BY s.item_id", (cutoff,))]


def held_created_before(db: sqlite_utils.Database, before_iso: str, limit: int | None = None) -> list[Item]:
    """Held items registered before a moment, oldest first (the duty list's handovers coming due); only the
    oldest `limit` when given (a list of 200 duties needs no more than 200 handovers, not the 1,936 a desk
    three years old still holds)."""
    # Oldest registration first, then id: the handover is due in that order, so the first `limit` are exact.
    sql = _BY_STATUS_SQL + " WHERE s.status = 'held' AND i.created_at < ? ORDER BY i.created_at, s.item_id"
    params: list = [before_iso]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(max(0, int(limit)))
    return [_item(r) for r in db.query(sql, params)]


def due_count(db: sqlite_utils.Database, clock: Clock, days: int | None = None) -> int:
    """How many held items are due for handover (the figure on the section's button)."""
    days = settings.get(db, "lostfound_handover_days") if days is None else days
    cutoff = utc_iso(clock.now() - timedelta(days=days))
    return db.execute("SELECT COUNT(*) FROM lf_item_status s CROSS JOIN lf_items i ON i.id = s.item_id"
                      " WHERE s.status = 'held' AND i.created_at <= ?", (cutoff,)).fetchone()[0]


def is_due(item: Item, clock: Clock, days: int) -> bool:
    return item.status == "held" and parse_iso(item.created_at) <= clock.now() - timedelta(days=days)


def search(db: sqlite_utils.Database, text: str, status: str | None = "held") -> list[Item]:
    """Staff search over every descriptive field (visitors never browse the register)."""
    literal = (text or "").strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{literal}%"  # literal text: % and _ are characters here, not wildcards
    # Within one status the search walks that status's rows only (held items: what the desk keeps now).
    source = f"{_BY_STATUS_SQL} WHERE s.status = ?" if status else _ITEM_SQL
    sql = (f"SELECT * FROM ({source}) WHERE (" + " OR ".join(
        f"{column} LIKE ? ESCAPE '\\'" for column in ("ref", "description", "features", "colour", "brand",
                                                       "found_place", "handed_in_name", "storage", "category")) + ")")
    params: list = ([status] if status else []) + [like] * 9
    found = [_item(r) for r in db.query(sql + " ORDER BY id DESC LIMIT 200", params)]
    return _with_pinyin(db, found, text, source, [status] if status else [])


PINYIN_SCAN = 5_000  # newest entries read for a pinyin search (a desk's register is far smaller)


def _with_pinyin(db: sqlite_utils.Database, found: list[Item], text: str, source: str, params: list) -> list[Item]:
    """A name typed in pinyin or initials ("Wang Fang", "wf") finds the entry it is on: who handed it in,
    who claimed it, or a name in its description or features ("护照，姓名王芳"); newest first."""
    from kiosk.input.namekeys import fold_query, matches, text_mentions
    if not fold_query(text) or len(found) >= 200:
        return found
    seen = {item.id for item in found}
    rows = list(db.query(f"SELECT * FROM ({source}) ORDER BY id DESC LIMIT {PINYIN_SCAN}", params))
    claimants: dict[int, list[str]] = {}
    for item_id, name in db.execute("SELECT item_id, claimant_name FROM lf_claims ORDER BY id DESC LIMIT ?",
                                    (PINYIN_SCAN,)):
        claimants.setdefault(item_id, []).append(name)
    for row in rows:
        if row["id"] in seen:
            continue
        names = [row["handed_in_name"], *claimants.get(row["id"], [])]
        if any(matches(name, text) for name in names) or text_mentions(
                f"{row['description']} {row['features']}", text):
            found.append(_item(row))
            seen.add(row["id"])
            if len(found) >= 200:
                break
    return sorted(found, key=lambda item: item.id, reverse=True)


MIN_INK_PIXELS = 20  # a signature is a stroke, not a tap or two


def _png_ok(png: bytes) -> bool:
    """A real picture with ink on it (an empty pad is not a signature)."""
    try:
        from PIL import Image
        with Image.open(io.BytesIO(png)) as image:
            if image.format != "PNG" or image.width * image.height > 4096 * 4096:
                return False
            # Transparency is paper, not ink: flattened onto white first (a fully transparent pad reads
            # as black when its alpha is simply dropped). Ink: enough dark pixels for a stroke, not a dot.
            rgba = image.convert("RGBA")
            paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            grey = Image.alpha_composite(paper, rgba).convert("L")
            dark = sum(grey.point(lambda v: 255 if v < 128 else 0).histogram()[255:])
            return dark >= MIN_INK_PIXELS
    except Exception:
        return False


def claim(db: sqlite_utils.Database, clock: Clock, actor: Actor, terminal_id: str, item_id: int, *,
          claimant_name: str, contact: str, id_type: str, id_number: str, described_features: str,
          described_quantity: int, identity_checked: bool, signature_png: bytes, lang: str = "zh_CN") -> int:
    """The owner takes the item back: their description next to the register's, identity checked,
    signature captured. Prints a claim receipt. Returns the claim id."""
    item = get(db, item_id)
    _require(item, "held", "claim")
    if id_type not in ID_TYPES:
        raise LostFoundError("choose an identity document type", field="id_type")
    number = _check_document(id_type, _text(id_number, "document number", "id_number", required=True, limit=40),
                             clock)
    if not identity_checked:
        raise LostFoundError("check the claimant's identity document first", field="identity_checked")
    if not isinstance(described_quantity, int) or described_quantity < 1:
        raise LostFoundError("quantity must be 1 or more", field="described_quantity")
    if not _png_ok(signature_png):
        raise LostFoundError("the claimant must sign", field="signature_png")
    name = _text(claimant_name, "claimant's name", "claimant_name", required=True, limit=60)
    contact = _text(contact, "contact", "contact", required=True, limit=40)
    if not re.fullmatch(r"\+?\d{7,15}", normalise_phone(contact)):  # the slip says how to reach the owner
        raise LostFoundError("the contact must be a phone number", field="contact")
    features = _text(described_features, "features described", "described_features", required=True)
    stored_number = number if settings.get(db, "store_full_id_numbers") else mask_id_number(number)
    from kiosk.lostfound.receipts import claim_receipt
    with write(db):
        current = get(db, item_id)  # under the write lock: nobody claimed it meanwhile
        _require(current, "held", "claim")
        from kiosk.printing.documents import receipt_number
        number_on_receipt = receipt_number(db, terminal_id, "lfclaim")
        claim_id = db.execute(
            "INSERT INTO lf_claims (item_id, at, claimant_name, contact, id_type, id_number, described_features,"
            " described_quantity, register_features, register_quantity, identity_checked, signature_png,"
            " signature_sha256, actor_id, actor, receipt_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
            (item_id, utc_iso(clock.now()), name, contact, id_type, stored_number, features, described_quantity,
             " / ".join(filter(None, (item.features, item.colour, item.brand))), item.quantity, signature_png,
             hashlib.sha256(signature_png).hexdigest(), actor.id, actor.name, number_on_receipt)).lastrowid
        _event(db, clock, actor, item_id, "claimed", f"claim {claim_id} by {name}")
        audit.record(db, clock, actor, "lostfound.claim", "lf_items", item_id, {"status": "held"},
                     {"status": "claimed", "claim_id": claim_id, "claimant": name, "id_number": stored_number})
        receipt = claim_receipt(db, claim_id, lang, number_on_receipt)
        printqueue.enqueue(db, clock, actor, receipt, record_table="lf_claims", record_id=claim_id)
    return claim_id


def _check_document(id_type: str, number: str, clock: Clock) -> str:
    """The number as the document has it: a resident ID (and a mainland driving licence, which carries the
    holder's ID number) by GB 11643, a passport by its format, like at visitor sign-in; "other" at least
    four characters. A claim slip says the identity was checked, so "123" is not a document number."""
    from kiosk.core.privacy import check_id_document
    kind = {"id_card": "id_card", "driving_licence": "id_card", "passport": "passport"}.get(id_type)
    if kind is None:
        if len(number.strip()) < 4:
            raise LostFoundError("a document number has at least 4 characters", field="id_number")
        return number
    return check_id_document(kind, number, today=clock.now().date())  # an IdDocumentError names "id_number"


def hand_over(db: sqlite_utils.Database, clock: Clock, actor: Actor, terminal_id: str, item_ids: list[int], *,
              received_by: str, note: str = "", lang: str = "zh_CN") -> int:
    """Unclaimed items go to the admin department; prints a handover list for signing."""
    received = _text(received_by, "received by", "received_by", required=True, limit=60)
    if not item_ids:
        raise LostFoundError("choose the items to hand over", field="item_ids")
    from kiosk.lostfound.receipts import handover_list
    from kiosk.printing.documents import receipt_number
    with write(db):
        items = [get(db, item_id) for item_id in item_ids]
        for item in items:
            _require(item, "held", "hand_over")
        number = receipt_number(db, terminal_id, "lfhandover")
        handover_id = db.execute(
            "INSERT INTO lf_handovers (at, actor_id, actor, received_by, note, receipt_no) VALUES (?, ?, ?, ?, ?, ?)",
            (utc_iso(clock.now()), actor.id, actor.name, received, _text(note, "note", "note"), number)).lastrowid
        for item in items:
            db.execute("INSERT INTO lf_handover_items (handover_id, item_id) VALUES (?, ?)", (handover_id, item.id))
            _event(db, clock, actor, item.id, "handed_over", f"handover {handover_id} to {received}")
        audit.record(db, clock, actor, "lostfound.handover", "lf_handovers", handover_id, None,
                     {"items": [i.ref for i in items], "received_by": received})
        printqueue.enqueue(db, clock, actor, handover_list(db, handover_id, lang, number),
                           record_table="lf_handovers", record_id=handover_id)
    return handover_id


def dispose(db: sqlite_utils.Database, clock: Clock, actor: Actor, item_id: int, *, method: str,
            authorised_by: str, note: str = "") -> int:
    """After the handover: returned to the finder, donated or destroyed, with who authorised it."""
    if method not in DISPOSAL_METHODS:
        raise LostFoundError("choose how the item was disposed of", field="method")
    authorised = _text(authorised_by, "authorised by", "authorised_by", required=True, limit=60)
    with write(db):
        item = get(db, item_id)
        _require(item, "handed_over", "dispose")
        disposal_id = db.execute(
            "INSERT INTO lf_disposals (item_id, at, method, approver, actor_id, actor, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item_id, utc_iso(clock.now()), method, authorised, actor.id, actor.name, _text(note, "note", "note"))).lastrowid
        _event(db, clock, actor, item_id, "disposed", f"{method}, authorised by {authorised}")
        audit.record(db, clock, actor, "lostfound.dispose", "lf_items", item_id, {"status": "handed_over"},
                     {"status": "disposed", "method": method, "authorised_by": authorised})
    return disposal_id


# The stored event details are English record text ("stored at 前台柜 A1"); records never change, so
# a screen reads them through these patterns as a msgid and its values (lostfound.po), in its language.
_DETAIL_PATTERNS = (
    ("held", re.compile(r"stored at (?P<place>.*)", re.S), "stored at {place}"),
    ("claimed", re.compile(r"claim (?P<n>\d+) by (?P<name>.*)", re.S), "claimed by {name} (claim {n})"),
    ("handed_over", re.compile(r"handover (?P<n>\d+) to (?P<name>.*)", re.S), "handed over to {name} (list {n})"),
    ("disposed", re.compile(r"(?P<method>[^,]*), authorised by (?P<name>.*)", re.S), "{method}, authorised by {name}"),
)
DISPOSAL_LABELS = {"returned_to_finder": "Returned to finder", "donated": "Donated", "destroyed": "Destroyed"}  # msgids
# values of a detail that are msgids themselves (the screen translates them before formatting)
TRANSLATED_VALUES = ("field", "method")
AMEND_FIELD_LABELS = {"description": "description", "features": "features", "storage": "storage place"}  # msgids


def detail_message(event: dict) -> tuple[str, dict[str, str]]:
    """A custody event's detail as (msgid, values) for the screen's language; unknown text stays as it is
    (msgid "{text}")."""
    if event.get("status") == "amended":
        return ("{field}: {before} → {after} ({reason})",
                {"field": AMEND_FIELD_LABELS.get(event.get("field", ""), event.get("field", "")),
                 "before": event.get("before", ""), "after": event.get("after", ""), "reason": event.get("reason", "")})
    detail = event.get("detail") or ""
    for status, pattern, msgid in _DETAIL_PATTERNS:
        match = pattern.fullmatch(detail) if event.get("status") == status else None
        if match:
            values = match.groupdict()
            if "method" in values:  # the stored code as its msgid: a Chinese screen says 捐赠, not "donated"
                values["method"] = DISPOSAL_LABELS.get(values["method"], values["method"])
            return msgid, values
    return "{text}", {"text": detail}


def custody(db: sqlite_utils.Database, item_id: int) -> list[dict]:
    """The chain of custody: every status and every correction with who and when, oldest first. A
    correction reads as status 'amended' with detail "<field>: <before> → <after> (<reason>)"."""
    events = list(db.query("SELECT at, status, actor, detail, 0 AS kind, id FROM lf_events WHERE item_id = ?",
                           (item_id,)))
    events += [{"at": a["at"], "status": "amended", "actor": a["actor"], "field": a["field"], "before": a["before"],
                "after": a["after"], "reason": a["reason"], "kind": 1, "id": a["id"],
                "detail": f"{a['field']}: {a['before']} → {a['after']} ({a['reason']})"}
               for a in db.query("SELECT * FROM lf_amendments WHERE item_id = ?", (item_id,))]
    events.sort(key=lambda e: (e["at"], e["kind"], e["id"]))
    return [{k: v for k, v in e.items() if k not in ("kind", "id")} for e in events]


def amend_item(db: sqlite_utils.Database, clock: Clock, actor: Actor, item_id: int, *, field: str, value: str,
               reason: str) -> Item:
    """Correct a register entry's description, features or storage place: a new amendment row with the
    value before and after and why, audited; the entry as first written stays."""
    if field not in AMENDABLE:
        raise LostFoundError("only the description, features or storage place can be corrected", field="field")
    labels = {"description": "description", "features": "features", "storage": "storage place"}
    limit = 60 if field == "storage" else MAX_TEXT
    after = _text(value, labels[field], field, required=field != "features", limit=limit)
    why = _text(reason, "reason", "reason", required=True, limit=MAX_TEXT)
    with write(db):
        item = get(db, item_id)
        if item.status != "held":  # claimed, handed over or disposed: signed paper says what it was then
            raise LostFoundError("only an item the desk still holds can be corrected", field=field)
        before = getattr(item, field)
        if after == before:
            raise LostFoundError("that is what the register already says", field=field)
        amendment_id = db.execute(
            "INSERT INTO lf_amendments (item_id, at, field, before, after, reason, actor_id, actor)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (item_id, utc_iso(clock.now()), field, before, after, why, actor.id, actor.name)).lastrowid
        audit.record(db, clock, actor, "lostfound.amend", "lf_amendments", amendment_id, {field: before}, {field: after})
    return get(db, item_id)


def lost_report(db: sqlite_utils.Database, report_id: int) -> dict:
    """One lost report as stored (the matcher reads its words)."""
    return db["lf_reports"].get(report_id)


def report_lost(db: sqlite_utils.Database, clock: Clock, actor: Actor, *, category: str, description: str,
                owner_name: str, contact: str, lost_on: date, features: str = "", colour: str = "", brand: str = "",
                lost_place: str = "") -> int:
    """An owner reports something lost; matching suggests held items for it."""
    if category not in CATEGORIES:
        raise LostFoundError("choose a category", field="category")
    with write(db):
        report_id = db.execute(
            "INSERT INTO lf_reports (at, category, description, features, colour, brand, lost_on, lost_place,"
            " owner_name, contact, actor_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (utc_iso(clock.now()), category, _text(description, "description", "description", required=True),
             _text(features, "features", "features"), _text(colour, "colour", "colour", limit=30),
             _text(brand, "brand", "brand", limit=40), lost_on.isoformat(), _text(lost_place, "where lost", "lost_place"),
             _text(owner_name, "owner", "owner_name", required=True, limit=60),
             _text(contact, "contact", "contact", required=True, limit=40), actor.id, actor.name)).lastrowid
        audit.record(db, clock, actor, "lostfound.report", "lf_reports", report_id)
    return report_id


def seed_demo(db: sqlite_utils.Database, clock: Clock) -> list[str]:
    """Demo mode: a few items in the register, one already due for handover."""
    if db.execute("SELECT COUNT(*) FROM lf_items").fetchone()[0]:
        return []
    from kiosk.core.clock import FakeClock
    desk = Actor("Demo Staff 演示员工", None, "staff")
    three_weeks_ago = FakeClock(clock.now() - timedelta(days=20))  # handed in long ago: due for handover
    register_item(db, three_weeks_ago, desk, "Asia/Shanghai", category="umbrella", description="黑色长柄雨伞",
                  colour="黑色", found_place="大堂休息区", handed_in_kind="customer", handed_in_name="张先生",
                  storage="前台柜 A1")
    register_item(db, clock, desk, "Asia/Shanghai", category="wallet", description="Brown leather wallet",
                  features="initials K.L. inside, library card", colour="brown", brand="Fossil",
                  value_fen=30000, found_place="Car park level 2", handed_in_kind="staff", handed_in_name="Security",
                  storage="Safe S2")
    register_item(db, clock, desk, "Asia/Shanghai", category="phone", description="白色苹果手机",
                  features="透明手机壳，背面贴有猫咪贴纸", colour="白色", brand="Apple", value_fen=450000,
                  found_place="会议室 3", handed_in_kind="staff", handed_in_name="保洁 李阿姨", storage="保险柜 S1")
    return ["lost-and-found items"]
