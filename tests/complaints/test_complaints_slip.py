"""The customer's slip: laid out to fit every paper with the longest and most hostile stored text."""
from __future__ import annotations

import pytest

from kiosk.complaints import service, slips
from kiosk.core.audit import Actor
from kiosk.printing.documents import Text, layout, text_width

STAFF = Actor("李" * 40, None, "staff")
TZ = "Asia/Shanghai"


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
@pytest.mark.parametrize("columns", [4, 32, 42, 48])
def test_slip_fits_the_paper(db, clock, lang, columns):
    what = ("😀" + "漏水" * 3 + "ｆｕｌｌ\u0301" + "W" * 13 + "\t") * 40
    cid = service.take(db, clock, STAFF, TZ, kind="request", category="repair", responsibility="company",
                       what=what[:1000], customer_name="Ω" * 60, customer_contact="+86 (21) " + "9" * 40,
                       place="地" * 120, topic="题" * 60)
    receipt = slips.slip(db, cid, lang, "T1-Q-000001")
    lines = layout(receipt, columns)
    for line, block in lines:
        scale = 2 if isinstance(block, Text) and block.size == 2 else 1
        assert text_width(line) * scale <= columns, (line, block)
    printed = "".join(line for line, _ in lines)
    assert "Ω" * 3 not in printed  # the customer's name is masked on paper


def test_the_slip_carries_the_matter_not_the_complaint_text(db, clock):
    """The text names a third party, a room and a phone number; a lost slip must not."""
    cid = service.take(db, clock, STAFF, TZ, kind="complaint", category="noise", responsibility="company",
                       what="1201 的李娜(13911112222)半夜装修", customer_name="王先生", customer_contact="13800138000",
                       place="3号楼", topic="夜间装修噪音")
    printed = "".join(line for line, _ in layout(slips.slip(db, cid, "zh_CN", "T1-Q-000002"), 42))
    assert "李娜" not in printed and "13911112222" not in printed and "1201" not in printed
    assert "夜间装修噪音" in printed and "事项" in printed and "13800138000" not in printed
