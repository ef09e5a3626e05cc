"""Issue 13, fifth pass: names found by pinyin in the register (who handed it in, who claimed it, a name in
the description); corrections stop once the item has left the desk and the signed slip keeps its words;
"+86" contacts mask like the bare number; a register written with spaces names the right thing; Nokia
crosses languages."""
from __future__ import annotations

import pytest

from kiosk.core.privacy import mask_phone
from kiosk.lostfound import match
from kiosk.lostfound import receipts
from kiosk.lostfound import service as lostfound
from kiosk.lostfound.service import LostFoundError
from tests.lostfound.test_lostfound_service import DESK, TZ, claim, umbrella


def _refs(found):
    return [item.description for item in found]


def test_a_name_typed_in_pinyin_finds_the_entry_it_is_on(db, clock):
    passport = umbrella(db, clock, category="documents", description="护照一本，姓名：王芳", handed_in_name="保洁 李阿姨")
    wallet = umbrella(db, clock, category="wallet", description="黑色钱包", handed_in_name="曾志伟")
    umbrella(db, clock, description="蓝色雨伞", handed_in_name="单田芳")
    umbrella(db, clock, description="Black umbrella", handed_in_name="Anna Lee")
    assert _refs(lostfound.search(db, "Wang Fang")) == ["护照一本，姓名：王芳"]
    assert _refs(lostfound.search(db, "wangfang")) == ["护照一本，姓名：王芳"]
    assert _refs(lostfound.search(db, "zeng zhiwei")) == ["黑色钱包"]
    assert _refs(lostfound.search(db, "zzw")) == ["黑色钱包"], "initials of who handed it in"
    assert _refs(lostfound.search(db, "shan tianfang")) == ["蓝色雨伞"]
    assert _refs(lostfound.search(db, "li a yi")) == ["护照一本，姓名：王芳"]
    assert lostfound.search(db, "hs") == [], "initials are not looked for inside descriptions"
    assert _refs(lostfound.search(db, "王芳")) == ["护照一本，姓名：王芳"], "Chinese still works as before"
    # Claimed by 王芳 (in Latin letters on the claim): found among claimed items by pinyin of... the claim
    claim(db, clock, wallet, claimant_name="欧阳娜娜")
    assert _refs(lostfound.search(db, "ouyang nana", status="claimed")) == ["黑色钱包"]
    assert _refs(lostfound.search(db, "oynn", status=None)) == ["黑色钱包"]
    assert lostfound.search(db, "ouyang nana") == [], "held items only by default"
    # Wildcards are characters, not patterns
    assert lostfound.search(db, "%") == [] and lostfound.search(db, "_") == []
    assert passport.id


def test_no_correction_after_the_item_left_the_desk_and_the_slip_keeps_what_was_signed(db, clock):
    item = umbrella(db, clock)
    lostfound.amend_item(db, clock, DESK, item.id, field="description", value="Black long umbrella", reason="typo")
    claim_id = claim(db, clock, item)
    clock.advance(3600)
    for field, value in (("description", "Red folding umbrella"), ("storage", "Safe"), ("features", "x")):
        with pytest.raises(LostFoundError, match="still holds") as refused:
            lostfound.amend_item(db, clock, DESK, item.id, field=field, value=value, reason="typo")
        assert refused.value.field == field
    assert db.execute("SELECT COUNT(*) FROM lf_amendments WHERE item_id = ?", (item.id,)).fetchone()[0] == 1
    slip = receipts.claim_receipt(db, claim_id, "en", "T01-C-000001")
    text = repr(slip)
    assert "Black long umbrella" in text and "Red folding" not in text


@pytest.mark.parametrize("phone, masked", [
    ("13800138000", "138****8000"), ("+86 138 0013 8000", "138****8000"), ("+86-13800138000", "138****8000"),
    ("0086 13800138000", "138****8000"), ("86 13800138000", "138****8000"),
    ("+44 20 7946 0958", "+44 ******0958"), ("8613", "****"), ("", "")])
def test_a_country_code_is_not_the_head_of_the_masked_number(phone, masked):
    assert mask_phone(phone) == masked


def _item(n, category, description):
    from tests.lostfound.test_lostfound_match import _item as item
    return item(n, category, description)


def test_a_register_written_with_spaces_and_a_nokia_cross_languages():
    assert match._head("黑色手机 蓝色壳") == "phone" and match._head("黑色 手机") == "phone"
    assert match._head("蓝色手机壳") == "phone_case" and match._head("iPhone with a pink case") != "phone_case"
    report = {"category": "phone", "description": "蓝色手机壳的黑色手机", "features": "", "colour": "", "brand": "",
              "lost_on": "2026-11-19"}
    found = match.suggest(report, [_item(1, "phone", "黑色手机 蓝色壳")])
    assert found and found[0].item.id == 1
    report = {**report, "description": "Nokia phone"}
    found = match.suggest(report, [_item(1, "phone", "诺基亚手机"), _item(2, "phone", "黑色手机")])
    assert found and found[0].item.id == 1


def test_reasons_name_what_matched_in_the_screens_language():
    report = {"category": "phone", "description": "black huawei phone", "features": "", "colour": "", "brand": "",
              "lost_on": "2026-11-19"}
    [found] = match.suggest(report, [_item(1, "phone", "黑色华为手机")])
    zh = match.describe(found, lambda s: s, mark=lambda w: f"<{w}>", lang="zh_CN")
    assert "<华为>（huawei）" in zh and "<黑色>（black）" in zh and "<手机>（phone）" in zh
    en = match.describe(found, lambda s: s, mark=lambda w: f"<{w}>", lang="en")
    assert "<huawei>" in en and "（" not in en and "(" not in en, "the English words are the names: no brackets"
    report = {**report, "description": "咖啡色皮夹", "category": "wallet"}
    [found] = match.suggest(report, [_item(1, "wallet", "Brown leather wallet")])
    en = match.describe(found, lambda s: s, lang="en")
    assert "brown (咖啡色)" in en and "wallet (皮夹)" in en
    assert match.describe(found, lambda s: s) == match.describe(found, lambda s: s, lang=None), "no lang: as before"
