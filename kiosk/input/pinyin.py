"""Offline pinyin → hanzi candidates for the on-screen keyboard (no Kivy here).

Data: readings from pypinyin (MIT), word frequencies and personal names from jieba's bundled dict.txt (MIT);
docs/licences.md. The index is built once (seconds) and cached in the state dir as
pinyin-index-v1.pickle, so later starts load it in well under a second.

Typed input is segmented into tokens: full syllables ("wang") or abbreviations (a leading part of a
syllable, "x" or "zh"), so "wangxiaoming", "wangxm" and "wxm" all work; an apostrophe forces a break
("xi'an"). `candidates()` lists words for the whole input first, then for the leading tokens, each
with how many input characters it consumes, so the user can pick word by word.
"""
from __future__ import annotations

import logging
import math
import os
import pickle
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from kiosk.core import gcpolicy
from kiosk.input import learned

log = logging.getLogger(__name__)

INDEX_VERSION = 18
CACHE_NAME = "pinyin-index-v1.pickle"
DEFAULT_MAX_WORDS = 120_000  # most frequent multi-character words kept from jieba (of ~350k)
MAX_WORD_LEN = 4

# Most common Chinese surnames, most frequent first (2020 census order, top 60). The first
# TOP_SURNAMES outrank everything for their syllable so a name starts with the expected character.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
            "于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛"
            "闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文施洪辛柯庄樊"
            "单解仇查翟区朴盖乐缪冼宓阚邬计伍祝葛阎殷齐鲁")
# Surnames whose reading differs from the character's usual one (单 is dan, as a surname shan), and
# the two-character surnames; a name field offers these first in the surname position.
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "阚": "kan", "郗": "xi", "竺": "zhu", "解": "xie", "仇": "qiu", "查": "zha", "翟": "zhai", "覃": "qin",
    "区": "ou", "朴": "piao", "盖": "ge", "乐": "yue", "缪": "miao", "冼": "xian", "宓": "mi",
    "尉迟": "yu chi", "万俟": "mo qi", "欧阳": "ou yang", "司马": "si ma", "诸葛": "zhu ge",
    "上官": "shang guan", "东方": "dong fang", "皇甫": "huang fu", "令狐": "ling hu", "公孙": "gong sun",
    "慕容": "mu rong", "夏侯": "xia hou", "端木": "duan mu", "司徒": "si tu", "宇文": "yu wen",
    "长孙": "zhang sun", "轩辕": "xuan yuan", "南宫": "nan gong", "独孤": "du gu", "呼延": "hu yan",
    "钟离": "zhong li", "申屠": "shen tu", "澹台": "tan tai", "公冶": "gong ye", "濮阳": "pu yang",
    # more of the 百家姓's compound surnames a desk meets (西门 ranked 17th without it)
    "西门": "xi men", "闻人": "wen ren", "赫连": "he lian", "单于": "chan yu", "拓跋": "tuo ba",
    "百里": "bai li", "东郭": "dong guo", "左丘": "zuo qiu", "宗政": "zong zheng", "鲜于": "xian yu",
    "闾丘": "lv qiu", "司空": "si kong", "太史": "tai shi", "第五": "di wu", "公羊": "gong yang",
}
# The single surnames of the 百家姓 (the classic text's order): in the surname position each is
# offered under every reading it has, after the surnames of the population table (so 逄 pang, 郦 li,
# 阚 kan come right after 庞, 李…黎, before ordinary words), never ahead of a common surname.
BAIJIAXING = ("赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚"
              "范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余"
              "元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵席季麻"
              "强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗丁宣贲邓"
              "郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫乌焦巴弓牧"
              "隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰"
              "从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍璩桑桂濮牛寿通边扈燕冀郏"
              "浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳"
              "沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公")
COMPOUND_SURNAMES = tuple(k for k in SURNAME_READINGS if len(k) == 2)
# The everyday mainland form of a surname -> the form Faker's table lists it under
SURNAME_VARIANTS = {"闫": "阎", "肖": "萧"}
GENERAL_SURNAMES = 80  # surnames boosted in the general (non-name) ranking, as before
NAME_CHAR_MIN = 200    # given-name count from which a non-GB 2312 character is offered
NAME_MAX_GIVEN = 3     # given-name characters composed after a surname
NAME_BEAM = 10         # best choices per position kept when composing whole names
# a bare initial ("y") covers hundreds of name characters: 阳 is the 14th of y's, so a beam of 10
# never composed 李阳 for "ly"; an initial keeps this many, and whole names are listed this many
NAME_INITIAL_BEAM = 40
TOP_SURNAMES = 30
SURNAME_BOOST = 5.0
# Characters common in given names (most common first). Visitors type names: these outrank other
# characters of the same reading (ming → 明 before 名), and two-character given names made of them
# are offered as words (xiaoming → 小明), which jieba's general dictionary mostly lacks.
GIVEN_NAME_CHARS = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建文辉力晓小志海燕鹏飞宇浩"
                    "俊婷雪琳欣佳晨思雨梓子涵轩博睿然萱怡颖瑶琪嘉豪宏鑫斌波亮龙凯峰春梅琴云")
GIVEN_NAME_BOOST = 3.0
# Variant forms that names keep and the General Standard list does not (a fact list): 𠮷 (U+20BB7,
# "tsuchiyoshi", the 吉 of 𠮷野家 and of many family registers), 髙 (the "ladder" 高), 﨑 (崎).
NAME_VARIANTS = {"吉": "\U00020BB7", "高": "\u9ad9", "崎": "\ufa11"}
# Given names come from two populations: ngender's (living people, counted by character) and the
# names on record in jieba's dictionary (people of history, letters and the news: 伯, 仲, 之, 士),
# which `load_name_positions` counts by position. RECORD_WEIGHT is the prior share of the second.
# The first given-name character says which population the name is likelier from (伯 -> the names
# on record, 梓 -> ngender's), and the later character is ranked by that mixture (`_era_factor`).
# The first character itself stays ranked by ngender's counts alone: mixing the names on record in
# there (tried on the dev half: +1 character in 1,140 at 0.1, +4 at 0.15) put 裕 and 育 before 钰
# for "yu" and 子 before 梓 for "zi", the names living visitors have. Chosen on the dev half with the
# dev names left out of the counts, against the bench's guard (Faker's common given names, living
# people's: its second given-name character): 0.1 -> dev first 59.7 %, guard 93.5 % (as with none);
# 0.3 -> 60.1 %, 91.3 %; 0.5 -> 60.4 %, 89.1 %. The largest tried that costs living people's names
# nothing (the bench's names are mostly men of history; a kiosk's visitors are not).
RECORD_WEIGHT = 0.1
RECORD_SMOOTHING = 0.5  # add-one-half on the names-on-record counts (`_given_eras`)
GIVEN_NAME_WORD_SCORE = 400.0   # about a common word's jieba frequency: in view, not in the way
# ngender's counts come from names of people born mostly before 2000: the characters of the modern
# list above (梓, 睿, 涵, 轩 …) are under-counted there, so in the given-name position their count is
# multiplied by this. Chosen on the dev half of bench/names_bench.py, where it is neutral (first
# 56.1 % -> 56.0 %, first page unchanged): it moves 睿 for "r" from 8th to 4th, 梓 for "zi" 4th -> 2nd.
MODERN_GIVEN_WEIGHT = 3.0
# recent whole results kept (besides the warmed single tokens): a dict read. Bounded for a Pi that
# runs for months: an initials query can hold 1,500 candidates, so 256 results are at most ~25 MB
RESULT_CACHE = 256
BUCKET_TABLES = 2000    # per-bucket look-up tables kept (rebuilt on demand past that)
WARM_KINDS = ("surname", "given", "general")

_SPLIT = re.compile(r"[' ]+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One choice in the candidate bar: `text` replaces the first `consumed` input characters.
    (Slots: about 100,000 are kept once warmed, ~12 MB.)"""

    text: str
    consumed: int
    score: float


@dataclass
class _Index:
    syllables: frozenset[str]
    prefixes: frozenset[str]
    # first letters of the syllables ("wxm") -> [(syllables tuple, text, score)], best first
    buckets: dict[str, list[tuple[tuple[str, ...], str, float]]]
    source: str
    # name fields: "surname" and "given" buckets, same shape as `buckets`, scored by name frequency
    name_buckets: dict[str, dict[str, list[tuple[tuple[str, ...], str, float]]]] = field(default_factory=dict)
    char_freq: dict[str, float] = field(default_factory=dict)
    name_freq: dict[str, float] = field(default_factory=dict)
    # two-character words of the general dictionary: a given name's second character that makes a
    # word with the first (建 → 国, 志 → 强) weighs PAIR_WEIGHT times its count
    pairs: frozenset[str] = frozenset()
    # ngender's given-name counts by sex (male, female): the sex a first given-name character
    # suggests ranks the second (廷 is a man's: 张廷 + yu puts 玉 before 钰 and 瑜)
    name_sex: dict[str, tuple[float, float]] = field(default_factory=dict)
    sex_totals: tuple[float, float] = (0.0, 0.0)  # all male and all female counts of `name_sex`
    sex_lean: dict[str, tuple[float, float]] = field(default_factory=dict)  # `_sex_lean`
    # given-name character -> (share in ngender's counts, share of the names on record with it first,
    # with it last) for `_era_factor`; record_weight: RECORD_WEIGHT when the index was built
    eras: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    record_weight: float = 0.0
    name_pairs: frozenset[str] = frozenset()  # given names on record (国荣): NAME_PAIR_WEIGHT in `_after`


def _jieba_dict_path() -> Path:
    import jieba  # only for the location of its bundled dict.txt
    return Path(jieba.__file__).resolve().parent / "dict.txt"


def _name_freq_path() -> Path | None:
    """ngender's charfreq.csv (MIT): how often each character occurs in given names, by sex, counted
    over a large list of real names. Found without importing ngender (its import does work)."""
    import importlib.util
    spec = importlib.util.find_spec("ngender")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "charfreq.csv"
    return path if path.exists() else None


def load_name_freq() -> dict[str, float]:
    """Given-name character counts (male + female) from ngender; {} if it is not installed."""
    return {ch: male + female for ch, (male, female) in load_name_sex().items()}


def load_name_sex() -> dict[str, tuple[float, float]]:
    """Given-name character counts (male, female) from ngender; {} if it is not installed."""
    path = _name_freq_path()
    out: dict[str, tuple[float, float]] = {}
    if path is None:
        return out
    with open(path, encoding="utf-8") as fh:
        next(fh, None)
        for line in fh:
            parts = line.strip().split(",")
            if len(parts) == 3 and len(parts[0]) == 1 and parts[1].isdigit() and parts[2].isdigit():
                out[parts[0]] = (float(parts[1]), float(parts[2]))
    return out


def load_name_positions(surnames: Iterable[str], held_out: Iterable[str] = ()
                        ) -> tuple[dict[str, int], dict[str, int], frozenset[str]]:
    """How many distinct personal names of jieba's dictionary (words it tags nr, MIT) have each
    character first and last in a two-character given name, and the given names themselves (国荣,
    for `_after`): the names led by one of `surnames` (张国荣) or by a compound surname (欧阳修). ngender counts a character over given names as a whole;
    these say where in the name it stands (伯, 仲 lead; 之 ends). Noisy (jieba tags 马尔克 nr too), so
    it is mixed with ngender's counts, never used alone (`RECORD_WEIGHT`). `held_out`: names
    left out of the counts (for measuring on names the counts never saw: bench/names_bench.py)."""
    single = frozenset(ch for ch in surnames if len(ch) == 1)
    skip = frozenset(held_out)
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    seen: set[str] = set()
    pairs: set[str] = set()
    with open(_jieba_dict_path(), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) != 3 or parts[2] != "nr":
                continue
            word = parts[0]
            if len(word) == 3 and word[0] in single:
                given = word[1:]
            elif len(word) == 4 and word[:2] in COMPOUND_SURNAMES:
                given = word[2:]
            else:
                continue
            if word in seen or word in skip or not all("\u4e00" <= ch <= "\u9fff" for ch in given):
                continue
            seen.add(word)
            pairs.add(given)
            first[given[0]] = first.get(given[0], 0) + 1
            last[given[1]] = last.get(given[1], 0) + 1
    return first, last, frozenset(pairs)


def _surname_table_path() -> Path | None:
    """Faker's zh_CN person provider (MIT): 399 surnames with their share of the population in
    per cent (from the ranking Wikipedia cites). Found without importing faker."""
    import importlib.util
    spec = importlib.util.find_spec("faker")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "providers" / "person" / "zh_CN" / "__init__.py"
    return path if path.exists() else None


def load_surname_freq() -> dict[str, float]:
    """Surname -> share of the population (per cent) from Faker's table; {} if it is not installed
    or its shape changed (then the kiosk's own surname list alone ranks the surname position).
    Read with `ast`: the file is parsed, never run."""
    import ast
    path = _surname_table_path()
    if path is None:
        return {}
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "last_names" for t in node.targets)
                    and isinstance(node.value, ast.Call) and node.value.args):
                pairs = ast.literal_eval(node.value.args[0])
                return {str(k): float(v) for k, v in pairs
                        if isinstance(k, str) and 1 <= len(k) <= 2 and float(v) > 0}
    except (SyntaxError, ValueError, TypeError, OSError):
        log.warning("surname table in %s unreadable; using the built-in list", path)
    return {}


def _source_stamp(max_words: int) -> str:
    """Identifies the data the index came from, so a cache from other data is rebuilt."""
    import pypinyin
    d = _jieba_dict_path()
    st = d.stat()
    names = _name_freq_path()
    nst = f"{names.stat().st_size}" if names else "none"
    table = _surname_table_path()
    nst += f";surnames={table.stat().st_size}" if table else ";surnames=none"
    try:
        from importlib.metadata import version
        nst += ";pypinyin-dict=" + version("pypinyin-dict")
    except Exception:  # noqa: BLE001 - not installed: GB 2312 only, and the stamp says so
        nst += ";pypinyin-dict=none"
    return (f"v{INDEX_VERSION};pypinyin={pypinyin.__version__};jieba={st.st_size}:{int(st.st_mtime)};"
            f"names={nst};max={max_words}")


def general_standard() -> dict[str, str]:
    """The 8,105 characters of the Table of General Standard Chinese Characters (通用规范汉字表, 2013)
    with their readings: pypinyin-dict's kMandarin_8105 (MIT, from the pinyin-data project).
    {} if pypinyin-dict is not installed (then GB 2312 alone is the character set)."""
    try:
        from pypinyin_dict.pinyin_data import kmandarin_8105
    except ImportError:
        return {}
    return {chr(code): readings for code, readings in kmandarin_8105.pinyin_dict.items()}


def dictionary_readings() -> dict[int, str]:
    """汉典's readings (pypinyin-dict's zdic data, MIT, from the pinyin-data project): a third source, for
    the readings a name character has in a dictionary but neither pypinyin nor the 8,105 table lists
    (彟 huò in 武士彟). Only reachability: such a reading ranks as any other non-first reading. {} when absent."""
    try:
        from pypinyin_dict.pinyin_data import zdic
    except ImportError:
        return {}
    return dict(zdic.pinyin_dict)


def _in_charset(ch: str, extra: frozenset[str]) -> bool:
    """GB 2312's 6,763 characters, plus the Simplified (GBK) characters that real given names use
    (玥, 喆 …) which GB 2312 lacks."""
    return _simplified_common(ch) or (ch in extra and "\u4e00" <= ch <= "\u9fff" and _gbk(ch))


def _gbk(ch: str) -> bool:
    try:
        ch.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _simplified_common(text: str) -> bool:
    """GB2312 covers the common Simplified characters; this keeps traditional/rare glyphs out."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def build_index(max_words: int = DEFAULT_MAX_WORDS, held_out: Iterable[str] = ()) -> _Index:
    """Build the index from pypinyin and jieba data (a few seconds for the default size).
    `held_out`: names the name-position counts leave out (see `load_name_positions`)."""
    from pypinyin import Style, lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    char_freq: dict[str, float] = {}
    words: list[tuple[str, float]] = []
    standard = general_standard()
    with open(_jieba_dict_path(), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 2 or not (_simplified_common(parts[0]) or parts[0] in standard):
                continue
            word, freq = parts[0], float(parts[1])
            if len(word) == 1:
                char_freq[word] = max(char_freq.get(word, 0.0), freq)
            elif len(word) <= MAX_WORD_LEN:
                words.append((word, freq))
    words.sort(key=lambda wf: -wf[1])
    del words[max_words:]

    entries: list[tuple[tuple[str, ...], str, float]] = []
    # the general ranking keeps its original 80 boosted surnames; name fields use the full list
    surname_rank = {ch: i for i, ch in enumerate(SURNAMES[:GENERAL_SURNAMES])}
    name_sex = load_name_sex()
    name_freq = {ch: male + female for ch, (male, female) in name_sex.items()}
    # characters seen in at least a few hundred real given names join the character set
    name_chars = frozenset(ch for ch, n in name_freq.items() if n >= NAME_CHAR_MIN)
    char_readings: dict[str, list[str]] = {}
    nasals: list[tuple[str, str]] = []  # (嗯, "ng"): the syllabic-nasal readings `_toneless` drops
    codes = sorted(set(pinyin_dict) | {ord(ch) for ch in standard})
    dictionary = dictionary_readings()
    for code in codes:
        ch = chr(code)
        if not (ch in standard or _in_charset(ch, name_chars)):
            continue
        # pypinyin's order first (its usual reading leads), then any the 8,105 table or 汉典 adds
        readings = ",".join(r for r in (pinyin_dict.get(code, ""), standard.get(ch, ""), dictionary.get(code, "")) if r)
        freq = char_freq.get(ch, 1.0)
        syls = []
        for reading in readings.split(","):
            syl_text = _toneless(reading)
            if syl_text and syl_text not in syls:
                syls.append(syl_text)
            nasal = _nasal(reading)
            if nasal and (ch, nasal) not in nasals:
                nasals.append((ch, nasal))
        char_readings[ch] = syls
        for i, syl in enumerate(syls):
            score = freq if i == 0 else freq * 0.02  # pypinyin lists the usual reading first
            if ch in surname_rank:
                score *= SURNAME_BOOST
            elif ch in GIVEN_NAME_CHARS and i == 0:
                score *= GIVEN_NAME_BOOST
            entries.append(((syl,), ch, score))
    known = {word for word, _ in words}
    given = [a + b for a in GIVEN_NAME_CHARS for b in GIVEN_NAME_CHARS if a != b and a + b not in known]
    given += [a + b for a in SURNAMES[:TOP_SURNAMES] for b in GIVEN_NAME_CHARS if a + b not in known]  # 张伟
    for word, freq in words + [(name, GIVEN_NAME_WORD_SCORE) for name in given]:
        syls = tuple(s.replace("ü", "v") for s in lazy_pinyin(word, style=Style.NORMAL, v_to_u=False))
        if len(syls) == len(word) and all(s.isalpha() for s in syls):
            entries.append((syls, word, freq))

    # 嗯 (ń ňg), 呒 (ḿ): "en" as most IMEs take it, for the characters read only so
    only_nasal = {ch for ch, _ in nasals if not char_readings.get(ch)}
    entries += [(("en",), ch, char_freq.get(ch, 1.0)) for ch in sorted(only_nasal)
                if any(n in ("n", "ng") for c, n in nasals if c == ch)]
    entries = _with_spellings(entries)
    syllables = frozenset(s for syls, _, _ in entries for s in syls)
    # Top surnames go first for their main syllable: above even the most frequent character.
    best: dict[str, float] = {}
    for syls, text, score in entries:
        if len(syls) == 1:
            best[syls[0]] = max(best.get(syls[0], 0.0), score)
    boosted = []
    for syls, text, score in entries:
        rank = surname_rank.get(text, TOP_SURNAMES)
        if len(text) == 1 and rank < TOP_SURNAMES and score >= char_freq.get(text, 1.0) * SURNAME_BOOST:
            score = best[syls[0]] * 2 + (TOP_SURNAMES - rank)
        boosted.append((syls, text, score))
    # the nasal readings as the letters typed ("ng" = n + g, "hng" = h + n + g): found as initials are,
    # never syllables of their own (which would swallow the initials of "wxm" or "ngm")
    boosted += [(tuple(nasal), ch, char_freq.get(ch, 1.0) * (1.0 if ch in only_nasal else 0.02))
                for ch, nasal in nasals]

    buckets: dict[str, list[tuple[tuple[str, ...], str, float]]] = {}
    for syls, text, score in boosted:
        buckets.setdefault("".join(s[0] for s in syls), []).append((syls, text, score))
    for bucket in buckets.values():
        bucket.sort(key=lambda e: -e[2])
    prefixes = _prefixes(syllables)
    first, last, name_pairs = load_name_positions(set(SURNAMES) | set(load_surname_freq()), held_out)
    eras = _given_eras(name_freq, (first, last))
    name_buckets = _name_buckets(char_readings, name_freq, char_freq)
    pairs = frozenset(word for word, _ in words if len(word) == 2)
    totals = (sum(m for m, _ in name_sex.values()), sum(f for _, f in name_sex.values()))
    return _Index(syllables, prefixes, buckets, _source_stamp(max_words), name_buckets, dict(char_freq), name_freq,
                  pairs, name_sex, totals, _sex_lean(name_sex, totals), eras, RECORD_WEIGHT, name_pairs)


def _given_eras(name_freq: dict[str, float],
                positions: tuple[dict[str, int], dict[str, int]]) -> dict[str, tuple[float, float, float]]:
    """Per given-name character of ngender's: (its share of ngender's counts, the modern characters
    weighted by MODERN_GIVEN_WEIGHT as the given-name buckets weigh them; its share of the names on
    record that have it first; that have it last), the last two add-`RECORD_SMOOTHING` (a character
    nobody on record has is rare there, not impossible). Only ngender's characters: the others are
    in no name bucket, so no factor moves them."""
    weighted = {ch: n * (MODERN_GIVEN_WEIGHT if ch in GIVEN_NAME_CHARS else 1.0) for ch, n in name_freq.items()}
    total = sum(weighted.values()) or 1.0
    first, last = positions
    a = RECORD_SMOOTHING
    n_first = sum(first.get(ch, 0) for ch in weighted) + a * len(weighted) or 1.0
    n_last = sum(last.get(ch, 0) for ch in weighted) + a * len(weighted) or 1.0
    return {ch: (n / total, (first.get(ch, 0) + a) / n_first, (last.get(ch, 0) + a) / n_last)
            for ch, n in weighted.items()}


def _name_buckets(char_readings: dict[str, list[str]], name_freq: dict[str, float],
                  char_freq: dict[str, float]) -> dict[str, dict[str, list[tuple[tuple[str, ...], str, float]]]]:
    """Buckets for name fields. Surname position: the surname list by rank (a Zipf-like share, so
    王 for wang beats everything), with the surname reading of 单/解/曾… and the compound surnames.
    Given-name position: characters by how often they occur in given names (ngender), each reading;
    a character not seen in names is left to the general buckets that follow."""
    surname: list[tuple[tuple[str, ...], str, float]] = []
    for ch, share in _surname_shares(load_surname_freq()):
        special = SURNAME_READINGS.get(ch)
        if special:
            surname.append(((special,), ch, share))
        for i, syl in enumerate(char_readings.get(ch, ())):
            if special and syl != special:
                continue  # 单 as a surname is shan, never dan
            if i == 0 or special:
                surname.append(((syl,), ch, share))  # 殷 as a surname is yin only, not yan
    # every reading of each 百家姓 surname the table lacks, below the least of the table's: a
    # rare surname reaches the first page of its readings without pushing a common one down
    floor = min((score for _, _, score in surname), default=1.0) * 0.5
    listed = {ch for _, ch, _ in surname}
    for ch in BAIJIAXING:
        if ch in listed:
            continue  # the table's surnames keep their one reading (王 is never yu, 石 never dan)
        for syl in char_readings.get(ch, ()):
            # the commoner character first among these (a log factor keeps all below the floor)
            surname.append(((syl,), ch, floor * (1.0 + 0.01 * math.log1p(char_freq.get(ch, 0.0)))))
    for rank, word in enumerate(COMPOUND_SURNAMES):
        surname.append((tuple(SURNAME_READINGS[word].split()), word, 40.0 / (rank + 1) ** 0.5))
    given: list[tuple[tuple[str, ...], str, float]] = []
    for ch, count in name_freq.items():
        # how often the character names people, and nothing else: weighting in text frequency
        # (tried on the dev half of bench/names_bench.py, whose public figures it suits, +2 points)
        # pushes the characters living people are named with and text rarely uses (钰, 梓, 睿) off
        # the first page, so it was left out
        if ch in GIVEN_NAME_CHARS:
            count *= MODERN_GIVEN_WEIGHT
        for i, syl in enumerate(char_readings.get(ch, ())):
            given.append(((syl,), ch, count if i == 0 else count * 0.02))
    surname, given = _with_spellings(surname), _with_spellings(given)
    for entries in (surname, given):
        # people write their name with the variant on their papers (𠮷 for 吉, outside the BMP and the
        # 8,105): offered in name fields right after the usual form, never in other fields
        entries += [(syls, NAME_VARIANTS[text], score * 0.05) for syls, text, score in list(entries)
                    if text in NAME_VARIANTS]
    out: dict[str, dict[str, list[tuple[tuple[str, ...], str, float]]]] = {}
    for kind, entries in (("surname", surname), ("given", given)):
        buckets: dict[str, list[tuple[tuple[str, ...], str, float]]] = {}
        seen: set[tuple[tuple[str, ...], str]] = set()
        for syls, text, score in entries:
            if (syls, text) in seen:
                continue
            seen.add((syls, text))
            buckets.setdefault("".join(x[0] for x in syls), []).append((syls, text, score))
        for bucket in buckets.values():
            bucket.sort(key=lambda e: -e[2])
        out[kind] = buckets
    return out


def _surname_shares(table: dict[str, float]) -> list[tuple[str, float]]:
    """Single-character surnames with a score for the surname position: the population share from
    Faker's table (per cent, scaled to the old scale where 王 is 1000), or for a surname of the
    kiosk's own list that the table lacks, a Zipf-like share by its place in the list."""
    out: dict[str, float] = {}
    for ch, pct in table.items():
        if len(ch) == 1:
            out[ch] = pct * 140.0
    for common, listed in SURNAME_VARIANTS.items():
        if listed in out and common not in out:
            # the table counts 闫 and 阎 as one surname under 阎; most people write 闫
            out[common], out[listed] = out[listed], out[listed] / 2
    for rank, ch in enumerate(SURNAMES):
        out.setdefault(ch, 1000.0 / (rank + 1) ** 0.9)  # a surname of our list the table lacks (付)
    return sorted(out.items(), key=lambda e: -e[1])


MAX_INPUT = 64  # pinyin letters looked at: a pasted essay is not a name (the rest is left alone)


def normalise_input(raw: str) -> tuple[str, list[int]]:
    """What a visitor may type for a syllable, as the engine's letters: ü, "u:" and "v" are one
    letter (lü, lu:, lv -> lv); tone marks are dropped (lǚ, zhāng); tone numbers 1-5 separate
    syllables (wang2xiao3ming2 -> wang'xiao'ming'); capitals are lower case. Anything else that is not
    a letter or a separator ends the pinyin there (Anna 王: the engine never sees the 王).

    Returns the letters and, for each prefix length of them, how many raw characters it covers
    (so a candidate's `consumed` counts what the keyboard holds, "u:" being two)."""
    out: list[str] = []
    ends: list[int] = [0]
    i, raw = 0, (raw or "")[:MAX_INPUT * 2]
    while i < len(raw) and len(out) < MAX_INPUT:
        ch, step = raw[i], 1
        if ch in "uU" and raw[i + 1:i + 2] == ":":
            ch, step = "v", 2
        else:
            base = unicodedata.normalize("NFD", ch)
            if base[:1] in ("u", "U") and "\u0308" in base:
                ch = "v"                                   # ü ǖ ǘ ǚ ǜ
            else:
                ch = "".join(c for c in base if not unicodedata.combining(c)) or ch
            if ch in "12345":
                ch = "'"                                   # a tone number closes its syllable
        if len(ch) != 1 or not (ch.isascii() and (ch.isalpha() or ch in "' ")):
            break
        out.append(ch.lower())
        i += step
        ends.append(i)
    return "".join(out), ends


def _toneless(reading: str) -> str:
    """"lǚ" -> "lv", "zhāng" -> "zhang"; "" for readings that are not plain syllables (m̀, ê)."""
    text = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    ok = text.isascii() and text.isalpha() and text.islower() and text not in _INTERJECTIONS
    return text if ok else ""


# Readings of interjections (嗯 n, 呣 m…): as "syllables" they would swallow the initials of
# abbreviations ("wxm" must stay w-x-m), so they are left out of the syllables; `_nasal` keeps them
# for the index, where they are found as the letters typed (嗯 under n and n-g).
_INTERJECTIONS = frozenset({"m", "n", "ng", "hm", "hng", "r"})


def _nasal(reading: str) -> str:
    """"ňg" -> "ng", "ḿ" -> "m": the toneless reading when it is a syllabic nasal (not "r"), else ""."""
    text = "".join(ch for ch in unicodedata.normalize("NFD", reading) if not unicodedata.combining(ch))
    return text if text in _INTERJECTIONS and text != "r" else ""


# Other spellings of ü a visitor types: lue/nue (most IMEs: no plain "lue" exists) and the passport's
# LYU/NYU/LYUE (since 2012: 吕 is LYU). Each entry with lv/nv/lve/nve is indexed under them as well.
SPELLINGS = {"lv": ("lyu",), "nv": ("nyu",), "lve": ("lue", "lyue"), "nve": ("nue", "nyue")}


_ALIASES = frozenset(a for spelt in SPELLINGS.values() for a in spelt)


def _prefixes(syllables: frozenset[str]) -> frozenset[str]:
    """What may start a syllable being typed. The other spellings of ü are whole syllables only:
    "ly" stays the initials l-y (李阳), it does not become the start of "lyu"."""
    return frozenset(s[:i] for s in syllables if s not in _ALIASES for i in range(1, len(s) + 1)) | _ALIASES


def _with_spellings(entries: list[tuple[tuple[str, ...], str, float]]) -> list[tuple[tuple[str, ...], str, float]]:
    """`entries` and, for each with a ü syllable, the same under the other spellings (same score)."""
    out = list(entries)
    for syls, text, score in entries:
        if any(s in SPELLINGS for s in syls):
            for k in range(max(len(SPELLINGS[s]) for s in syls if s in SPELLINGS)):
                out.append((tuple(SPELLINGS[s][min(k, len(SPELLINGS[s]) - 1)] if s in SPELLINGS else s
                                  for s in syls), text, score))
    return out


def segment(pinyin: str, syllables: Iterable[str] | None = None) -> list[list[str]]:
    """All cheapest ways to split typed pinyin into tokens (full syllables or abbreviations).

    A full syllable costs 1, an abbreviation 1.5, so "xian" is one syllable, "xi'an" two,
    and equally cheap readings ("fangan": fang an / fan gan) are all returned, the greedy one first.
    """
    syls = frozenset(syllables) if syllables is not None else _default_syllables()
    prefixes = _prefixes(syls)
    result: list[list[str]] = [[]]
    for part in _SPLIT.split(pinyin.lower().strip("' ")):
        if not part:
            continue
        parses = _segment_part(part, syls, prefixes)
        if not parses:
            return []
        result = [r + p for r in result for p in parses]
    return result if result != [[]] else []


def _segment_part(part: str, syls: frozenset[str], prefixes: frozenset[str]) -> list[list[str]]:
    n = len(part)
    # best[i] = (cost, parses) for part[i:]
    best: list[tuple[float, list[list[str]]] | None] = [None] * (n + 1)
    best[n] = (0.0, [[]])
    for i in range(n - 1, -1, -1):
        options: list[tuple[float, list[list[str]]]] = []
        for j in range(min(n, i + 6), i, -1):  # longest first: greedy parse comes first
            token = part[i:j]
            if best[j] is None:
                continue
            cost = 1.0 if token in syls else 1.5 if token in prefixes else None
            if cost is None:
                continue
            tail_cost, tails = best[j]
            options.append((cost + tail_cost, [[token] + t for t in tails]))
        if options:
            low = min(c for c, _ in options)
            parses = [p for c, ps in options if c == low for p in ps]
            best[i] = (low, parses[:4])
    return best[0][1] if best[0] else []


_DEFAULT_SYLLABLES: frozenset[str] | None = None


def _default_syllables() -> frozenset[str]:
    """Syllables pypinyin knows, without building the full index (for `segment` on its own)."""
    global _DEFAULT_SYLLABLES
    if _DEFAULT_SYLLABLES is None:
        from pypinyin.pinyin_dict import pinyin_dict
        found = set()
        for readings in pinyin_dict.values():
            for reading in readings.split(","):
                syl = _toneless(reading)
                if syl:
                    found.add(syl)
        found |= {alias for s in list(found) for alias in SPELLINGS.get(s, ())}
        _DEFAULT_SYLLABLES = frozenset(found)
    return _DEFAULT_SYLLABLES


class PinyinEngine:
    """Candidate lookup over a cached index; use `load_in_background()` from the UI."""

    def __init__(self, cache_dir: Path | None = None, max_words: int = DEFAULT_MAX_WORDS,
                 held_out: Iterable[str] = ()) -> None:
        """`held_out`: names the name-position counts leave out, for measuring (bench/names_bench.py);
        an engine with any is built afresh and never cached."""
        self.cache_dir = cache_dir
        self.max_words = max_words
        self.held_out = frozenset(held_out)
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.load_seconds: float | None = None
        self.loaded_from_cache = False
        self._index: _Index | None = None
        self._lock = threading.Lock()
        self._callbacks: list[Callable[["PinyinEngine"], None]] = []
        self._thread: threading.Thread | None = None
        self._share_cache: dict[tuple, list[tuple[str, float]]] = {}
        self._after_cache: dict[tuple, list[float]] = {}
        # whole results: `_warm` holds every single-token input (filled once by `warm_up`),
        # `_recent` the last RESULT_CACHE others; a repeated look-up is a dict read and a slice
        self._warm: dict[tuple[str, str, str], tuple[Candidate, ...]] = {}
        self._recent: dict[tuple[str, str, str], tuple[Candidate, ...]] = {}
        self._cache_lock = threading.Lock()
        self._bucket_tables: dict[tuple[int, str], tuple[dict, dict]] = {}
        self.warm_seconds: float | None = None
        self._prior_tops: tuple[float, float] | None = None
        self._site: learned.NameCounts | None = None  # this desk's visitors' character counts

    @property
    def cache_path(self) -> Path:
        """Where the built index is cached (the box's state dir unless given)."""
        if self.cache_dir is None:
            from kiosk.core import paths
            self.cache_dir = paths.state_dir()
        return Path(self.cache_dir) / CACHE_NAME

    # --- loading -------------------------------------------------------------------------------
    def load(self) -> "PinyinEngine":
        """Load the cached index, or build and cache it; blocking, idempotent."""
        with self._lock:
            if self._index is not None:
                return self
            start = time.perf_counter()
            stamp = _source_stamp(self.max_words)
            with gcpolicy.bulk_load("the pinyin index"):   # millions of objects kept for good: never walked again
                index = None if self.held_out else self._read_cache(stamp)
                self.loaded_from_cache = index is not None
                if index is None:
                    index = build_index(self.max_words, self.held_out)
                    if not self.held_out:
                        self._write_cache(index)
            self._index = index
            self.load_seconds = time.perf_counter() - start
            log.info("pinyin index ready in %.2f s (%s)", self.load_seconds,
                     "cache" if self.loaded_from_cache else "built")
        return self

    def load_in_background(self, on_ready: Callable[["PinyinEngine"], None] | None = None) -> threading.Event:
        """Start loading on a daemon thread and return at once; `on_ready(engine)` is called from
        that thread when done (the UI hops to its main thread itself). Returns the ready event."""
        with self._lock:
            if on_ready is not None:
                if self.ready.is_set():
                    on_ready(self)
                else:
                    self._callbacks.append(on_ready)
            if self._thread is None and not self.ready.is_set():
                self._thread = threading.Thread(target=self._run, name="pinyin-load", daemon=True)
                self._thread.start()
        return self.ready

    def _run(self) -> None:
        try:
            self.load()
        except BaseException as exc:  # noqa: BLE001 - reported to the UI, which falls back to letters
            log.exception("pinyin index failed to load")
            self.error = exc
        with self._lock:
            self.ready.set()
            callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            cb(self)
        if self.error is None:
            self._warm_after_ready()

    def _warm_after_ready(self) -> None:
        """After the UI has its engine: keep every single-token result (see `warm_up`)."""
        start = time.perf_counter()
        try:
            with gcpolicy.bulk_load("the warmed pinyin results"):
                self.warm_up()
        except Exception:  # noqa: BLE001 - warming is an optimisation; look-ups still compute
            log.exception("pinyin warm-up failed")
        self.warm_seconds = time.perf_counter() - start
        log.info("pinyin results warmed in %.1f s", self.warm_seconds)

    def _read_cache(self, stamp: str) -> _Index | None:
        path = self.cache_path
        try:
            with open(path, "rb") as fh:
                index = pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - a damaged cache is simply rebuilt
            log.warning("pinyin cache %s unreadable (%s); rebuilding", path, exc)
            return None
        if not isinstance(index, _Index) or index.source != stamp:
            return None
        return index

    def _write_cache(self, index: _Index) -> None:
        path = self.cache_path
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        try:
            with open(tmp, "wb") as fh:
                pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: a crash never leaves half a cache
        except OSError as exc:
            log.warning("could not cache pinyin index at %s: %s", path, exc)

    # --- lookup --------------------------------------------------------------------------------
    def segment(self, pinyin: str) -> list[list[str]]:
        """Token parses of `pinyin` (see module `segment`)."""
        return segment(pinyin, self._require().syllables)

    def candidates(self, pinyin: str, limit: int | None = 20, kind: str = "general",
                   before: str = "") -> list[Candidate]:
        """Candidates for the whole input first, then for its leading tokens (best first).

        `limit=None` lists every candidate (the keyboard pages on with no cut-off). `kind` is
        "general" (company, purpose, notes…), "surname" (a name field, at its start: surname readings
        and compound surnames first, then whole names) or "given" (a name field after the surname).
        `before` is the name typed so far (given position): once it holds a given-name character,
        the characters that make a word with it come first (黄建 + guo: 国), in their own order."""
        index = self._require()
        letters, ends = normalise_input(pinyin)
        if letters != pinyin:
            # lü / lu: / zhang1: looked up as the engine's letters, `consumed` mapped back to the raw
            found_n = self.candidates(letters, limit, kind, before) if letters.strip("' ") else []
            return [Candidate(c.text, ends[min(c.consumed, len(ends) - 1)], c.score) for c in found_n]
        prev = _given_context(before) if kind == "given" and index.pairs else ""
        key = (pinyin, kind, prev)
        found = self._warm.get(key) or self._recent.get(key)
        if found is None:
            base_key = (pinyin, kind, "")
            found = self._warm.get(base_key) or self._recent.get(base_key)
            if found is None:
                found = tuple(self._compute(index, pinyin, kind))
                self._remember(base_key, found)
            if prev:
                found = _given_after(found, prev, len(pinyin), index)
                self._remember(key, found)
        site = self._site.get(kind) if self._site else None
        if site:
            # this desk's own visitors (character counts only: kiosk.input.learned); on top of the
            # kept result, so learning never invalidates the warmed tables
            skey = (pinyin, kind, prev, "site")
            ranked = self._recent.get(skey)
            if ranked is None:
                # the prior is the package data's as this name's context weighs it (`_given_after`)
                weight = (lambda ch: _after(index, prev, ch)) if prev else None
                ranked = learned.rerank(found, site, len(pinyin), weight)
                self._remember(skey, ranked)
            found = ranked
        return list(found if limit is None else found[:max(0, limit)])

    def learn(self, counts: "learned.NameCounts") -> None:
        """Rank name fields with this desk's character counts too (replacing any earlier counts)."""
        with self._cache_lock:
            self._site = counts
            for k in [k for k in self._recent if len(k) == 4]:
                self._recent.pop(k, None)

    def _remember(self, key: tuple, value: tuple[Candidate, ...]) -> None:
        """Keep a whole result for the next identical look-up (bounded, oldest out first)."""
        if len(key[0]) > 32:
            return  # a pasted essay is not worth keeping
        with self._cache_lock:
            self._recent[key] = value
            while len(self._recent) > RESULT_CACHE:
                self._recent.pop(next(iter(self._recent)), None)

    def warm_up(self, kinds: Iterable[str] = WARM_KINDS, stop: threading.Event | None = None) -> int:
        """Compute and keep the whole result of every single-token input (each syllable and each
        leading part of one: "y", "zh", "zhan", "zhang") for `kinds`, so typing the first syllable
        of any field is a dict read and a slice. Run on the loader thread after `ready`; returns
        how many results it keeps (about 1,500, ~12 MB)."""
        index = self._require()
        done = 0
        for kind in kinds:
            for text in sorted(index.prefixes, key=lambda t: (len(t), t)):
                if stop is not None and stop.is_set():
                    return done
                key = (text, kind, "")
                if key not in self._warm:
                    self._warm[key] = self._recent.get(key) or tuple(self._compute(index, text, kind))
                done += 1
                time.sleep(0)  # let the UI thread have the interpreter between results
        return done

    def _compute(self, index: _Index, pinyin: str, kind: str) -> list[Candidate]:
        """Every candidate for `pinyin` in `kind`, best first (no context: see `candidates`)."""
        limit = None
        index = self._require()
        parses = segment(pinyin, index.syllables)
        if not parses:
            return []
        cap = limit if limit is not None else 10**9
        out: list[Candidate] = []
        seen: set[str] = set()

        def add(text: str, consumed: int, score: float) -> None:
            if text not in seen:
                seen.add(text)
                out.append(Candidate(text, consumed, score))

        names = index.name_buckets.get(kind) if kind in ("surname", "given") else None
        if names is not None:
            # in a name field a few letters are most likely initials: "hzh" is 黄梓涵 (h-z-h) as well
            # as h-zh, which the cheapest-parse rule alone would keep
            letters = pinyin.lower()
            # ("zh"/"ch"/"sh" alone stay the surname prefixes they are; "zhang" stays one syllable)
            if (3 <= len(letters) <= NAME_MAX_GIVEN + 2 and letters.isascii() and letters.isalpha()
                    and any(len(t) > 1 and t not in index.syllables for t in parses[0])
                    and all(ch in index.prefixes for ch in letters) and list(letters) not in parses):
                parses = parses + [list(letters)]
        longest = max(len(p) for p in parses)
        if names is not None:
            for cand in self._names(index, parses, pinyin, kind):
                add(cand.text, cand.consumed, cand.score)
        for count in range(longest, 0, -1):
            level: list[tuple[float, str, int]] = []
            matching = [p for p in parses if len(p) >= count]
            for parse in matching:
                consumed = _consumed_chars(pinyin, parse[:count])
                if names is not None:
                    # name data first (ranked among themselves above any general word) …
                    level += [(1e12 + score, text, consumed)
                              for text, score in self._lookup(index, parse[:count], cap, names)]
                # … then every other reading of every character: nothing is out of reach
                level += [(score, text, consumed) for text, score in self._lookup(index, parse[:count], cap)]
            if count == longest and count >= 2 and not level and not out:
                composed = self._compose(index, parses[0], pinyin)
                if composed:
                    add(composed.text, composed.consumed, composed.score)
            if len(matching) > 1:  # one parse: both lists come sorted, names first, as wanted
                level.sort(key=lambda e: -e[0])
            for score, text, consumed in level:
                if text not in seen:
                    add(text, consumed, score)
            if len(out) >= cap and count < longest:
                break
        return out[:cap]

    def _names(self, index: _Index, parses: list[list[str]], pinyin: str, kind: str) -> list[Candidate]:
        """Whole-name candidates for the whole input: surname (single or compound) + given-name
        characters, scored by the product of each position's share of its reading."""
        surname, given = index.name_buckets["surname"], index.name_buckets["given"]
        found: dict[str, float] = {}
        for tokens in parses:
            n = len(tokens)
            if n < 2 and kind == "given":
                continue
            heads: list[tuple[str, float, int]] = []   # (text, probability, tokens used)
            if kind == "surname":
                for width in (1, 2):
                    if n >= width:
                        heads += [(t, p, width) for t, p in self._shares(index, tokens[:width], surname)]
            else:
                heads = [("", 1.0, 0)]
            given_beams: dict[int, list[tuple[str, float]]] = {}  # the given name after `used` tokens
            for head, p_head, used in heads:
                rest = tokens[used:]
                if len(rest) > NAME_MAX_GIVEN or (not rest and (used < 2 or n != 2)):
                    continue
                if used not in given_beams:
                    given_beams[used] = self._given_beam(index, rest, given)
                for text, p in ((head + t, p_head * q) for t, q in given_beams[used]):
                    # per token (geometric mean): parses of different lengths ("hzh" as h-zh or
                    # h-z-h) compare fairly; within one parse the order is the product's
                    p = p ** (1.0 / n)
                    if len(text) >= 2 and p > found.get(text, 0.0):
                        found[text] = p
        ranked = sorted(found.items(), key=lambda e: -e[1])[:NAME_INITIAL_BEAM * 4]
        return [Candidate(text, len(pinyin), 2e12 + p) for text, p in ranked]

    def _given_beam(self, index: _Index, tokens: list[str], given) -> list[tuple[str, float]]:
        """The best NAME_INITIAL_BEAM given names for the tokens, each with its probability: the product
        of each character's share of its reading, a later character weighed in the light of the one
        before it (`_after`: the bearer's sex, a word the two make). The same for every surname, so
        it is built once per parse (a surname's share only scales it)."""
        beam = [("", 1.0)]
        for k, tok in enumerate(tokens):
            options = self._shares(index, [tok], given)
            if k == 0:
                beam = [(t + o, p * q) for t, p in beam for o, q in options]
            else:
                beam = [(t + o, p * q * w) for t, p in beam
                        for (o, q), w in zip(options, self._afters(index, t[-1], options))]
            beam = sorted(beam, key=lambda e: -e[1])[:NAME_INITIAL_BEAM]
        return beam

    def _afters(self, index: _Index, prev: str, options: list[tuple[str, float]]) -> list[float]:
        """`_after(prev, ch)` for each option (a few distinct `prev` per look-up: kept)."""
        key = (prev, tuple(o for o, _ in options))
        cached = self._after_cache.get(key)
        if cached is None:
            cached = _afters_of(index, prev, [o for o, _ in options])
            if len(self._after_cache) > 20_000:  # bounded memory
                self._after_cache.clear()
            self._after_cache[key] = cached
        return cached

    def _shares(self, index: _Index, tokens: list[str], buckets) -> list[tuple[str, float]]:
        """Best NAME_BEAM texts (NAME_INITIAL_BEAM for bare initials) for the tokens in a name bucket, each with its share of the reading."""
        key = (id(buckets), tuple(tokens))
        cached = self._share_cache.get(key)
        if cached is None:
            hits = self._lookup(index, tokens, 10**9, buckets)
            total = sum(score for _, score in hits) or 1.0
            keep = NAME_INITIAL_BEAM if all(t not in index.syllables for t in tokens) else NAME_BEAM
            cached = [(text, score / total) for text, score in hits[:keep]]
            if len(self._share_cache) > 20_000:  # bounded memory on a kiosk that runs for months
                self._share_cache.clear()
            self._share_cache[key] = cached
        return cached

    def char_prior(self, ch: str) -> float:
        """0..10: how common `ch` is, in text and in names (log scale); for handwriting re-ranking."""
        index = self._require()
        if self._prior_tops is None:  # once: max() over 7,000 entries per call would cost ms
            self._prior_tops = (math.log1p(max(index.char_freq.values(), default=1.0)) or 1.0,
                                math.log1p(max(index.name_freq.values(), default=1.0)) or 1.0)
        general = math.log1p(index.char_freq.get(ch, 0.0)) / self._prior_tops[0]
        named = math.log1p(index.name_freq.get(ch, 0.0)) / self._prior_tops[1]
        return 10.0 * max(general, named)

    def _lookup(self, index: _Index, tokens: list[str], limit: int,
                buckets: dict | None = None) -> list[tuple[str, float]]:
        """Entries of a bucket matching the tokens, best first. Whole syllables only ("jian guo"),
        or bare initials only ("j g"), is a dict read in a per-bucket table built on first use;
        a mix ("jian g") scans the bucket."""
        buckets = index.buckets if buckets is None else buckets
        key = "".join(t[0] for t in tokens)
        bucket = buckets.get(key, ())
        if not bucket:
            return []
        full = [t in index.syllables for t in tokens]
        if all(full) or not any(full) and all(len(t) == 1 for t in tokens):
            exact, by_len = self._tables(buckets, key, bucket)
            hits = exact.get(tuple(tokens), ()) if all(full) else by_len.get(len(tokens), ())
            return list(hits[:limit])
        if buckets is not index.buckets:
            # in a name field a one-letter syllable among initials is an initial too: "oy" is 欧阳
            full = [f and len(t) > 1 for f, t in zip(full, tokens)]
        found = []
        for syls, text, score in bucket:
            if len(syls) != len(tokens):
                continue
            for tok, syl, exact_ in zip(tokens, syls, full):
                if (syl != tok) if exact_ else not syl.startswith(tok):
                    break
            else:
                found.append((text, score))
                if len(found) >= limit:
                    break
        return found

    def _tables(self, buckets: dict, key: str, bucket: list) -> tuple[dict, dict]:
        """For one bucket: syllables -> [(text, score)] and syllable count -> [(text, score)], each
        in the bucket's order. Built once per bucket (as long as one scan); the buckets live as long
        as the engine, so their id is a stable key."""
        tkey = (id(buckets), key)
        tables = self._bucket_tables.get(tkey)
        if tables is None:
            exact: dict[tuple[str, ...], list[tuple[str, float]]] = {}
            by_len: dict[int, list[tuple[str, float]]] = {}
            for syls, text, score in bucket:
                exact.setdefault(syls, []).append((text, score))
                by_len.setdefault(len(syls), []).append((text, score))
            tables = (exact, by_len)
            if len(self._bucket_tables) >= BUCKET_TABLES:
                self._bucket_tables.clear()  # bounded memory; the tables rebuild on demand
            self._bucket_tables[tkey] = tables
        return tables

    def _compose(self, index: _Index, tokens: list[str], pinyin: str) -> Candidate | None:
        """A whole-input guess when no single word matches: the best first character (a surname for
        names), then the longest known words for the rest."""
        first = self._lookup(index, tokens[:1], 1)
        if not first:
            return None
        text, i = first[0][0], 1
        while i < len(tokens):
            for j in range(len(tokens), i, -1):
                hit = self._lookup(index, tokens[i:j], 1)
                if hit:
                    text += hit[0][0]
                    i = j
                    break
            else:
                return None
        return Candidate(text, len(pinyin), 0.0)

    def _require(self) -> _Index:
        if self._index is None:
            self.load()
        assert self._index is not None
        return self._index


def _given_after(found: tuple[Candidate, ...], prev: str, length: int, index: _Index) -> tuple[Candidate, ...]:
    """The name-data single characters that take the whole input, re-ranked in their own places for
    the given-name character `prev` before them (each score times `_after(prev, ch)`): 张廷 + yu puts
    玉 (a man's) before 钰 and 瑜, 黄建 + guo puts 国 first. Nothing is added or dropped; a general-
    dictionary character (not in the name data) keeps its place after them."""
    lo = hi = None
    for i, c in enumerate(found):
        if _NAME_SCORE <= c.score < 2 * _NAME_SCORE and len(c.text) == 1 and c.consumed == length:
            lo = i if lo is None else lo
            hi = i + 1
        elif lo is not None:
            break
    if lo is None:
        return found
    part = found[lo:hi]
    keys = [-(c.score - _NAME_SCORE) * f for c, f in zip(part, _afters_of(index, prev, [c.text for c in part]))]
    order = sorted(range(len(part)), key=keys.__getitem__)  # stable: equal scores keep their order
    return found[:lo] + tuple(part[i] for i in order) + found[hi:]


_NAME_SCORE = 1e12  # name-bucket candidates score from here, whole names from twice that
# A second given-name character that makes a word of the general dictionary with the first (建国,
# 志强) counts this many times its name count. Chosen on the dev half of bench/names_bench.py
# (second given-name character first: 1x 40.5 %, 10x 42.1 %, 30x 43.7 %, 100x 44.2 %; always
# first, as before, 41.6 %): the round value below the peak. Always-first put 虾 (青虾) before 霞
# for 林青 and 尉 (廷尉) before 玉 for 张廷.
PAIR_WEIGHT = 30.0
# A second given-name character that makes, with the first, the given name of someone on record (a
# name of jieba's dictionary, `load_name_positions`: 国 + 荣) counts this many times. Chosen on the dev
# half with the dev names left out of the counts (as for names nobody on record has): second given-name
# character first 43.9 % (none) -> 50.8 % (3x), 52.6 % (10x) at RECORD_WEIGHT 0.15; 30x and 100x
# gave 51.6 % at 0.3, as did 10x there.
NAME_PAIR_WEIGHT = 10.0


def _after(index: _Index, prev: str, ch: str) -> float:
    """How much likelier `ch` is as the given-name character after `prev` than its count alone says.
    A name's characters share its bearer's sex: P(ch | prev) = P(m | prev) P(ch | m) + P(f | prev)
    P(ch | f) over ngender's counts by sex (equal priors for the two sexes: a desk's visitors are
    both), divided by what the plain count says; times PAIR_WEIGHT when the two make a word, or
    NAME_PAIR_WEIGHT when they are someone's given name on record; times `_era_factor`."""
    return _afters_of(index, prev, (ch,))[0]


def _afters_of(index: _Index, prev: str, chars: Iterable[str]) -> list[float]:
    """`_after(index, prev, ch)` for each of `chars`, what depends on `prev` alone worked out once and
    no call per character (a re-rank does this for every candidate: 900 for "y")."""
    p_m, pi = _male_share(index, prev), _record_share(index, prev)
    pairs, name_pairs, lean, eras = index.pairs, index.name_pairs, index.sex_lean, index.eras
    rest = 1.0 - pi
    out = []
    for ch in chars:
        pair = prev + ch
        f = PAIR_WEIGHT if pair in pairs else NAME_PAIR_WEIGHT if pair in name_pairs else 1.0
        if pi:
            there = eras.get(ch)
            if there is not None and there[0] > 0:
                f *= rest + pi * there[2] / there[0]
        if p_m is not None:
            sexed = lean.get(ch)
            if sexed is not None:
                f *= sexed[0] + p_m * sexed[1]
        out.append(f)
    return out


def _record_share(index: _Index, prev: str) -> float:
    """pi: the posterior share of the names on record for a name whose first given-name character is
    `prev`, W h1(prev) / ((1 - W) m(prev) + W h1(prev)) with W = RECORD_WEIGHT (0.0 when unknown)."""
    w, here = index.record_weight, index.eras.get(prev)
    if w <= 0 or here is None:
        return 0.0
    mixed = (1.0 - w) * here[0] + w * here[1]
    return w * here[1] / mixed if mixed > 0 else 0.0


def _era_factor(index: _Index, prev: str, ch: str) -> float:
    """P(ch last | prev first) / P(ch) for a later given-name character, over the two populations of
    RECORD_WEIGHT: with pi the first character's share of the names on record (`_record_share`), the
    two mix for `ch`: (1 - pi) + pi h2(ch) / m(ch). 1.0 when either is unknown (an index without the
    counts, a character outside ngender's)."""
    pi, there = _record_share(index, prev), index.eras.get(ch)
    if not pi or there is None or there[0] <= 0:
        return 1.0
    return (1.0 - pi) + pi * there[2] / there[0]


def _male_share(index: _Index, prev: str) -> float | None:
    """P(m | prev): the share of men among the bearers of given-name character `prev` (equal priors)."""
    male_total, female_total = index.sex_totals
    counts = index.name_sex.get(prev)
    if male_total <= 0 or female_total <= 0 or not counts or counts[0] + counts[1] <= 0:
        return None
    like_m, like_f = counts[0] / male_total, counts[1] / female_total
    return like_m / (like_m + like_f)


def _sex_lean(name_sex: dict[str, tuple[float, float]],
              totals: tuple[float, float]) -> dict[str, tuple[float, float]]:
    """Per character, (a, b) with P(ch | prev) / P(ch) = a + P(m | prev) * b (see `_after`): with M, F
    all men's and all women's counts and m, f the character's, a = (M + F) f / (F (m + f)) and
    a + b = (M + F) m / (M (m + f)). Built once with the index: a look-up's re-rank is a dict read."""
    male_total, female_total = totals
    out: dict[str, tuple[float, float]] = {}
    if male_total <= 0 or female_total <= 0:
        return out
    scale = male_total + female_total
    for ch, (m, f) in name_sex.items():
        if m + f > 0:
            a = scale * f / (female_total * (m + f))
            out[ch] = (a, scale * m / (male_total * (m + f)) - a)
    return out


def _given_context(before: str) -> str:
    """The given-name character a following one pairs with: the last character of `before` when it
    follows the surname (one character, or a compound surname), else ""."""
    text = "".join(ch for ch in (before or "")[:64] if "\u4e00" <= ch <= "\u9fff")
    head = 2 if text[:2] in COMPOUND_SURNAMES else 1
    return text[-1] if len(text) > head else ""


def _consumed_chars(pinyin: str, tokens: list[str]) -> int:
    """How many characters of the raw input (apostrophes included) the tokens cover."""
    need = "".join(tokens)
    got = 0
    for pos, ch in enumerate(pinyin):
        if got == len(need):
            # swallow a separator right after the consumed part
            return pos + 1 if ch in "' " else pos
        if ch.lower() == need[got]:
            got += 1
    return len(pinyin)


_shared: PinyinEngine | None = None


def shared_engine() -> PinyinEngine:
    """One engine per process (the keyboard's)."""
    global _shared
    if _shared is None:
        _shared = PinyinEngine()
    return _shared
