"""Which complaints are about one matter: the folded form of a typed topic (issue 12, "five customers").

Clerks type the same matter many ways: "停水了", "又停水了!!", "停水。", "Water outage"; "电梯", "电梯坏了",
"Elevator", "lift". :func:`topic_key` folds them to one key:

1. the text is bounded (a topic is at most 60 characters; anything longer is cut before any work, so a
   hostile string costs the same as a short one), NFKC'd, case-folded and traditional characters made
   simplified (kiosk.core.namefold, OpenCC t2s: "電梯" is "电梯");
2. whitespace, punctuation, symbols (emoji) and control characters are dropped (全角 and 半角 agree);
3. trailing particles (了 啦 呀 吧 啊 …) and a leading "again" (又, 再次 …) are stripped;
4. the rest is looked up in a small bilingual table of the property desk's common matters (停水 / water
   outage, 停电 / power outage, 电梯 / elevator / lift, 漏水 / leak, 噪音 / noise, 停车 / parking,
   空调 / air conditioning, 垃圾 / garbage, 门禁 / access control, 暖气 / heating, 燃气 / gas): a hit, also
   after cutting a state word ("坏", "故障", "broken", "notworking"), gives the matter's canonical key.

5. failing that, the words that say when, where or how much rather than what are cut (今天, 家里, 全楼,
   3号楼, 三天, 的, 了; "the", "is", "today", "at home") and the rest is looked up again: "今天停水了",
   "家里停水", "全楼停水" and "the water is off" are 停水. Outages are known both ways round ("水停了" and
   "停水", "自来水停了", "电停了" and "停电"; "电梯坏了" and "电梯故障" by the state words).

A topic not in the table keeps its stripped text as its key, so unrelated topics never fold together
(停水 is not 停电 nor 停车; "窗户漏风" is not "漏水"). A matter is found inside a text only when everything
else in it is such a filler, never by a bare substring search: "电梯里有人吸烟" is not the elevator breaking
down, "车库漏水严重吗" is not a leak report and "停水停电" (two matters) stays itself.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from kiosk.core import namefold

MAX_TOPIC_CHARS = 200  # well above the 60 a topic may hold: longer text is cut, never walked
_MAX_STRIPS = 8        # each affix strip shortens the text; this bounds the loop whatever the table holds

# canonical key -> how desks write it (folded below exactly as typed text is, so spaces and case do not matter)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "停水": ("不来水", "water outage", "water cut", "water cut off", "water off", "water out", "no water",
             "water shutoff", "water shut off", "water stopped", "no running water"),
    "停电": ("跳闸", "power outage", "power cut", "power cut off", "power off", "power out", "no power",
             "power failure", "blackout", "no electricity"),
    "电梯": ("电梯", "升降梯", "电梯故障", "elevator", "elevators", "lift", "lifts"),
    "漏水": ("漏水", "渗水", "水管漏水", "水管爆", "漏雨", "leak", "leaks", "leaking", "water leak", "leakage"),
    "噪音": ("噪音", "噪声", "太吵", "很吵", "吵", "扰民", "noise", "noisy", "too noisy"),
    "停车": ("停车", "车位", "停车位", "乱停车", "停车难", "parking", "car park", "parking space", "parking lot"),
    "空调": ("空调", "冷气", "air conditioning", "air conditioner", "aircon", "a/c", "hvac"),
    "垃圾": ("垃圾", "垃圾清运", "垃圾桶", "垃圾没人收", "garbage", "rubbish", "trash", "refuse collection"),
    "门禁": ("门禁", "门禁卡", "门禁系统", "门卡", "刷卡", "access control", "access card", "door access",
             "key card", "keycard", "entry system"),
    "暖气": ("暖气", "供暖", "没暖气", "不供暖", "heating", "no heating", "radiator"),
    "燃气": ("燃气", "煤气", "gas", "gas outage", "no gas"),
}
# Outages said verb first or object first: 停水 and 水停(了), 断自来水 and 自来水断了 (both orders join the table).
OUTAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "停水": (("水", "自来水"), ("停", "断", "没", "没有", "无")),
    "停电": (("电",), ("停", "断", "没", "没有", "无")),
    "燃气": (("气", "燃气", "煤气"), ("停", "断", "没", "没有")),
}
# Cut anywhere before the second look-up (step 5): when, where and how much, never what.
FILLERS = ("今天", "昨天", "今早", "今晚", "早上", "上午", "中午", "下午", "晚上", "现在", "刚才", "突然", "一直",
           "家里", "我家", "我们家", "家中", "屋里", "全楼", "整栋楼", "整个楼", "这栋楼", "我们楼", "楼里", "楼上",
           "楼下", "整个小区", "全小区", "小区里", "我们", "全部", "都", "也", "的", "了", "又")
_FILLERS_BY_END: dict[str, tuple[str, ...]] = {}
for _filler in FILLERS:
    _FILLERS_BY_END[_filler[-1]] = _FILLERS_BY_END.get(_filler[-1], ()) + (_filler,)
# counted places and spans ("3号楼", "三天") are fillers too
_COUNTED_RE = re.compile(r"[0-9一二两三四五六七八九十几半]+个?(?:号楼|栋|单元|层|天|小时|分钟|星期|周)")
WORD_FILLERS = frozenset({"the", "a", "is", "are", "was", "s", "has", "have", "had", "been", "there", "here",
                          "we", "i", "it", "my", "our", "at", "in", "home", "today", "now", "still", "again",
                          "all", "whole", "building", "flat", "apartment", "since", "this", "morning"})
# Stripped from the end at any time (after punctuation is gone): the particles of spoken Chinese.
PARTICLES = ("了", "啦", "呀", "吧", "啊", "哦", "呢", "嘛", "哇", "喽", "咯")
# Stripped from the start at any time: "again" (又停水了 is 停水).
LEADS = ("又一次", "又是", "再次", "又")
# Cut only when what is left is in the table ("电梯坏了" is 电梯; "窗户坏了" stays itself).
STATE_SUFFIXES = ("又坏", "又停", "坏掉", "坏", "出故障", "有故障", "故障", "出问题", "有问题", "问题", "不动", "不工作",
                  "不能用", "用不了", "停运", "停", "broken", "isbroken", "down", "isdown", "outoforder",
                  "notworking", "isnotworking", "problem", "problems", "issue", "issues", "failure", "again")
STATE_LEADS = ("还是", "还", "一直", "经常", "总是", "老是", "the", "again")


def _bare(text: str) -> str:
    """NFKC, case, simplified characters; whitespace, punctuation, symbols and control characters dropped."""
    folded = namefold.fold(text)
    # category C: controls, NUL, format characters, unassigned; Z: separators; P, S: punctuation and symbols
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "CZPS")


# longest first, so that "isbroken" is cut whole before "broken" could leave "liftis"
PARTICLES, LEADS, STATE_SUFFIXES, STATE_LEADS = (tuple(sorted(words, key=len, reverse=True)) for words in
                                                 (PARTICLES, LEADS, STATE_SUFFIXES, STATE_LEADS))
_TABLE: dict[str, str] = {_bare(spelling): key for key, spellings in SYNONYMS.items() for spelling in spellings}
_TABLE.update({verb + thing: key for key, (things, verbs) in OUTAGES.items() for thing in things for verb in verbs})
_TABLE.update({thing + verb: key for key, (things, verbs) in OUTAGES.items() for thing in things for verb in verbs})
_TABLE.update({key: key for key in SYNONYMS})


def _strip(text: str, leads: tuple[str, ...], tails: tuple[str, ...]) -> str:
    """Text with one matching lead and one matching tail cut, never down to nothing."""
    for lead in leads:
        if text.startswith(lead) and len(text) > len(lead):
            text = text[len(lead):]
            break
    for tail in tails:
        if text.endswith(tail) and len(text) > len(tail):
            text = text[:-len(tail)]
            break
    return text


def _stripped(text: str) -> str:
    """Particles and "again" cut (bounded): "又停水了" -> "停水"."""
    for _ in range(_MAX_STRIPS):
        shorter = _strip(text, LEADS, PARTICLES)
        if shorter == text:
            break
        text = shorter
    return text


def _lookup(text: str) -> str | None:
    """The matter's key for a stripped text: the table, then after cutting state words; None when unknown."""
    if text in _TABLE:
        return _TABLE[text]
    probe = text
    for _ in range(_MAX_STRIPS):  # state words, only to reach a matter the table knows
        shorter = _strip(_strip(probe, STATE_LEADS, STATE_SUFFIXES), LEADS, PARTICLES)
        if shorter == probe:
            break
        probe = shorter
        if probe in _TABLE:
            return _TABLE[probe]
    return None


def _core(bounded: str) -> str:
    """The text without its fillers (step 5): English filler words by word, Chinese ones anywhere."""
    folded = unicodedata.normalize("NFKC", bounded).casefold()
    words = "".join(ch if unicodedata.category(ch)[0] not in "CZPS" else " " for ch in folded).split()
    return _stripped(_drop_fillers(_COUNTED_RE.sub("", _bare("".join(w for w in words if w not in WORD_FILLERS)))))


def _drop_fillers(text: str) -> str:
    """The text with as many of its characters as possible covered by fillers taken out. A longest-first
    regex is greedy: "我们楼里" would lose "我们楼" and keep "里", where "我们" + "楼里" covers it all. One pass
    of dynamic programming over the (bounded) text: for each end, the most characters fillers can cover."""
    best = [0] * (len(text) + 1)        # characters covered in text[:i]
    step: list[int] = [0] * (len(text) + 1)   # length of the filler ending at i (0: character kept)
    for i in range(1, len(text) + 1):
        best[i], step[i] = best[i - 1], 0
        for filler in _FILLERS_BY_END.get(text[i - 1], ()):
            n = len(filler)
            if n <= i and text[i - n:i] == filler and best[i - n] + n > best[i]:
                best[i], step[i] = best[i - n] + n, n
    kept, i = [], len(text)
    while i > 0:
        if step[i]:
            i -= step[i]
        else:
            kept.append(text[i - 1])
            i -= 1
    return "".join(reversed(kept))


@functools.lru_cache(maxsize=4096)
def _key(bounded: str) -> str:
    text = _stripped(_bare(bounded))
    found = _lookup(text)
    if found is None:
        core = _core(bounded)
        found = _lookup(core) if core and core != text else None
    return text if found is None else found


def topic_key(text: str | None) -> str:
    """The grouping form of a typed topic (see the module): "停水了", "又停水了!!" and "water outage" are "停水";
    "电梯坏了", "Elevator" and "lift" are "电梯"; "" for a topic with nothing left to compare. Never raises,
    and costs the same for any input (the text is cut to MAX_TOPIC_CHARS first, the loops are bounded)."""
    if not isinstance(text, str) or not text:
        return ""
    return _key(text[:MAX_TOPIC_CHARS])
