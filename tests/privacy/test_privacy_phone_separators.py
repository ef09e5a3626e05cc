"""Outside attack 16: an erasure by phone finds the number however its digit groups are separated (any
punctuation, symbol or space, up to three between two digits: the em dash and full-width slash of a Chinese
IME, the ideographic space, full-width digits), and leaves an unrelated number alone."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk.core import auth, erasure
from kiosk.core.audit import SYSTEM
from kiosk.core.erasure import Needles, Person
from kiosk.core.privacy import normalise_phone
from kiosk.phone import calllog

PHONE = "13987654321"
OTHER = "13912345678"
FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def _is_separator(ch: str) -> bool:
    folded = unicodedata.normalize("NFKC", ch)
    return folded == "_" or (len(folded) == 1 and not folded.isalnum() and folded != "+")


SEPARATOR = st.characters(categories=("Pd", "Po", "Ps", "Pe", "Pc", "Pi", "Pf", "Sm", "Sc", "Sk", "So", "Zs"))\
    .filter(_is_separator)
GAP = st.text(SEPARATOR, min_size=0, max_size=2)


@st.composite
def written(draw, number: str):
    """The number cut into groups (2 to 5), each written in ASCII or full-width digits, with a gap of 0..2
    separators between two groups."""
    cuts = sorted(draw(st.sets(st.integers(1, len(number) - 1), min_size=1, max_size=4)))
    groups = [number[a:b] for a, b in zip([0, *cuts], [*cuts, len(number)])]
    out = ""
    for i, group in enumerate(groups):
        if draw(st.booleans()):
            group = group.translate(FULL)
        out += group if i == 0 else draw(GAP) + group
    return out


@settings(max_examples=300, deadline=400, suppress_health_check=[HealthCheck.too_slow])
@given(mine=written(PHONE), other=written(OTHER), head=st.sampled_from(["请回电 ", "tel:", "电话：", "（", ""]),
       tail=st.sampled_from(["", " 谢谢", "）", "。"]))
def test_any_separators_between_the_groups_are_found_and_cut_and_another_number_stays(mine, other, head, tail):
    needles = Needles.of([Person(phone=PHONE)])
    text = f"{head}{mine}{tail} 或 {other}"
    cut = needles.replace(text)
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", cut) if ch.isdigit())
    assert digits == OTHER, (text, cut)
    assert cut.startswith(head) and cut.endswith(f"{tail} 或 {other}"), (text, cut)
    assert erasure.ERASED in cut


@settings(max_examples=100, deadline=400)
@given(mine=written(PHONE))
def test_the_number_as_written_normalises_to_its_digits(mine):
    assert normalise_phone(mine) == PHONE


@pytest.mark.parametrize("note", ["请回电 139—8765—4321", "请回电 139／8765／4321", "请回电 １３９　８７６５　４３２１",
                                  "tel:13987654321", "请回电 139–8765–4321", "请回电 139.8765.4321",
                                  "请回电 139 - 8765 - 4321", "请回电 (139) 8765_4321", "请回电 +86 139—8765—4321"])
def test_erasure_by_phone_cuts_every_written_form_from_a_call_note(db, clock, note):
    boss = auth.add_user(db, clock, SYSTEM, "王经理", "manager", "9999").actor()
    staff = auth.add_user(db, clock, SYSTEM, "Li Na", "staff", "2468").actor()
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what=note)
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what="另一位 139—1234—5678")
    erasure.erase(db, clock, boss, Person(phone=PHONE))
    mine, other = [r[0] for r in db.execute("SELECT what FROM call_notes ORDER BY id")]
    folded = unicodedata.normalize("NFKC", mine)
    assert "8765" not in folded and "4321" not in folded, mine
    assert other == "另一位 139—1234—5678"
