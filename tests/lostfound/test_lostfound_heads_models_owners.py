"""Issue 13's remaining matching gaps, by class: a compound is its head even with a space inside it, a model
number is part of the model (小米14 is not 小米13), and a card with another person's name is not offered."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.lostfound import match
from kiosk.lostfound.match import named_owners, read, suggest
from tests.lostfound.test_lostfound_kinds import make_item


def _report(category: str, description: str, owner: str = "", features: str = "") -> dict:
    return {"category": category, "description": description, "features": features, "colour": "", "brand": "",
            "lost_on": "2026-11-19", "owner_name": owner}


# --- a compound names its head, however it was spaced ------------------------------------------------------
@pytest.mark.parametrize("said, head", [
    ("黑色华为手机 壳", "phone_case"), ("手机 壳", "phone_case"), ("手机\u3000壳", "phone_case"),
    ("手機 殼", "phone_case"), ("黑色华为手机 壳子", "phone_case"), ("华为手机 保护套", "phone_case"),
    ("phone case", "phone_case"), ("iPhone case", "phone_case"), ("钥匙 扣", "keyring"), ("钥匙扣", "keyring"),
    ("眼镜 盒", "glasses_case"), ("眼镜盒", "glasses_case"), ("雨伞 套", "umbrella_cover"),
    ("雨伞套", "umbrella_cover"), ("华为手机 充电器", "charger"), ("相机 包", "bag"), ("耳机 盒", "earphone_case"),
    # a second phrase of its own keeps its space: the phone is the thing, the case is described
    ("黑色手机 蓝色壳", "phone"), ("黑色手机 壳是蓝色的", "phone"), ("黑色 手机", "phone"),
    ("黑色小米手机，蓝色手机壳", "phone"), ("iPhone with a pink case", "phone"),
])
def test_a_compound_is_classed_by_the_noun_it_ends_with(said, head):
    assert read(said).head == head


@pytest.mark.parametrize("accessory_said, host, accessory", [
    ("黑色华为手机 壳", "黑色华为手机", "黑色华为手机壳"), ("手机 保护套", "黑色手机", "黑色手机保护套"),
    ("眼镜 盒", "黑框眼镜", "黑色眼镜盒"), ("雨伞 套", "黑色雨伞", "黑色伞套"), ("耳机 盒", "白色蓝牙耳机", "白色耳机盒"),
])
def test_a_spaced_compound_finds_the_accessory_and_never_the_host_first(accessory_said, host, accessory):
    items = [make_item(1, "other", host, "", "", ""), make_item(2, "other", accessory, "", "", "")]
    got = suggest(_report("other", accessory_said), items)
    assert got and got[0].item.id == 2, [(m.item.description, m.score) for m in got]
    assert all(m.score < got[0].score for m in got[1:])
    got = suggest(_report("other", host), items)  # and the host, asked for, is found before its accessory
    assert got and got[0].item.id == 1, (host, [(m.item.description, m.score) for m in got])


# --- model numbers count ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("brand_zh, brand_en, new, old", [
    ("小米", "Xiaomi", "14", "13"), ("荣耀", "Honor", "90", "80"), ("苹果", "iPhone", "15", "14"),
    ("一加", "OnePlus", "12", "11"), ("华为", "Huawei", "Mate 60", "Mate 50"),
])
@pytest.mark.parametrize("form", ["{zh}{n}", "{zh} {n}", "{en} {n}", "{zh}{n}手机", "{en}{n} phone", "{zh}{fw}"])
def test_a_model_number_ranks_the_same_model_clearly_above_the_next(brand_zh, brand_en, new, old, form):
    if brand_en == "Huawei" and form.startswith("{en}{n}"):
        pytest.skip("nobody glues the brand to the family word (HuaweiMate 60)")

    def said(n: str) -> str:
        fw = n.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})  # full-width digits (an IME)
        return form.format(zh=brand_zh, en=brand_en, n=n, fw=fw)
    # the register wrote both the same way: only the number tells them apart
    items = [make_item(1, "phone", "黑色" + said(old), "", "", ""), make_item(2, "phone", "黑色" + said(new), "", "", "")]
    for asked, right, wrong in ((new, 2, 1), (old, 1, 2)):
        got = {m.item.id: m.score for m in suggest(_report("phone", said(asked)), items)}
        assert right in got, (said(asked), got)
        assert got[right] - got.get(wrong, 0) >= match.CODE_CLASH * 2, (said(asked), got)


def test_the_two_languages_meet_on_one_model_and_units_are_not_models():
    assert "code:xiaomi14" in read("小米14").concepts and "code:xiaomi14" in read("Xiaomi 14 Ultra").concepts
    assert "code:iphone15" in read("苹果15 Pro Max").concepts and "code:iphone15" in read("iPhone 15").concepts
    for text in ("联想 14寸笔记本", "华为 256G", "耐克 42码 球鞋", "小米 2个", "华为手机一部 ¥3000"):
        assert not any(c.startswith("code:") for c in read(text).concepts), text
    items = [make_item(1, "phone", "小米14 Ultra 黑色", "", "", ""), make_item(2, "phone", "小米13 黑色", "", "", "")]
    assert suggest(_report("phone", "xiaomi 14, black"), items)[0].item.id == 1  # "Ultra" dropped: still a 14


# --- someone else's card is not offered -------------------------------------------------------------------------
CARDS = [("documents", "身份证", "姓名：张三"), ("documents", "张三的工卡", ""), ("documents", "学生证 张三", ""),
         ("documents", "Student card, name Zhang San", ""), ("documents", "Zhang San's ID card", ""),
         ("documents", "护照", "持有人 张三"), ("documents", "银行卡", "户名：张三")]


@pytest.mark.parametrize("category, description, features", CARDS, ids=[c[1] for c in CARDS])
def test_a_card_with_another_persons_name_is_never_offered(category, description, features):
    card = make_item(1, category, description, features, "", "")
    said = read(description).head
    what = {"id_card": "身份证", "staff_badge": "工卡", "student_card": "student card", "passport": "passport",
            "bank_card": "银行卡"}[said]
    for stranger in ("李四", "Li Si", "张四", "王三"):
        assert suggest(_report(category, what, owner=stranger), [card]) == [], (description, stranger)
    for owner in ("张三", "Zhang San", "zhang san", "San Zhang", "张 三"):
        [got] = suggest(_report(category, what, owner=owner), [card])
        assert got.reasons[-1].kind == "owner", (description, owner, got.explanation)
    # a report made for someone else names them in its text: their card is found
    [got] = suggest(_report(category, f"{what} of Zhang San" if what.isascii() else f"张三的{what}", owner="李四"),
                    [card])
    assert got.item.id == 1
    # a report naming nobody is left to the desk's check at the claim (not refused here)
    assert suggest(_report(category, what), [card])


def test_the_owners_card_comes_first_and_a_wallet_holding_anothers_card_ranks_down():
    items = [make_item(1, "documents", "身份证", "姓名：李四", "", ""), make_item(2, "documents", "身份证", "姓名：张三", "", ""),
             make_item(3, "wallet", "黑色钱包", "内有身份证（李四）", "", ""), make_item(4, "wallet", "黑色钱包", "", "", "")]
    got = suggest(_report("documents", "身份证", owner="张三"), items)
    assert [m.item.id for m in got] == [2]
    got = suggest(_report("wallet", "黑色钱包", owner="张三"), items)
    assert got[0].item.id == 4 and [m.item.id for m in got].index(3) > 0
    got = suggest(_report("wallet", "黑色钱包", owner="李四"), items)
    assert got[0].item.id == 3 and got[0].reasons[-1] == match.Reason("owner", ("李四",))


@pytest.mark.parametrize("text", ["身份证 黑色", "身份证 一张", "ID card, black", "身份证", "黑色钱包", "student card, blue",
                                  "工牌 挂绳", "姓名：", "name:"])
def test_colours_counts_and_labels_are_not_names(text):
    assert named_owners(text) == ()


@settings(deadline=500, max_examples=150)
@given(st.text(alphabet=st.sampled_from(list("身份证姓名：张三李四的工卡 ,，name'sIDcardWang黑色壳手机小米14 \u3000")) | st.characters(),
               max_size=300))
def test_reading_owners_compounds_and_models_never_raises(text):
    assert len(named_owners(text)) <= 5
    match._join_compounds(text)
    read(text)
    suggest(_report("documents", text, owner=text[:20]), [make_item(1, "documents", "身份证", text, "", "")])


# --- the reasons read in the screen's language, punctuation included -----------------------------------------
def test_chinese_reasons_use_chinese_joiners_and_english_ones_english():
    from kiosk.core.i18n import gettext
    items = [make_item(1, "phone", "黑色华为手机", "蓝色手机壳，背面有猫咪贴纸", "", "")]
    [found] = suggest(_report("phone", "black huawei phone, blue case with a cat sticker", owner="Li"), items)
    assert len(found.reasons) >= 4 and any(len(r.concepts) > 1 or len(r.words) > 1 for r in found.reasons)
    for tr_lang in ("zh_CN", None):  # the screen's language given, or only its translator
        zh = match.describe(found, lambda s: gettext(s, "zh_CN"), lang=tr_lang)
        assert ";" not in zh and "," not in zh and "；" in zh and "、" in zh, zh
    en = match.describe(found, lambda s: s, lang="en")
    assert "；" not in en and "、" not in en and "; " in en and ", " in en, en
    assert match.describe(found, lambda s: s, separator=" · ", lang="en").count(" · ") == len(found.reasons) - 1
    [owned] = suggest(_report("documents", "身份证", owner="王芳"), [make_item(2, "documents", "身份证", "姓名：王芳", "", "")])
    assert "姓名相符：王芳" in match.describe(owned, lambda s: gettext(s, "zh_CN"), lang="zh_CN")
