"""Deny-list entries from before the keyed hash (migration 0041) hold only a masked number. A document
consistent with that mask never refuses (a mask is shared by many documents) but no longer passes
silently: the sign-in carries a check for the staff and the alerts list it as possible; a hash that
exists still decides; a different document passes without a flag."""
from __future__ import annotations

import pytest

from kiosk.core import audit
from kiosk.core.audit import Actor
from kiosk.core.clock import utc_iso
from kiosk.core.privacy import gb11643_check_char
from kiosk.visitors import service as visitors
from kiosk.visitors.service import SeeTheDesk, Visitor

DESK = Actor("Li Na", None, "staff")


def _rid(first17: str) -> str:
    return first17 + gb11643_check_char(first17)


LISTED = _rid("11010119900307123")


@pytest.fixture
def host(db, clock):
    return visitors.add_host(db, clock, Actor("M", None, "manager"), "王经理", "行政部", "8001")


def _old_entry(db, clock, masked: str, reason: str = "旧条目") -> int:
    """An entry as an older version wrote it: the mask only, no hash."""
    entry = db.execute("INSERT INTO deny_list (name, phone, reason, added_at, actor, id_number) VALUES"
                       " ('', '', ?, ?, 'Li Na', ?)", (reason, utc_iso(clock.now()), masked)).lastrowid
    db.conn.commit()
    return entry


def _sign_in(db, clock, host, number: str, name: str = "陌生人", phone: str = "13600000001"):
    return visitors.sign_in(db, clock, Visitor(name, phone, host, "meeting", id_type="id_card", id_number=number),
                            actor=DESK)


def test_a_consistent_document_is_flagged_for_the_desk(db, clock, host):
    entry = _old_entry(db, clock, LISTED[:6] + "*" * 8 + LISTED[-4:])
    done = _sign_in(db, clock, host, LISTED)
    assert done.visit_id and done.deny_check == "旧条目", "signed in, with the check for the staff"
    row = [e for e in audit.entries(db) if e["action"] == "visitor.deny_match"][-1]
    assert row["record_id"] == str(entry) and '"basis": "masked_id"' in (row["after"] or "")
    [alert] = visitors.deny_alerts(db, "2000-01-01")
    assert alert["basis"] == visitors.MASK_ONLY and alert["reason"] == "旧条目"


def test_another_document_passes_and_so_does_one_a_hash_says_is_not_listed(db, clock, host):
    _old_entry(db, clock, "440305" + "*" * 8 + LISTED[-4:])          # another region: not this document
    assert _sign_in(db, clock, host, LISTED).deny_check == ""
    # a new entry with its hash: a consistent mask with another hash is another document
    other = _rid("11010119851111123")
    visitors.add_to_deny_list(db, clock, DESK, reason="新条目", id_type="id_card", id_number=other)
    assert _sign_in(db, clock, host, LISTED, phone="13600000002").deny_check == ""
    with pytest.raises(SeeTheDesk) as raised:
        _sign_in(db, clock, host, other, phone="13600000003")
    assert "match_basis" not in raised.value.entry, "a hash match is certain: refused"


def test_a_definite_match_wins_over_a_mask_only_one(db, clock, host):
    _old_entry(db, clock, LISTED[:6] + "*" * 8 + LISTED[-4:])
    phone_entry = visitors.add_to_deny_list(db, clock, DESK, phone="13600000009", reason="电话")
    with pytest.raises(SeeTheDesk) as raised:
        _sign_in(db, clock, host, LISTED, phone="13600000009")
    assert raised.value.entry["id"] == phone_entry and "match_basis" not in raised.value.entry
