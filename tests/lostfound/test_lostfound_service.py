"""The lost-and-found register: every transition, the forbidden ones, references, the 15-day rule."""
from __future__ import annotations

import io
import sqlite3

import pytest
from PIL import Image, ImageDraw

from kiosk.core import audit
from kiosk.lostfound import service as lostfound
from kiosk.printing import queue as printqueue
from kiosk.core.audit import Actor
from kiosk.lostfound.service import LostFoundError

DESK = Actor("Li Na", None, "staff")
TZ = "Asia/Shanghai"


def signature() -> bytes:
    image = Image.new("L", (300, 100), 255)
    ImageDraw.Draw(image).line([(10, 80), (80, 20), (150, 70), (290, 30)], fill=0, width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def blank() -> bytes:
    out = io.BytesIO()
    Image.new("L", (300, 100), 255).save(out, "PNG")
    return out.getvalue()


def umbrella(db, clock, **extra):
    args = dict(category="umbrella", description="Black umbrella", colour="black", found_place="Lobby",
                handed_in_kind="customer", handed_in_name="Mr Zhang", storage="Shelf A1")
    return lostfound.register_item(db, clock, DESK, TZ, **(args | extra))


def claim(db, clock, item, **extra):
    args = dict(claimant_name="Wang Fang", contact="13800138000", id_type="id_card",
                id_number="110101199003091234", described_features="black, wooden handle", described_quantity=1,
                identity_checked=True, signature_png=signature(), lang="en")
    return lostfound.claim(db, clock, DESK, "T01", item.id, **(args | extra))


def test_references_are_a_gapless_series_per_year(db, clock):
    assert umbrella(db, clock).ref == "LF-2026-0001"
    assert umbrella(db, clock).ref == "LF-2026-0002"
    clock.advance(60 * 24 * 3600)  # into 2027 (Shanghai time)
    assert umbrella(db, clock).ref == "LF-2027-0001"


def test_intake_flags_high_value_and_validates(db, clock):
    phone = umbrella(db, clock, category="phone", description="iPhone", value_fen=450000)
    assert phone.high_value and phone.status == "held" and phone.received_by == "Li Na"
    for bad, message in [({"description": " "}, "description is required"), ({"category": "cat"}, "choose a category"),
                         ({"quantity": 0}, "quantity must be 1 to 999"), ({"storage": ""}, "storage place is required"),
                         ({"description": "x" * 201}, "too long"), ({"handed_in_kind": "dog"}, "customer or")]:
        with pytest.raises(LostFoundError, match=message):
            umbrella(db, clock, **bad)
    assert db.execute("SELECT COUNT(*) FROM lf_items").fetchone()[0] == 1


def test_claim_records_both_descriptions_masked_id_signature_and_prints(db, clock):
    item = umbrella(db, clock, features="wooden handle")
    claim_id = claim(db, clock, item)
    row = next(db.query("SELECT * FROM lf_claims WHERE id = ?", (claim_id,)))
    assert row["id_number"] == "110101********1234"
    assert (row["described_features"], row["register_features"]) == ("black, wooden handle", "wooden handle / black")
    assert row["signature_png"].startswith(b"\x89PNG") and len(row["signature_sha256"]) == 64
    assert lostfound.get(db, item.id).status == "claimed"
    assert lostfound.held_items(db) == []
    [job] = printqueue.for_record(db, "lf_claims", claim_id)
    assert job.receipt.kind == "lfclaim" and job.receipt.number == "T01-C-000001"
    assert [e["status"] for e in lostfound.custody(db, item.id)] == ["held", "claimed"]


@pytest.mark.parametrize("fields,message", [
    ({"identity_checked": False}, "check the claimant's identity"),
    ({"signature_png": b""}, "must sign"),
    ({"id_type": "library card"}, "identity document type"),
    ({"claimant_name": ""}, "claimant's name is required"),
])
def test_claim_refused_without_checks_changes_nothing(db, clock, fields, message):
    item = umbrella(db, clock)
    with pytest.raises(LostFoundError, match=message):
        claim(db, clock, item, **fields)
    assert lostfound.get(db, item.id).status == "held"
    assert db.execute("SELECT COUNT(*) FROM lf_claims").fetchone()[0] == 0


def test_blank_signature_is_not_a_signature(db, clock):
    with pytest.raises(LostFoundError, match="must sign"):
        claim(db, clock, umbrella(db, clock), signature_png=blank())


def test_unclaimed_after_15_days_due_handover_then_disposal(db, clock):
    old = umbrella(db, clock)
    clock.advance(10 * 24 * 3600)
    recent = umbrella(db, clock)
    assert lostfound.due_for_handover(db, clock) == []
    clock.advance(5 * 24 * 3600 + 60)
    assert [i.ref for i in lostfound.due_for_handover(db, clock)] == [old.ref]
    handover = lostfound.hand_over(db, clock, DESK, "T01", [old.id], received_by="Admin: Ms Zhou", lang="zh_CN")
    assert lostfound.get(db, old.id).status == "handed_over" and lostfound.get(db, recent.id).status == "held"
    [job] = printqueue.for_record(db, "lf_handovers", handover)
    assert job.receipt.kind == "lfhandover" and any(old.ref in getattr(b, "left", "") for b in job.receipt.blocks)
    from kiosk.printing.documents import layout
    for columns in (32, 48):
        lines = [line for line, _ in layout(job.receipt, columns)]
        paper = "\n".join(lines)
        found_on = old.found_at[:10]
        assert f"拾获 {found_on}" in paper.replace("\n", "") and "已保管 15 天" in paper.replace("\n", "")
        assert lines.count("_" * columns) == 2, "two full-width signature lines"
    lostfound.dispose(db, clock, DESK, old.id, method="donated", authorised_by="Director Chen")
    chain = lostfound.custody(db, old.id)
    assert [e["status"] for e in chain] == ["held", "handed_over", "disposed"]
    assert "Director Chen" in chain[-1]["detail"]
    actions = [e["action"] for e in audit.entries(db, table="lf_items", record_id=old.id)]
    assert actions == ["lostfound.register", "lostfound.dispose"]


def test_forbidden_transitions_give_a_clear_message_and_change_nothing(db, clock):
    handed, claimed, held = umbrella(db, clock), umbrella(db, clock), umbrella(db, clock)
    lostfound.hand_over(db, clock, DESK, "T01", [handed.id], received_by="Admin")
    claim(db, clock, claimed)
    events = db.execute("SELECT COUNT(*) FROM lf_events").fetchone()[0]
    with pytest.raises(LostFoundError, match="is handed over: it cannot be claimed"):
        claim(db, clock, handed)
    with pytest.raises(LostFoundError, match="is claimed: it cannot be handed over"):
        lostfound.hand_over(db, clock, DESK, "T01", [held.id, claimed.id], received_by="Admin")
    with pytest.raises(LostFoundError, match="is held: it cannot be disposed of"):
        lostfound.dispose(db, clock, DESK, held.id, method="destroyed", authorised_by="X")
    with pytest.raises(LostFoundError, match="is claimed: it cannot be claimed"):
        claim(db, clock, claimed)
    assert db.execute("SELECT COUNT(*) FROM lf_events").fetchone()[0] == events
    assert lostfound.get(db, held.id).status == "held", "the refused handover took nothing"
    with pytest.raises(sqlite3.DatabaseError):
        db.execute("UPDATE lf_events SET status = 'held'")
    with pytest.raises(sqlite3.DatabaseError):
        db.execute("DELETE FROM lf_items")


def test_staff_search_any_field(db, clock):
    umbrella(db, clock, brand="Paraciel", storage="Cupboard B")
    umbrella(db, clock, category="keys", description="钥匙串 带红色挂件", colour="红色")
    assert [i.category for i in lostfound.search(db, "paraciel")] == ["umbrella"]
    assert [i.category for i in lostfound.search(db, "红色")] == ["keys"]
    assert [i.category for i in lostfound.search(db, "cupboard")] == ["umbrella"]


def test_demo_seed_is_idempotent_and_has_an_overdue_item(db, clock):
    assert lostfound.seed_demo(db, clock) == ["lost-and-found items"]
    assert lostfound.seed_demo(db, clock) == []
    assert len(lostfound.due_for_handover(db, clock)) == 1


def test_a_correction_is_a_new_row_shown_in_the_register_and_the_chain_of_custody(db, clock):
    import sqlite3
    item = lostfound.register_item(db, clock, DESK, "Asia/Shanghai", category="umbrella", description="蓝色折叠伞",
                                   found_place="大堂", handed_in_kind="staff", handed_in_name="张先生", storage="前台柜 A1")
    clock.advance(60)
    fixed = lostfound.amend_item(db, clock, DESK, item.id, field="description", value="蓝色长柄伞",
                                 reason="登记时写错：是长柄伞")
    clock.advance(60)
    lostfound.amend_item(db, clock, DESK, item.id, field="storage", value="保险柜 S2", reason="移到保险柜")
    again = lostfound.get(db, item.id)
    assert fixed.description == again.description == "蓝色长柄伞" and again.storage == "保险柜 S2"
    assert [i.id for i in lostfound.search(db, "长柄")] == [item.id], "search reads the corrected text"
    assert lostfound.search(db, "折叠") == []
    original = db.execute("SELECT description, storage FROM lf_items WHERE id = ?", (item.id,)).fetchone()
    assert original == ("蓝色折叠伞", "前台柜 A1"), "the entry as first written stays"
    chain = lostfound.custody(db, item.id)
    assert [e["status"] for e in chain] == ["held", "amended", "amended"]
    assert chain[1]["before"] == "蓝色折叠伞" and chain[1]["after"] == "蓝色长柄伞"
    assert chain[1]["reason"] == "登记时写错：是长柄伞" and chain[1]["actor"] == DESK.name
    assert "蓝色折叠伞 → 蓝色长柄伞" in chain[1]["detail"]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE lf_amendments SET after = 'x'")
    audits = list(db.query("SELECT * FROM audit WHERE action = 'lostfound.amend'"))
    assert len(audits) == 2


@pytest.mark.parametrize("field,value,reason,problem", [
    ("found_place", "x", "why", "field"), ("description", "", "why", "description"),
    ("description", "x" * 201, "why", "description"), ("description", "好\x00", "why", "description"),
    ("description", "新的", "", "reason"), ("description", "蓝色折叠伞", "same", "description"),
    ("storage", "y" * 61, "why", "storage"),
])
def test_bad_corrections_are_refused_and_nothing_is_written(db, clock, field, value, reason, problem):
    item = lostfound.register_item(db, clock, DESK, "Asia/Shanghai", category="umbrella", description="蓝色折叠伞",
                                   found_place="大堂", handed_in_kind="staff", handed_in_name="张先生", storage="A1")
    with pytest.raises(lostfound.LostFoundError) as refused:
        lostfound.amend_item(db, clock, DESK, item.id, field=field, value=value, reason=reason)
    assert refused.value.field == problem
    assert db.execute("SELECT COUNT(*) FROM lf_amendments").fetchone()[0] == 0


def test_corrections_reach_every_paper(db, clock):
    """The item tag reprinted after a move, the handover sheet the admin department signs: both print the
    register as corrected, never the typo the correction fixed."""
    from kiosk.lostfound import receipts
    from kiosk.printing.documents import layout
    item = lostfound.register_item(db, clock, DESK, "Asia/Shanghai", category="phone", description="黑色华为手几",
                                   found_place="大堂", handed_in_kind="staff", handed_in_name="张先生", storage="柜A")
    clock.advance(60)
    lostfound.amend_item(db, clock, DESK, item.id, field="description", value="黑色华为手机", reason="错字")
    lostfound.amend_item(db, clock, DESK, item.id, field="storage", value="保险柜 S2", reason="移到保险柜")
    tag = "".join(line for line, _ in layout(receipts.item_tag(db, item.id, "zh_CN"), 42))
    assert "黑色华为手机" in tag and "保险柜 S2" in tag and "手几" not in tag and "柜A" not in tag
    clock.advance(16 * 24 * 3600)
    lostfound.hand_over(db, clock, DESK, "T1", [item.id], received_by="行政部 李四", lang="zh_CN")
    handover_id = db.execute("SELECT MAX(id) FROM lf_handovers").fetchone()[0]
    sheet = "".join(line for line, _ in layout(receipts.handover_list(db, handover_id, "zh_CN", "T1-H-1"), 42))
    assert "黑色华为手机" in sheet and "保险柜 S2" in sheet and "手几" not in sheet


@pytest.mark.parametrize("changes, field", [
    ({"id_number": "123"}, "id_number"),                                  # the outside tester's "ID card 123"
    ({"id_number": "X" * 40}, "id_number"),
    ({"id_number": "110101199003071234"}, "id_number"),                   # check digit wrong
    ({"id_number": "110101203012311234"}, "id_number"),                   # born in the future
    ({"id_type": "driving_licence", "id_number": "12345"}, "id_number"),  # a licence carries the ID number
    ({"id_type": "passport", "id_number": "护照"}, "id_number"),
    ({"id_type": "other", "id_number": "ab"}, "id_number"),
    ({"contact": "x"}, "contact"), ({"contact": "138"}, "contact"), ({"contact": "王先生"}, "contact"),
    ({"contact": "1380013800\x00"}, "contact"),
])
def test_a_claim_checks_the_document_and_the_contact_like_visitor_sign_in(db, clock, changes, field):
    from kiosk.core.errors import Refusal
    item = umbrella(db, clock, value_fen=500000)
    with pytest.raises(Refusal) as refused:  # LostFoundError, or the IdDocumentError of visitor sign-in
        claim(db, clock, item, **changes)
    assert refused.value.field == field
    assert lostfound.get(db, item.id).status == "held"
    assert db.execute("SELECT COUNT(*) FROM lf_claims").fetchone()[0] == 0


def test_full_width_documents_and_formatted_phones_are_accepted(db, clock):
    item = umbrella(db, clock)
    claim(db, clock, item, id_number="１１０１０１１９９００３０９１２３４", contact="+86 138-0013-8000")
    assert lostfound.get(db, item.id).status == "claimed"


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_transparent_or_dotted_pad_is_not_a_signature(db, clock):
    """An empty transparent pad (alpha dropped, it read as all black) and a two-point tap are refused;
    a stroke on a transparent pad is a signature."""
    transparent = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    tap = Image.new("L", (300, 100), 255)
    ImageDraw.Draw(tap).point([(10, 10), (11, 10)], fill=0)
    stroke = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(stroke).line([(10, 80), (150, 20), (290, 60)], fill=(0, 0, 0, 255), width=3)
    item = umbrella(db, clock)
    for bad in (_png(transparent), _png(tap), b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, b""):
        with pytest.raises(LostFoundError) as refused:
            claim(db, clock, item, signature_png=bad)
        assert refused.value.field == "signature_png"
    claim(db, clock, item, signature_png=_png(stroke))
    assert lostfound.get(db, item.id).status == "claimed"
