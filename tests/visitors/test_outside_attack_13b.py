"""Outside attack on issue 13's latest fixes (plausible pinyin readings, the Western name order), through the
services staff use: the visits search, the staff host directory and the lost-and-found register. Each failing
test is a name a desk clerk types the way people write it and does not get back; the passing ones are what held
(ordinary heteronyms in given names, ü/v, mixed case, and the visitor's own host picker staying exact)."""
from __future__ import annotations

import pytest

from kiosk.core import settings
from kiosk.core.audit import Actor
from kiosk.lostfound import service as lostfound
from kiosk.visitors import service as visitors
from kiosk.visitors.service import Visitor
from tests.lostfound.test_lostfound_service import umbrella

DESK = Actor("Li Na", None, "staff")
NAMES = ("王芳", "王珩", "吕芳", "欧阳娜娜", "單雄", "區志強", "歐陽娜娜", "司馬懿", "\U00020BB7伟",
         "张乐", "李乐行", "刘重阳", "李长江", "朱朝阳", "仇丽", "区志强", "朴明", "查良镛", "覃芳", "尉迟敬德",
         "万俟卨", "单田芳", "曾子墨")


@pytest.fixture
def register(db, clock):
    visitors.seed_demo(db, clock)
    host = visitors.find_hosts(db, "Li Na")[0]["id"]
    for i, name in enumerate(NAMES):
        clock.advance(60)
        visitors.sign_in(db, clock, Visitor(name=name, phone=f"139{i:08d}", host_id=host, purpose="meeting",
                                            party_size=1, privacy_accepted=True))
    return db


def _names(rows):
    return sorted(r["name"] for r in rows)


# ---------------------------------------------------------------- defects (fail on att2-13 as committed)

def test_wang_heng_is_found_by_heng(register):
    """A visitor 王珩 signed in; 珩 in a given name is héng (a very common modern given-name character). The
    clerk types "Wang Heng" (or, off an English form, "Heng Wang") and gets nothing: the reading cut kept only
    pypinyin's "hang" for 珩 (no phrase in its word list uses héng), so a name that "every reading" found
    before the fix is lost now."""
    db = register
    for query in ("Wang Heng", "wangheng", "Heng Wang"):
        assert "王珩" in _names(visitors.search(db, query)), query


def test_tone_numbers_as_typed_from_a_pinyin_card(register):
    """Staff copy a name from a booking written with tone numbers ("Wang2 Fang1", "Lv3 Fang1", the way
    pinyin is typed without a tone-mark keyboard). Tone *marks* are folded away (Wáng Fāng finds 王芳) but a
    tone number makes the query "not pinyin" and 王芳 is not found at all."""
    db = register
    for query, name in (("Wang2 Fang1", "王芳"), ("wang2fang1", "王芳"), ("Lv3 Fang1", "吕芳")):
        assert name in _names(visitors.search(db, query)), query


def test_surname_comma_given_name_as_on_a_passport_or_english_form(register, db, clock):
    """English forms and passports write "WANG, Fang" / "OUYANG, Nana" / "Lee, Anna" (surname, comma, given
    name). The clerk types it as printed: nothing is found, in the visits search, the host directory or the
    lost-and-found register, because the comma is not among the separators folded away (only spaces,
    apostrophes, hyphens, dots)."""
    assert "王芳" in _names(visitors.search(db, "Wang, Fang"))
    assert "欧阳娜娜" in _names(visitors.search(db, "Ouyang, Nana"))
    visitors.add_host(db, clock, DESK, "王芳", "前台")
    assert "王芳" in [h["name"] for h in visitors.staff_find_hosts(db, "WANG, Fang")]
    umbrella(db, clock, description="黑色钱包", handed_in_name="王芳")
    assert [i.handed_in_name for i in lostfound.search(db, "Wang, Fang")] == ["王芳"]


def test_lyu_the_passport_spelling_of_lv(register):
    """吕 is spelled "LYU" in a Chinese passport (the official romanisation for ü there); a visitor's booking
    says "LYU Fang". The clerk types "Lyu Fang" (or "Fang Lyu"): 吕芳 is not found; only lv/lu/lü/u: work."""
    db = register
    for query in ("Lyu Fang", "lyufang", "Fang Lyu"):
        assert "吕芳" in _names(visitors.search(db, query)), query


def test_traditional_script_surnames_read_as_surnames(register):
    """Visitors from Hong Kong or Taiwan sign in with traditional characters: 單雄, 區志強. The surname
    readings table lists only the simplified 单 and 区, so the traditional surname gets no surname reading:
    "Shan Xiong" finds nobody (單 is indexed as dan only) and "Ou Zhiqiang" finds nobody (區 as qu only),
    while the simplified 单/区 are found by exactly the same query."""
    db = register
    assert "单田芳" in _names(visitors.search(db, "shan tianfang"))  # simplified: works
    assert "區志強" in _names(visitors.search(db, "Ou Zhiqiang"))
    assert "單雄" in _names(visitors.search(db, "Shan Xiong"))


def test_traditional_compound_surname_in_western_order(register):
    """歐陽娜娜 (traditional 欧阳娜娜) and 司馬懿 are found by "Ouyang Nana" / "Sima Yi", but not by the Western
    order "Nana Ouyang" / "Yi Sima" that the fix added: 歐陽 and 司馬 are not known as compound surnames, so
    the surname is cut after the first character and the reversed spelling is "yangnanaou"."""
    db = register
    assert "欧阳娜娜" in _names(visitors.search(db, "Nana Ouyang"))  # simplified: works
    assert "歐陽娜娜" in _names(visitors.search(db, "Nana Ouyang"))
    assert "司馬懿" in _names(visitors.search(db, "Yi Sima"))


def test_the_ji_variant_the_kiosk_offers_is_searchable(register):
    """The visitor keyboard offers 𠮷 (U+20BB7, the "tsuchiyoshi" 吉 many family registers keep; pinyin.py's
    NAME_VARIANTS). A visitor signs in as 𠮷伟. The clerk types "Ji Wei": not found, because the name-key
    alphabet's CJK range stops at U+9FFF, so 𠮷 is skipped and the name is indexed as just "wei" (so "wei"
    finds her, as a surname-less given name)."""
    db = register
    assert "\U00020BB7伟" in _names(visitors.search(db, "Ji Wei"))


# ---------------------------------------------------------------- what held

def test_held_given_name_heteronyms_both_readings_and_surname_readings(register):
    """Held: ordinary given-name heteronyms are found by either reading (乐 le/yue, 行 xing/hang, 重
    chong/zhong, 长 chang/zhang, 朝 chao/zhao), and the surname readings staff expect work (仇 qiu, 区 ou,
    朴 piao, 查 zha, 覃 qin, 尉迟 yuchi, 万俟 moqi, 单 shan, 曾 zeng), also in the Western order."""
    db = register
    for query, name in (("zhang le", "张乐"), ("zhang yue", "张乐"), ("li lexing", "李乐行"), ("li yuehang", "李乐行"),
                        ("liu chongyang", "刘重阳"), ("li changjiang", "李长江"), ("zhu chaoyang", "朱朝阳"),
                        ("qiu li", "仇丽"), ("ou zhiqiang", "区志强"), ("piao ming", "朴明"), ("zha liangyong", "查良镛"),
                        ("qin fang", "覃芳"), ("yuchi jingde", "尉迟敬德"), ("moqi xie", "万俟卨"),
                        ("Zimo Zeng", "曾子墨"), ("Jingde Yuchi", "尉迟敬德"), ("Le Zhang", "张乐")):
        assert name in _names(visitors.search(db, query)), query


def test_held_u_umlaut_v_and_mixed_case(register):
    """Held: 吕芳 by "Lü Fang", "lu:fang", "LV FANG", "Lǚ Fāng", "Fang Lü", "lufang"; 王芳 by "wangFang", "WANG FANG"."""
    db = register
    for query in ("Lü Fang", "lu:fang", "LV FANG", "Lǚ Fāng", "Fang Lü", "lufang"):
        assert "吕芳" in _names(visitors.search(db, query)), query
    for query in ("wangFang", "WANG FANG", "Fang WANG"):
        assert "王芳" in _names(visitors.search(db, query)), query


def test_held_visitor_host_picker_reveals_nothing_new(db, clock):
    """Held: the visitor's own host picker (visitors.host_answer) answers the same exact way: no Western order,
    no heteronym alternative, no tone numbers or comma forms, and never a visitor's name."""
    visitors.seed_demo(db, clock)
    for name in ("王芳", "张乐", "王珩"):
        visitors.add_host(db, clock, DESK, name, "前台")
    assert [h["name"] for h in visitors.host_answer(db, "wang fang").hosts] == ["王芳"]
    for query in ("fang wang", "Fang Wang", "zhang yue", "le zhang", "wang2 fang1", "wang, fang", "hang wang",
                  "heng wang", "fangwang", "zhangyue"):
        names = [h["name"] for h in visitors.host_answer(db, query).hosts]
        assert not {"王芳", "张乐", "王珩"} & set(names), (query, names)


def test_held_rollcall_hours_refuses_what_is_not_1_to_72(db, clock):
    """Held: the new setting refuses 0, 73, '+12', '1_2' (Python's int() would take it), '12.0', '0x10',
    Arabic-Indic digits and a float; it takes '007' as 7 and ' 12 ' as 12."""
    manager = Actor("Boss", None, "manager")
    for bad in ("0", "73", "+12", "1_2", "12.0", "0x10", "١٢", "①", 24.5, "1 2"):
        with pytest.raises(settings.SettingError):
            settings.put_checked(db, clock, manager, {"rollcall_resume_hours": bad})
    settings.put_checked(db, clock, manager, {"rollcall_resume_hours": "007"})
    assert settings.get(db, "rollcall_resume_hours") == 7
