"""Names found by how staff type them: 王芳 by "Wang Fang", "wangfang", "wang f", "fang" or "wf".

A name's *keys* are its toneless pinyin, joined without spaces, from its first character and from each
later one (so the given name alone finds it), plus its initials. A character's readings are the plausible
ones only: the surname's own reading first in the surname position (曾 zeng, 单 shan, 解 xie —
`kiosk.input.pinyin.SURNAME_READINGS`), the reading pypinyin gives the name in context, and of a heteronym's
other readings those that some word in pypinyin's phrase list uses (长 chang/zhang, 乐 le/yue, 朝 zhao) or
that names are known to use (`NAME_READINGS`: 晟 sheng, 阚 kan). A reading no word uses is left out: 王's
archaic "yu" made "yufang" find 王芳. A name is also found in the Western order, given name first ("Fang
Wang", "fangwang" for 王芳, "Nana Ouyang"), but only by the whole name so spelled (`reversed_spellings`),
never by a part of it: a prefix finds no more than before. A Latin name
("Anna Lee") gives its words the same way. A typed query is folded to the same alphabet (tones, spaces,
apostrophes and hyphens dropped; ü, u: and v are one letter, and v also reads as u: 吕 is "lv" or "lu")
and matches a key it begins. `NameIndex` keeps the keys sorted, so a look-up in 100,000 names is two
binary searches, not a scan.

Plain Python (pypinyin's per-character data, read once per character and cached).
"""
from __future__ import annotations

import bisect
import heapq
import itertools
import math
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Iterable

from kiosk.core.namefold import HAN_BLOCKS
from kiosk.input.pinyin import NAME_VARIANTS, SURNAME_READINGS

MAX_NAME = 40          # characters of a name read (longer text is not a name)
MAX_READINGS = 3       # readings per character kept (a heteronym's rare fourth reading is noise)
MAX_COMBINATIONS = 12  # readings of a whole name spelled out (bounded product)
MAX_STARTS = 4         # a name is also found from its 2nd, 3rd, 4th syllable on
MIN_QUERY = 2          # letters: one letter would list half the register

# Han characters (𠮷, U+20BB7, is one the visitor keyboard offers: NAME_VARIANTS); 〇 is not indexed here
_HAN = HAN_BLOCKS
_CJK = re.compile(f"[{_HAN}]")
_CJK_RUN = re.compile(f"[{_HAN}]+")
_LATIN = re.compile(r"[a-z]+")


# Readings names use that no word in pypinyin's phrase list attests (a fact list; surnames mostly):
# 晟 shèng, 焘 tāo and 珩 héng in given names, 筠 jūn, the surnames 阚 Kàn, 种 Chóng, 祭 Zhài, 繁 Pó,
# 宓 Fú, 炅 Guì, 召 Shào, 佴 Nài, 员 Yùn.
NAME_READINGS = {"晟": ("sheng",), "焘": ("tao",), "筠": ("jun",), "阚": ("kan",), "种": ("chong",),
                 "祭": ("zhai",), "繁": ("po",), "宓": ("fu",), "炅": ("gui",), "珩": ("heng",),
                 "召": ("shao",), "佴": ("nai",), "员": ("yun",)}
# A variant form names keep (𠮷, 髙, 﨑) reads as the character it is a variant of (吉 ji)
_VARIANT_OF = {variant: base for base, variant in NAME_VARIANTS.items()}


def _simplified(text: str) -> str:
    """Traditional characters as simplified, one for one (單 单, 歐陽 欧阳: the surname table's forms), and a
    name variant as its ordinary character (𠮷 吉)."""
    from kiosk.core.namefold import t2s_text
    return "".join(_VARIANT_OF.get(ch, ch) for ch in t2s_text(text))


@lru_cache(maxsize=1)
def _attested() -> dict[str, frozenset[str]]:
    """Every toneless reading each character takes in some word of pypinyin's phrase list (47,000 words;
    read once, about 0.3 s): a heteronym's reading that no word uses is archaic or a dictionary's rarity."""
    from pypinyin.phrases_dict import phrases_dict
    used: dict[str, set[str]] = {}
    for phrase, readings in phrases_dict.items():
        for ch, options in zip(phrase, readings):
            used.setdefault(ch, set()).update(r.translate(_TONELESS) for r in options)
    return {ch: frozenset(readings) for ch, readings in used.items()}


# Tone-marked pinyin letters to the keys' alphabet (ü is v): a table, as pypinyin's own converter is ten
# times slower over the 47,000 phrases.
_TONELESS = str.maketrans({**{c: "a" for c in "āáǎà"}, **{c: "e" for c in "ēéěèê"}, **{c: "i" for c in "īíǐì"},
                           **{c: "o" for c in "ōóǒò"}, **{c: "u" for c in "ūúǔù"}, **{c: "v" for c in "ǖǘǚǜü"},
                           **{c: "n" for c in "ńňǹ"}, "ḿ": "m", "\u0304": None, "\u0301": None, "\u030c": None,
                           "\u0300": None})


@lru_cache(maxsize=30_000)
def _char_readings(ch: str) -> tuple[str, ...]:
    """A character's plausible readings, its usual one first: the usual one, then those of its other
    readings that a word uses (or a name: NAME_READINGS); a traditional character's or a variant's own
    readings are followed by those of its simplified (ordinary) form."""
    own = _own_readings(ch)
    simple = _simplified(ch)
    if simple != ch:
        own += tuple(r for r in _own_readings(simple) if r not in own)
    return own[:MAX_READINGS]


def _own_readings(ch: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin  # the data loads on first use
    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    attested = _attested().get(ch, frozenset())
    known = NAME_READINGS.get(ch, ())
    out: list[str] = []
    for reading in (found[0] if found else []):
        reading = reading.replace("ü", "v")
        if not _LATIN.fullmatch(reading) or reading in out:
            continue
        if not out or reading in attested or reading in known:
            out.append(reading)
    out += [reading for reading in known if reading not in out]
    return tuple(out)


def _context_readings(text: str) -> dict[int, str]:
    """The reading pypinyin gives each Chinese character of a name in context (its phrase matching), by
    position in text; a run pypinyin cannot read whole is left out (the characters' own readings serve)."""
    out: dict[int, str] = {}
    for run in _CJK_RUN.finditer(text):
        for offset, reading in enumerate(_run_in_context(run.group())):
            if reading:
                out[run.start() + offset] = reading
    return out


@lru_cache(maxsize=16_384)  # given names repeat: a register of 100,000 visits has far fewer runs
def _run_in_context(run: str) -> tuple[str, ...]:
    """Each character's reading in a run of Chinese characters as pypinyin reads the run ("" where it has
    none); () when pypinyin cannot read the run character for character."""
    from pypinyin import Style, pinyin
    from pypinyin.phrases_dict import phrases_dict
    if not any(run[i:j] in phrases_dict for i in range(len(run)) for j in range(i + 2, min(len(run), i + 6) + 1)):
        return ()  # no word in it: each character reads as its usual reading, already the first of its own
    found = pinyin(run, style=Style.NORMAL, heteronym=False, errors="ignore")
    if len(found) != len(run):
        return ()
    readings = [(options[0] if options else "").replace("ü", "v") for options in found]
    return tuple(r if _LATIN.fullmatch(r) else "" for r in readings)


def fold_query(text: str) -> str:
    """What staff typed, in the keys' alphabet: lower-case a–z only (v for ü); "" when it is not pinyin or
    Latin letters (a Chinese query goes to the ordinary text search)."""
    text = unicodedata.normalize("NFKC", str(text or ""))[:MAX_NAME * 6].casefold()
    text = text.replace("ü", "v").replace("u:", "v")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    # Tone numbers as pinyin is typed without tone marks ("wang2 fang1"): a digit 1-5 right after a
    # syllable's letter, never part of a longer number
    text = re.sub(r"(?<=[a-z])[1-5](?![0-9])", "", text)
    # A comma (ASCII, or the full-width one NFKC made ASCII) is "Surname, Given" as on passports and
    # English forms: the order as written, the comma dropped ("WANG, Fang" is "wangfang")
    text = re.sub(r"[\s'’\-·.,]+", "", text)
    text = _lyu(text)
    return text if _LATIN.fullmatch(text or "-") else ""


def _lyu(word: str) -> str:
    """"lyu" is the passport spelling of lü (吕 LYU): the keys' "lv". No pinyin syllable ends in l, so
    "lyu" inside joined pinyin is always this; a Latin name's word is folded the same way (Lyudmila)."""
    return word.replace("lyu", "lv")


def _tokens(name: str) -> list[tuple[str, ...]]:
    """The readings of each syllable of a name: a Chinese character's plausible readings (a surname's own
    reading first, then the reading in context), a Latin word as itself. Other characters (digits, emoji,
    〇) are skipped."""
    return list(_name_tokens(name)[0])


@lru_cache(maxsize=16_384)
def _name_tokens(name: str) -> tuple[tuple[tuple[str, ...], ...], int]:
    """`_tokens`, and how many of them the surname is (2 for 欧阳, 1 for 王; 0 when the name does not begin
    with a Chinese character: a Latin name's family name is taken to be its last word)."""
    text = unicodedata.normalize("NFKC", str(name or ""))[:MAX_NAME].casefold()
    context = _context_readings(text) if _CJK.search(text) else {}
    simple = _simplified(text)  # the surname table's forms (單 单, 歐陽 欧阳); one character for one
    tokens: list[tuple[str, ...]] = []
    surname = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if _CJK.match(ch):
            readings = _char_readings(ch)
            in_context = context.get(i)
            if in_context:  # pypinyin's reading in context first (朝阳 chao), the others after (zhao)
                readings = (in_context,) + tuple(r for r in readings if r != in_context)
            if not tokens:  # the surname position: 曾 zeng, 单 shan; 欧阳 ou yang as two syllables
                pair = simple[i:i + 2]
                if pair in SURNAME_READINGS and len(pair) == 2:
                    first, second = SURNAME_READINGS[pair].split()
                    tokens += [(first,), (second,)]
                    surname = 2
                    i += 2
                    continue
                own = SURNAME_READINGS.get(simple[i])
                if own:
                    readings = (own,) + tuple(r for r in readings if r != own)
                surname = 1 if readings else 0
            if readings:
                tokens.append(readings[:MAX_READINGS])
            i += 1
            continue
        word = _LATIN.match(text, i)
        if word:
            tokens.append((_lyu(word.group()),))
            i = word.end()
            continue
        i += 1
    return tuple(tokens), surname  # cached: immutable


def _spellings(tokens) -> list[tuple[str, ...]]:
    """Whole-name readings, the likeliest first, at most MAX_COMBINATIONS: fewest readings away from each
    syllable's first (best-first, so the reading in context of a long name is never cut off by the bound, as
    a plain product's first twelve were: they all varied the last syllables). Bounded: at most
    MAX_COMBINATIONS pops, each pushing at most one successor per syllable."""
    if not tokens:
        return []
    if math.prod(len(token) for token in tokens) <= MAX_COMBINATIONS:  # all of them: no order to keep
        return list(itertools.product(*tokens))
    first = (0,) * len(tokens)
    heap, seen, out = [(0, first)], {first}, []
    while heap and len(out) < MAX_COMBINATIONS:
        cost, ranks = heapq.heappop(heap)
        out.append(tuple(token[rank] for token, rank in zip(tokens, ranks)))
        for i, rank in enumerate(ranks):
            if rank + 1 < len(tokens[i]):
                step = ranks[:i] + (rank + 1,) + ranks[i + 1:]
                if step not in seen:
                    seen.add(step)
                    heapq.heappush(heap, (cost + 1, step))
    return out


def _u_for_v(key: str) -> str:
    return key.replace("v", "u")


@lru_cache(maxsize=16_384)  # the re-check of a search's answers; bounded memory
def name_keys(name: str) -> frozenset[str]:
    """Every key a name is found by (see the module's docstring); empty for a name with no letters."""
    tokens = _tokens(name)
    keys: set[str] = set()
    for spelling in _spellings(tokens):
        for start in range(min(len(spelling), MAX_STARTS)):
            keys.add("".join(spelling[start:]))
        if len(spelling) >= 2:
            keys.add("".join(s[0] for s in spelling))
    keys |= {_u_for_v(k) for k in keys if "v" in k}
    return frozenset(k for k in keys if k)


@lru_cache(maxsize=16_384)
def reversed_spellings(name: str) -> frozenset[str]:
    """The whole name spelled in the other order, as English forms write it: the given name first and the
    surname last for a Chinese name (王芳 -> "fangwang", 欧阳娜娜 -> "nanaouyang"), the last word first for a
    Latin one ("Anna Lee" -> "leeanna"). Matched whole, never by a prefix (see `matches`)."""
    tokens, surname = _name_tokens(name)
    if len(tokens) < 2:
        return frozenset()
    cut = surname if surname else len(tokens) - 1
    if not 0 < cut < len(tokens):
        return frozenset()
    spelled = {"".join(s[cut:] + s[:cut]) for s in _spellings(tokens)}
    return frozenset(spelled | {_u_for_v(k) for k in spelled if "v" in k})


def whole_spellings(name: str) -> frozenset[str]:
    """A name spelled out whole, every likely reading, in the keys' alphabet (王伟 -> {"wangwei"}; "Wang Wei"
    -> {"wangwei"}): unlike `name_keys`, no given name alone and no initials, so two different people with
    the same given name are not the same spelling."""
    spelled = {"".join(s) for s in _spellings(_tokens(name))}
    return frozenset(spelled | {_u_for_v(k) for k in spelled if "v" in k})


def same_person(a: str, b: str) -> bool:
    """Two written names can be one person: the same characters (spaces and case aside), or the same
    whole pinyin spelling (王伟 and "Wang Wei"; "Wei Wang" too, as English forms put the surname last)."""
    fold = lambda s: re.sub(r"[\s·・.\-]", "", unicodedata.normalize("NFKC", s or "")[:MAX_NAME]).casefold()  # noqa: E731
    if not fold(a) or not fold(b):
        return False
    if fold(a) == fold(b):
        return True
    if not _CJK.search(a) and not _CJK.search(b):  # "San Zhang" is "Zhang San" with the surname last
        words = lambda s: unicodedata.normalize("NFKC", s)[:MAX_NAME].casefold().split()  # noqa: E731
        return len(words(a)) > 1 and words(a) == list(reversed(words(b)))
    if _CJK.search(a) and _CJK.search(b):
        return False  # both in characters and written differently: two people
    mine, theirs = whole_spellings(a), whole_spellings(b)
    swapped = {"".join(reversed(s)) for s in _spellings(_tokens(b if _CJK.search(a) else a))}
    return bool(mine & theirs) or bool((mine if _CJK.search(a) else theirs) & swapped)


def matches(name: str, query: str) -> bool:
    """A name found by a typed query (already folded or not): a key that begins with it, or the whole name
    spelled given name first ("Fang Wang")."""
    folded = fold_query(query)
    if len(folded) < MIN_QUERY:
        return False
    return any(key.startswith(folded) for key in name_keys(name)) or folded in reversed_spellings(name)


WHOLE = "="  # marks a key matched whole (a reversed spelling) in the index; sorts before every letter


class NameIndex:
    """Keys of many names, sorted, each pointing at a record id. Thread-safe: a builder thread may add
    while the screen looks up. Holds only keys and ids (no names): the caller re-reads and re-checks the
    records it returns, so a name blanked since it was indexed is never shown."""

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._ids: list[int] = []
        self._pending: list[tuple[str, int]] = []
        self._lock = threading.Lock()
        self.building = threading.Lock()  # held by whoever is adding rows from the database
        self.last_id = 0      # the highest record id indexed (records are append-only: new ids only)
        self.count = 0

    def add(self, rows: Iterable[tuple[int, str]]) -> int:
        """Index (id, name) rows; returns how many were read. New keys go to a small sorted side list that
        look-ups also search; it is folded into the main list only when it has grown (geometric), so a
        search after each new visit never re-sorts the whole index."""
        batch: list[tuple[str, int]] = []
        seen = 0
        for record_id, name in rows:
            seen += 1
            batch.extend((key, record_id) for key in name_keys(name))
            batch.extend((WHOLE + key, record_id) for key in reversed_spellings(name))
            self.last_id = max(self.last_id, record_id)
        batch.sort()
        with self._lock:
            self._pending = sorted(self._pending + batch) if self._pending else batch
            self.count += seen
            if len(self._pending) * 4 > len(self._keys) + 4096:
                self._merge()
        return seen

    def _merge(self) -> None:
        if not self._pending:
            return
        pairs = sorted(itertools.chain(zip(self._keys, self._ids), self._pending))
        self._keys = [k for k, _ in pairs]
        self._ids = [i for _, i in pairs]
        self._pending = []

    def find(self, query: str, limit: int = 50) -> list[int]:
        """Record ids whose name has a key beginning with the query, newest (highest id) first."""
        folded = fold_query(query)
        if len(folded) < MIN_QUERY:
            return []
        end = folded + "\x7f"
        with self._lock:
            lo = bisect.bisect_left(self._keys, folded)
            hi = bisect.bisect_left(self._keys, end, lo)
            found = set(self._ids[lo:hi])
            lo = bisect.bisect_left(self._pending, (folded,))
            hi = bisect.bisect_left(self._pending, (end,), lo)
            found.update(i for _, i in self._pending[lo:hi])
            whole = WHOLE + folded  # a name spelled in the other order: that whole spelling only
            lo = bisect.bisect_left(self._keys, whole)
            hi = bisect.bisect_left(self._keys, whole + "\x00", lo)
            found.update(self._ids[lo:hi])
            lo = bisect.bisect_left(self._pending, (whole,))
            hi = bisect.bisect_left(self._pending, (whole + "\x00",), lo)
            found.update(i for _, i in self._pending[lo:hi])
        return sorted(found, reverse=True)[:max(0, limit)]

    def forget(self, record_ids: Iterable[int]) -> None:
        """Drop records whose name no longer matches what was indexed (blanked by retention, erased)."""
        gone = set(record_ids)
        if not gone:
            return
        with self._lock:
            self._merge()
            kept = [(k, i) for k, i in zip(self._keys, self._ids) if i not in gone]
            self._keys = [k for k, _ in kept]
            self._ids = [i for _, i in kept]


MIN_TEXT_QUERY = 4  # letters before pinyin is looked for inside free text (a description, features)
MAX_TEXT = 400      # characters of free text read


def _spelled_from(tokens: list[tuple[str, ...]], i: int, query: str, depth: int = 0) -> bool:
    """The syllables from position i spell out the query (the last syllable may be begun only)."""
    if not query:
        return True
    if i >= len(tokens) or depth > 12:
        return False
    for reading in tokens[i]:
        if query.startswith(reading) and _spelled_from(tokens, i + 1, query[len(reading):], depth + 1):
            return True
        if reading.startswith(query):
            return True
    return False


def text_mentions(text: str, query: str) -> bool:
    """A name typed in pinyin is somewhere in free text ("护照，姓名王芳" for "wang fang", or "Fang Wang" typed
    as two words, surname last): whole syllables from any character on, every plausible reading of a
    heteronym; initials are not looked for in free text (they would match any two words)."""
    folded = fold_query(query)
    if len(folded) < MIN_TEXT_QUERY:
        return False
    tokens = [t for t in _tokens_plain(text)]
    wanted = [folded]
    words = [fold_query(word) for word in unicodedata.normalize("NFKC", str(query or ""))[:MAX_NAME * 6].split()]
    if len(words) >= 2 and all(words):  # "Fang Wang" typed as two words: the surname last, as in English
        wanted.append(words[-1] + "".join(words[:-1]))
    return any(_spelled_from(tokens, i, want) for want in wanted for i in range(len(tokens)))


def _tokens_plain(text: str) -> list[tuple[str, ...]]:
    """Readings of each Chinese character (and each Latin word) of free text, no surname rule."""
    text = unicodedata.normalize("NFKC", str(text or ""))[:MAX_TEXT].casefold()
    out: list[tuple[str, ...]] = []
    for part in re.finditer(f"[a-z]+|[{_HAN}]", text):
        word = part.group()
        if _LATIN.fullmatch(word):
            out.append((_lyu(word),))
        else:
            readings = _char_readings(word)
            own = SURNAME_READINGS.get(_simplified(word))
            if own and own not in readings:
                readings = readings + (own,)
            if readings:
                out.append(readings)
    return out
