"""Suggest held items for a lost report, in people's words and in either language.

Text is read through a small bilingual lexicon (`kiosk.lostfound.lexicon`): "华为", "huawei" and
"Huawei" are one concept, "皮夹" is a wallet *and* leather, "iPhone" is Apple *and* a phone. What the
lexicon does not know is kept as leftover words (English words, Chinese character bigrams), which still
count, but less. Concepts weigh by kind: a brand or model says far more than a generic noun ("手机"),
and a brand or colour that contradicts ("华为" against an Apple phone) counts against. Items filed under
a related category are searched too (a phone filed under electronics). A suggestion needs at least one
piece of specific evidence: category and a generic noun alone are not a match.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta
from typing import Callable

from kiosk.lostfound.kinds import TRAD_TO_SIMP
from kiosk.lostfound.kinds import BRANDS
from kiosk.lostfound.lexicon import (COMPOUND_TAILS, FAMILY_BRAND, GENERIC, HOST, NUMBERED_BRANDS, OWNED_KINDS, PARENT,
                                     RELATED, STOP_CHARS, STOPWORDS, WEIGHTS, concepts_of_surface, surfaces)
from kiosk.lostfound.service import Item

WINDOW_BEFORE = timedelta(days=2)   # found a little before the reported day (people misremember)
WINDOW_AFTER = timedelta(days=30)
SAME_CATEGORY, RELATED_CATEGORY = 3.0, 1.0
COLOUR_CLASH, BRAND_CLASH = 2.0, 4.0
CODE_CLASH = 3.0        # "mate 60" against "p60": both name a model, not the same one
ACCESSORY_CLASH = 5.0   # a phone against a phone case (or the other way round): never at the top
HEAD_CLASH = 1.5        # what each side is differs (a wallet against a bag)
OWNER_MATCH = 6.0       # the reporter's own name is the name written on the item (an ID card, a badge)
OWNER_CLASH = 3.0       # another person's name is on a wallet or bag (it may hold a relative's card): ranked down
TYPO_MIN = 5            # English words this long may have one slip (transposed, missing, extra letter)
LEFTOVER_WEIGHT = 1.0
MAX_TEXT = 2000  # bound on what one side is read from (the register caps fields far lower)
_CJK = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]+")
_SEP = "\x00"


@dataclass(frozen=True)
class Reading:
    """What a text says: concepts (kind:key) with the words that said them, and leftover words."""

    concepts: dict[str, tuple[str, ...]]
    leftovers: dict[str, str]  # token -> the word it came from
    head: str | None = None    # what the thing is (its kind key), from the first thing-phrase: "phone_case"

    def kinds(self, kind: str) -> set[str]:
        return {c for c in self.concepts if c.startswith(kind + ":")}


@dataclass(frozen=True)
class Reason:
    """One piece of evidence: its kind ('category', 'related', 'brand', 'model', 'colour', 'thing',
    'detail', 'words', 'owner') and the report's own words that matched."""

    kind: str
    words: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()  # what matched, as lexicon concepts (named in the screen's language)


@dataclass(frozen=True)
class Match:
    item: Item
    score: float
    reasons: tuple[Reason, ...]

    @property
    def explanation(self) -> str:
        """The reasons in English (logs, tests); screens use `describe` in their language."""
        return describe(self, lambda s: s)


REASON_MSGIDS = {  # msgids, translated in lostfound.po
    "category": "same category", "related": "related category", "brand": "brand: {words}",
    "model": "model: {words}", "colour": "colour: {words}", "thing": "item: {words}",
    "detail": "details: {words}", "words": "same words: {words}", "owner": "name on it: {words}",
}


REASON_JOINER = "; "  # msgid: between two reasons ("；" in Chinese)
WORD_JOINER = ", "    # msgid: between two matched words ("、" in Chinese)


def describe(match: Match, tr: Callable[[str], str], mark: Callable[[str], str] = lambda w: w,
             separator: str | None = None, lang: str | None = None) -> str:
    """The reasons as a sentence in the caller's language (`tr` translates a msgid); each matched word
    goes through `mark` (a screen highlights them); reasons and words are joined by the translated
    joiners (REASON_JOINER, WORD_JOINER) unless `separator` is given. With `lang`, what matched is named in that language
    (华为、黑色、手机 on a Chinese screen for "black huawei phone"), the report's own words after it in
    brackets when they differ."""
    from kiosk.core.i18n import gettext
    from kiosk.lostfound.lexicon import concept_name
    # The joiners are words of the language too: a Chinese line reads "品牌相同：华为、小米；颜色相同：黑色",
    # never with an ASCII "; " or ", " (the screen's language when given, else what `tr` makes of them)
    joiner = (lambda msgid: gettext(msgid, lang)) if lang else tr
    comma = joiner(WORD_JOINER)
    separator = joiner(REASON_JOINER) if separator is None else separator
    parts = []
    for reason in match.reasons:
        names = [n for n in dict.fromkeys(concept_name(c, lang) for c in reason.concepts) if n] if lang else []
        if names:
            said = [w for w in reason.words if w.lower() not in {n.lower() for n in names}]
            words = comma.join(mark(n) for n in names)
            if said:
                words += ("（" if lang.startswith("zh") else " (") + comma.join(said) + ("）" if lang.startswith("zh") else ")")
        else:
            words = comma.join(mark(w) for w in reason.words) if reason.words else ""
        parts.append(tr(REASON_MSGIDS[reason.kind]).format(words=words))
    return separator.join(parts)


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """One compiled pattern per surface form: English forms whole words (a plural 's' allowed)."""
    out = []
    for surface in surfaces():
        if surface.isascii():
            out.append((surface, re.compile(r"(?<![a-z0-9])" + re.escape(surface) + r"s?(?![a-z0-9])")))
        else:
            out.append((surface, re.compile(re.escape(surface))))
    return tuple(out)


def normalise(text: str) -> str:
    """NFKC (full-width "Ｈｕａｗｅｉ" reads "huawei"), lower case, traditional characters folded to simplified."""
    return unicodedata.normalize("NFKC", (text or "")[:MAX_TEXT]).lower().replace("’", "'").translate(TRAD_TO_SIMP)


# A model code: a family word or a short letter prefix, then a number ("mate 60", "mate60", "p60", "iphone 15",
# "s23"). It is read as one token, so "60" alone never matches "p60" and "mate 60" never matches "mate 50".
_CODE = re.compile(r"(?<![a-z0-9])([a-z]{1,8})(\s?)(\d{1,4})((?:\s?(?:pro|max|plus|ultra|mini|lite|se|\+))*)(?![a-z0-9])")
_CUT = re.compile(r"[,，;；、/|(（]|\b(?:with|and|plus|in|inside|for|of|on)\b|带|配|装在|和|里有|里面")


def _brand_code_pattern() -> re.Pattern:
    forms = sorted({f for brand, fs, _fam in BRANDS if brand in NUMBERED_BRANDS for f in fs.split("|")
                    if f and " " not in f and "-" not in f}, key=lambda f: (-len(f), f))
    return re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, forms)) + r")(\s?)(\d{1,4})" + _NOT_A_UNIT +
                      r"([a-z]?)((?:\s?(?:pro|max|plus|ultra|mini|lite|se|\+))*)(?![a-z0-9])")


# A number followed by a unit is a size, a price or a count, not a model ("联想 14寸", "华为 256g", "耐克 42码").
_NOT_A_UNIT = r"(?!\s?(?:寸|英寸|码|号|个|只|部|台|件|元|块|米|厘米|cm|mm|gb|g\b|tb|mah|w\b|%|岁|年|月|日|楼|层|点|块钱))"
_BRAND_OF_FORM = {f: brand for brand, fs, _fam in BRANDS for f in fs.split("|") if f}
_BRAND_CODE = _brand_code_pattern()


def _codes(text: str) -> tuple[str, dict[str, str]]:
    found: dict[str, str] = {}

    def take_brand(m: re.Match) -> str:
        # "小米14" / "xiaomi 14" / "苹果15": the brand's numbered family ("xiaomi14", "iphone15"), so 14 and 13
        # are two models of one brand (they clash) and the two languages meet on one token
        form, digits, letter, suffix = m.group(1), m.group(3), m.group(4), m.group(5)
        family = NUMBERED_BRANDS[_BRAND_OF_FORM[form]]
        base = family + digits
        found.setdefault("code:" + base + letter + "".join(suffix.split()), m.group(0).strip())
        found.setdefault("code:" + base, m.group(0).strip())  # "小米14 Ultra" is also a "小米14"
        return form + _SEP * (len(m.group(0)) - len(form))  # the brand word stays for the lexicon
    text = _BRAND_CODE.sub(take_brand, text)

    def take(m: re.Match) -> str:
        letters, space, digits, suffix = m.group(1), m.group(2), m.group(3), m.group(4)
        if letters not in FAMILY_BRAND and (space or len(letters) > 2):
            return m.group(0)  # "size 42", "room 3": not a model
        code = letters + digits + "".join(suffix.split())
        found.setdefault("code:" + code, m.group(0).strip())
        if code != letters + digits:  # "iphone 15 pro" is also an "iphone 15" (people drop the "pro")
            found.setdefault("code:" + letters + digits, m.group(0).strip())
        # the family word stays for the lexicon ("mate" is Huawei's); the number is used up
        return letters + " " + _SEP * (len(m.group(0)) - len(letters) - 1)
    return _CODE.sub(take, text), found


def _scan(text: str) -> tuple[dict[str, list[str]], dict[str, int], str]:
    """Lexicon concepts with the words that said them, where each concept ends, and the text left over."""
    found: dict[str, list[str]] = {}
    ends: dict[str, int] = {}
    for surface, pattern in _patterns():  # longest first: "红米" is a brand before "红" is a colour
        if surface not in text:
            continue
        hits = list(pattern.finditer(text))
        if not hits:
            continue
        for concept in concepts_of_surface(surface):
            found.setdefault(concept, []).append(hits[0].group(0))
            ends[concept] = max(ends.get(concept, -1), max(h.end() for h in hits))
        # same length, so positions stay true for the head (Chinese names its thing last)
        text = pattern.sub(lambda m: _SEP * len(m.group(0)), text)
    return found, ends, text


def _edits_within_one(a: str, b: str) -> bool:
    """True when b is a with one letter changed, added, dropped or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


@lru_cache(maxsize=1)
def _single_words() -> dict[int, tuple[str, ...]]:
    by_length: dict[int, list[str]] = {}
    for surface in surfaces():
        if surface.isascii() and surface.isalpha() and len(surface) >= TYPO_MIN:
            by_length.setdefault(len(surface), []).append(surface)
    return {n: tuple(v) for n, v in by_length.items()}


@lru_cache(maxsize=8192)
def typo_of(word: str) -> str | None:
    """The one known English word a slip of `word` stands for ("umbrela" -> "umbrella"), else None."""
    if len(word) < TYPO_MIN or word in STOPWORDS:
        return None
    table = _single_words()
    near = {s for n in (len(word) - 1, len(word), len(word) + 1) for s in table.get(n, ())
            if s[0] == word[0] or s[-1] == word[-1]} if len(word) >= TYPO_MIN else set()
    hits = sorted(s for s in near if _edits_within_one(word, s))
    return hits[0] if len(hits) == 1 else None


def _head(text: str) -> str | None:
    """What the first thing-phrase names: the thing said last in it ("蓝色手机壳" is a case, "phone case" a
    case, "黑色小米手机，蓝色手机壳" a phone, "iPhone with a pink case" a phone)."""
    # Staff type phrases apart with a space as often as a comma ("黑色手机 蓝色壳"): within the first phrase a
    # space between two Chinese characters also parts it, and the first part naming a thing is the head
    # ("黑色 手机" is a phone).
    first = next((part for part in _CUT.split(text) if part and part.strip(" \x00")), "")
    for phrase in _CJK_SPACE.split(first)[:20]:
        if not phrase.strip(" \x00"):
            continue
        coded, _ = _codes(phrase)
        coded = _WORD.sub(lambda m: typo_of(m.group(0)) or m.group(0), coded)  # "umbrela" names an umbrella too
        found, ends, _rest = _scan(coded)
        things = [c[6:] for c in found if c.startswith("thing:")]
        things = [t for t in things if not any(PARENT.get(other) == t for other in things)]  # the specific one
        if things:
            return max(things, key=lambda t: (ends["thing:" + t], t not in GENERIC))
    return None


_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff])[ \u3000]+(?=[\u3400-\u9fff])")


_PHRASE_END = re.compile(r"[\s,，;；、/|(（。:：]")


@lru_cache(maxsize=1)
def _thing_surfaces() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """Chinese surfaces that name a thing, and the thing kinds each names."""
    table = {s: frozenset(c[6:] for c in concepts_of_surface(s) if c.startswith("thing:"))
             for s in surfaces() if not s.isascii()}
    table = {s: kinds for s, kinds in table.items() if kinds}
    return frozenset(table), table


def _join_compounds(text: str) -> str:
    """Spaces that part a compound are dropped: "黑色华为手机 壳" is a phone case, "钥匙 扣" a keyring, "手机
    保护套" a phone case, "相机 包" a camera bag. Chinese names the thing last, so a bare accessory or container
    word after a space is the head of what came before; a phrase of its own ("黑色手机 蓝色壳": the case is
    blue) keeps its space and stays a second phrase."""
    if " " not in text and "\u3000" not in text:
        return text
    names, kinds_of = _thing_surfaces()
    out, last = [], 0
    for gap in list(_CJK_SPACE.finditer(text))[:50]:  # bounded: a register field has a handful of spaces
        left = text[:gap.start()]
        rest = text[gap.end():]
        end = _PHRASE_END.search(rest)
        right = (rest[:end.start()] if end else rest).rstrip("子儿的")
        if not right:
            continue
        spanning = any(left[-k:] + right in names for k in range(1, 5) if len(left) >= k)
        host_of_right = {HOST.get(kind) for kind in kinds_of.get(right, ())} - {None}
        left_things = {kind for k in range(1, 7) if len(left) >= k for kind in kinds_of.get(left[-k:], ())}
        accessory = bool(host_of_right & left_things)
        container = right in COMPOUND_TAILS and bool(left_things)
        if spanning or accessory or container:
            out.append(text[last:gap.start()])
            last = gap.end()
    return "".join(out) + text[last:] if out else text


# A surname with a title is a person, not a colour: 黄先生, 白女士, 金老师 (白/金/黄 are common surnames).
_TITLED = re.compile(r"[\u3400-\u9fff](?:先生|女士|小姐|老师|师傅|同学|阿姨|叔叔|经理|总)")
# What the owner says it is not ("里面没有钱", "不是黑色的", "no case", "without a strap"): dropped up to the
# next separator, so it neither matches nor clashes.
_NEGATED = re.compile(r"(?:没有|不是|并非|不带|(?<![a-z])(?:no|not|without)(?![a-z]))[^,，;；。、|]*")


def _unsaid(text: str) -> str:
    blank = lambda m: _SEP * len(m.group(0))  # noqa: E731 (same length: positions stay true)
    return _NEGATED.sub(blank, _TITLED.sub(blank, text))


def read(text: str, *, head_text: str | None = None) -> Reading:
    """Concepts and leftover words of a text (bounded: at most MAX_TEXT characters are read); the head is
    taken from `head_text` (the description) when given, else from the text."""
    text = original = _join_compounds(_unsaid(normalise(text)))
    text, codes = _codes(text)
    found, _ends, text = _scan(text)
    leftovers: dict[str, str] = {}
    for word in _WORD.findall(text):
        if len(word) > 1 and word not in STOPWORDS:
            meant = typo_of(word) if not word.isdigit() else None
            if meant is not None:  # a slip of a known word says what the word would ("umbrela": umbrella)
                for concept in concepts_of_surface(meant):
                    found.setdefault(concept, []).append(word)
                continue
            leftovers[word.rstrip("s") if len(word) > 3 else word] = word
    for run in _CJK.findall(text):
        for piece in re.split("[" + STOP_CHARS + "]", run):
            if len(piece) >= 2:
                for i in range(len(piece) - 1):
                    leftovers[piece[i:i + 2]] = piece[i:i + 2]
    concepts = {k: tuple(dict.fromkeys(v)) for k, v in found.items()}
    concepts.update({k: (v,) for k, v in codes.items()})
    head = _head(_join_compounds(_unsaid(normalise(head_text))) if head_text is not None else original)
    return Reading(concepts, leftovers, head)


@lru_cache(maxsize=4096)
def read_fields(description: str, features: str = "", colour: str = "", brand: str = "") -> Reading:
    """One side of a comparison: every field of a report or an item read together (cached: a register
    is read once for many reports; the Reading is never changed by its users)."""
    return read(" | ".join((description or "", features or "", colour or "", brand or "")), head_text=description or "")


# --- whose it is: a name written on a card or badge -------------------------------------------------------
_TITLES = ("先生", "女士", "小姐", "老师", "同学", "师傅")
_NUMERALS = "一二两三四五六七八九十几数多"
_LABEL_WORDS = frozenset({"name", "named", "holder", "is", "card", "badge", "owner", "mr", "mrs", "ms", "miss"})
_NAME_END = r"(?=$|[\s,，;；、。|)）(（\x00]|的)"
_LATIN_NAME = r"([a-z]+(?:[ .'-][a-z]+){0,2})"


@lru_cache(maxsize=1)
def _owner_patterns() -> tuple[re.Pattern, ...]:
    names, kinds_of = _thing_surfaces()
    zh = sorted((s for s in names if kinds_of[s] & OWNED_KINDS), key=lambda s: (-len(s), s))
    en = sorted({f for s in surfaces() if s.isascii()
                 for f in [s] if any(c[6:] in OWNED_KINDS for c in concepts_of_surface(s) if c.startswith("thing:"))},
                key=lambda s: (-len(s), s))
    owned_zh, owned_en = "|".join(map(re.escape, zh)), "|".join(map(re.escape, en))
    cjk_name = r"([\u3400-\u9fff]{2,5})"
    return (
        re.compile(r"(?:姓名|名字|名为|户名|持有人|持卡人)\s*(?:是|为|叫|:|：)?\s*" + cjk_name + _NAME_END),
        re.compile(r"(?<![a-z])(?:name|holder|named)\s*(?:is|:|：)?\s*" + _LATIN_NAME + r"(?![a-z])"),
        re.compile(cjk_name + r"的(?:" + owned_zh + ")"),
        re.compile(r"(?:" + owned_zh + r")\s*[:：(（]?\s*" + cjk_name + _NAME_END),
        re.compile(_LATIN_NAME + r"'s (?:" + owned_en + r")(?![a-z])"),
        re.compile(r"(?<![a-z])(?:" + owned_en + r")(?: of| for|\s*[:：(（,])\s*" + _LATIN_NAME + r"(?![a-z])"),
    )


def _plausible_name(name: str) -> bool:
    """Not a colour, a thing or a count read as a name ("身份证 黑色", "身份证 一张", "id card, black")."""
    if not name or name[0] in _NUMERALS:
        return False
    if name.isascii():
        words = name.replace(".", " ").replace("-", " ").split()
        return bool(words) and not any(w in STOPWORDS or w in _LABEL_WORDS or w in surfaces() or typo_of(w)
                                       for w in words)
    plain = name
    for title in _TITLES:
        if plain.endswith(title):
            plain = plain[:-len(title)]
    return bool(plain) and not any(s in name for s in surfaces() if len(s) >= 2 and not s.isascii())


@lru_cache(maxsize=4096)
def named_owners(text: str) -> tuple[str, ...]:
    """The people a text says something belongs to ("身份证，姓名：王芳", "张三的工卡", "student card, name Wang
    Wei"); () when it names nobody. Bounded like `read`."""
    text = normalise(text)
    found: list[str] = []
    for pattern in _owner_patterns():
        for m in list(pattern.finditer(text))[:10]:
            name = m.group(1).strip(" .'-")
            if _plausible_name(name) and name not in found:
                found.append(name)
    return tuple(found[:5])


def _one_person(written: str, owner: str) -> bool:
    """A name written on an item is the owner's: the same name (or spelling), or a surname with a title
    ("张先生") that the owner's name begins with."""
    from kiosk.core.privacy import fold_name
    from kiosk.input.namekeys import same_person
    for title in _TITLES:
        if written.endswith(title) and len(written) > len(title):
            return fold_name(owner).startswith(fold_name(written[:-len(title)]))
    return same_person(written, owner)


def _owner_points(report: dict, item: Item, item_head: str | None) -> tuple[float, Reason | None] | None:
    """The reporter's name against a name written on the item: a match is strong evidence; another person's
    name on an ID card, badge or student card is not theirs (None: never offered); on anything else (a
    wallet holding someone's card) it counts against."""
    written = named_owners(" | ".join((item.description or "", item.features or "")))
    if not written:
        return 0.0, None
    claimed = [n for n in ((report.get("owner_name") or "").strip(),) if n]
    claimed += named_owners(" | ".join((report.get("description") or "", report.get("features") or "")))
    if not claimed:
        return 0.0, None  # the report names nobody: the desk checks the name at the claim
    for owner in claimed:
        if any(_one_person(name, owner) for name in written):
            return OWNER_MATCH, Reason("owner", (owner,))
    if item_head in OWNED_KINDS:
        return None
    return -OWNER_CLASH, None


def _category_points(report_category: str, item_category: str, same_kind: bool = False) -> tuple[float, Reason] | None:
    if report_category == item_category:
        return SAME_CATEGORY, Reason("category")
    if same_kind:  # the same specific kind filed elsewhere (a room card under keys): the filing says little
        return SAME_CATEGORY, Reason("related")
    if item_category in RELATED.get(report_category, ()) or "other" in (report_category, item_category):
        return RELATED_CATEGORY, Reason("related")
    return None


def _accessory_pair(a: str | None, b: str | None) -> bool:
    """True when one is an accessory of the other (a phone case and a phone, a charger and a phone)."""
    return bool(a and b and a != b and (HOST.get(a) == b or HOST.get(b) == a))


def score(report: dict, item: Item, said: Reading | None = None) -> Match | None:
    """How well an item fits a report, with the reasons; None when it cannot be the one."""
    said = said or read_fields(report["description"], report.get("features", ""), report.get("colour", ""),
                               report.get("brand", ""))
    known = read_fields(item.description, item.features, item.colour, item.brand)
    same_kind = said.head is not None and said.head == known.head and said.head not in GENERIC
    category = _category_points(report["category"], item.category, same_kind)
    if category is None:
        return None
    lost = date.fromisoformat(report["lost_on"])
    found = date.fromisoformat(item.found_at[:10])
    if not lost - WINDOW_BEFORE <= found <= lost + WINDOW_AFTER:
        return None
    owner = _owner_points(report, item, known.head)
    if owner is None:  # someone else's ID card: not for this reporter, whatever else fits
        return None
    points, reasons = category[0] + owner[0], [category[1]]
    specific = owner[1] is not None
    accessory = _accessory_pair(said.head, known.head)
    shown: set[str] = set()  # each of the owner's words is given as a reason once, under its weightiest kind
    # the most specific first: "mate60" is said as the model, not again as the brand
    for kind in ("code", "model", "brand", "colour", "thing", "detail"):
        mine, theirs = said.kinds(kind), known.kinds(kind)
        shared = sorted(mine & theirs)
        if kind == "thing" and accessory:  # the host's word on the accessory ("phone" in "phone case") is no evidence
            shared = [c for c in shared if c[6:] not in (said.head, known.head, HOST.get(said.head or ""),
                                                         HOST.get(known.head or ""))]
        if shared:
            for concept in shared:
                specific_kind = kind == "thing" and concept[6:] not in GENERIC
                points += WEIGHTS["kind"] if specific_kind else WEIGHTS[kind]
                specific = specific or kind != "thing" or specific_kind
            words = tuple(w for w in dict.fromkeys(w for c in shared for w in said.concepts[c])
                          if not any(w in s for s in shown))  # "iphone" is already in "iphone 15 pro"
            if kind == "brand":  # "mate" names Huawei, but shown as a brand it would claim "mate" matched a P60
                words = tuple(w for w in words if not any(w in said.concepts[c] for c in said.kinds("model")))
            shown.update(words)
            label = "model" if kind == "code" else kind
            named = tuple(c for c in shared if kind != "code")  # a model code is its own name ("mate60")
            if words and reasons[-1].kind == label:  # one "model:" however it was said
                reasons[-1] = Reason(label, reasons[-1].words + words, reasons[-1].concepts + named)
            elif words:
                reasons.append(Reason(label, words, named))
        elif mine and theirs and kind == "colour":
            points -= COLOUR_CLASH
        elif mine and theirs and kind == "brand":
            points -= BRAND_CLASH
        elif mine and theirs and kind == "code":
            points -= CODE_CLASH
    if accessory:
        points -= ACCESSORY_CLASH
    elif said.head and known.head and said.head != known.head and PARENT.get(said.head) != known.head \
            and PARENT.get(known.head) != said.head and PARENT.get(said.head, 1) != PARENT.get(known.head, 2):
        points -= HEAD_CLASH
    shared_words = sorted(set(said.leftovers) & set(known.leftovers))
    if shared_words:
        points += LEFTOVER_WEIGHT * len(shared_words)
        words = tuple(w for w in dict.fromkeys(said.leftovers[w] for w in shared_words)
                      if not any(w in s for s in shown))
        if words:
            reasons.append(Reason("words", words))
        specific = True
    if owner[1] is not None:
        reasons.append(owner[1])
    if not specific:
        return None
    return Match(item, points, tuple(reasons))


def suggest(report: dict, items: list[Item], limit: int = 5) -> list[Match]:
    """The most likely items for a report, best first; ties go to the item found nearer the lost day."""
    said = read_fields(report["description"], report.get("features", ""), report.get("colour", ""),
                       report.get("brand", ""))
    lost = date.fromisoformat(report["lost_on"])
    matches = [m for m in (score(report, item, said) for item in items)
               if m is not None and m.score > SAME_CATEGORY]
    return sorted(matches, key=lambda m: (-m.score, abs((date.fromisoformat(m.item.found_at[:10]) - lost).days),
                                          m.item.id))[:limit]


def colour_key(text: str) -> str:
    """One colour name for both languages: 'black', '黑色' and '黑' compare equal ('' when none)."""
    colours = sorted(read(text).kinds("colour"))
    return colours[0] if colours else ""


def tokens(text: str) -> set[str]:
    """Every concept and leftover word a text yields (for callers that only compare sets)."""
    reading = read(text)
    return set(reading.concepts) | set(reading.leftovers)
