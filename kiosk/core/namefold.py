"""Names as the deny list compares them, so a listed person cannot dodge it by how the name is typed.

- ``fold``: NFKC (full-width and compatibility forms: "Ｚｈａｎｇ", "㈱", "⾼" radicals), case, spaces and
  middle dots dropped, traditional characters folded to simplified (张三豐 -> 张三丰) with OpenCC's t2s tables
  (a maintained library: variants and one-to-many characters handled by its dictionaries).
- ``latin_keys``: a Chinese name's toneless pinyin (张三丰 -> zhangsanfeng) and a Latin name's letters
  (tone marks dropped: "Zhāng Sānfēng"), each also with the family name moved to the end ("Sanfeng Zhang",
  as on a passport) - so a Chinese name typed in pinyin, or a pinyin entry typed in Chinese, still alerts.
  Two Chinese spellings are compared by their characters, never by sound (李伟 is not 黎薇).
- ``deny_key``: what the deny list compares - the fold with every punctuation mark, symbol, digit, space
  and control/format character dropped (Unicode categories P*, S*, N*, Z*, C*; Han characters are kept
  whatever their category, 〇 is Nl), so "张三丰。", "张_三丰", "张三丰1" and "😀张三丰" are 张三丰
  (outside tester, issue 16). A name half Han, half pinyin ("张san丰", "zhang三丰") is compared syllable by
  syllable with a listed Han name: each typed character must be the listed one, each Latin stretch the
  listed character's own reading (any of a polyphone's) - so 张san丰 is 张三丰, but 张三峰 (another
  character: a different name) and 张三 (a part) are not, and no two Han spellings ever meet by sound.
- ``char_t2s``/``t2s_text``: traditional to simplified character by character (OpenCC's t2s for one
  character at a time, cached), length-preserving, for the erasure's search inside free text
  (kiosk.core.privacy.fold_name): an index into the folded text is an index into the original."""
from __future__ import annotations

import functools
import re
import unicodedata

# Han characters as a regex class body: the URO, Extension A, the compatibility ideographs and Extensions
# B-H (𠮷, U+20BB7). HAN adds 〇 (U+3007, the ideographic zero: a name character, 王〇明).
HAN_BLOCKS = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN = "\u3007" + HAN_BLOCKS
# The marks typed between the parts of a name (阿卜杜·热合曼): the middle dot and its look-alikes that IMEs
# and fonts give - the Greek ano teleia, the katakana middle dot (and its half-width form), the Taiwanese
# hyphenation point (U+2027), the bullet, the bullet and dot operators, the runic punctuation, the word
# separator middle dot - and a full stop (outside attack 16b).
NAME_DOTS = ".\u00b7\u0387\u16eb\u2022\u2027\u2219\u22c5\u2e31\u30fb\uff65\u318d\u10fb"
_DROP = re.compile(f"[\\s{NAME_DOTS}'’\\-]")


@functools.lru_cache(maxsize=1)
def _converter():
    try:
        import opencc
    except ImportError:  # the install lacks the wheel: NFKC folding only (the deny list still matches exact)
        return None
    return opencc.OpenCC("t2s")


class _T2S(dict):
    """A str.translate table filled on first use: each character's simplified form (itself when OpenCC
    leaves it, or would turn it into more than one character)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        converter = _converter() if _is_han(ch) else None
        out = converter.convert(ch) if converter is not None else ch
        out = out if len(out) == 1 else ch
        self[code] = out
        return out


_T2S_TABLE = _T2S()


def t2s_text(text: str) -> str:
    """Traditional characters made simplified, one character for one (see the module)."""
    return (text or "").translate(_T2S_TABLE)


def _is_han(ch: str) -> bool:
    """A Han character, 〇 (U+3007, the ideographic zero: category Nl, outside the blocks) included - a name
    character (王〇明), never a digit to drop (outside attack 16b)."""
    # Comparisons, not a regex: called per character in the deny list's and erasure's folds (= HAN above).
    return ch == "\u3007" or "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


def fold(name: str) -> str:
    """The compared form of a name (see the module)."""
    value = unicodedata.normalize("NFKC", name or "").casefold()
    value = _DROP.sub("", value)
    converter = _converter()
    if converter is not None and any(_is_han(ch) for ch in value):
        value = converter.convert(value)
    return value


def _dropped(ch: str) -> bool:
    """A punctuation mark, symbol, digit, separator or control/format character (never a Han character)."""
    return unicodedata.category(ch)[0] in "PSNZC" and not _is_han(ch)


def deny_key(name: str) -> str:
    """The deny list's compared form: ``fold`` without punctuation, symbols, digits or spaces (module)."""
    return "".join(ch for ch in fold(name) if not _dropped(ch))


def _letters(text: str) -> str:
    """Latin letters only, tone marks and ü's dots dropped (ü -> u, as typed on a phone keyboard: 'lv' too)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or "").casefold())
    return "".join(ch for ch in decomposed if "a" <= ch <= "z")


def latin_keys(name: str) -> frozenset[str]:
    """The Latin forms a name may be typed in (see the module); empty for a name that is neither wholly Han
    nor wholly Latin, or too short to mean anything (two letters)."""
    folded = deny_key(name)
    if not folded:
        return frozenset()
    if all(_is_han(ch) for ch in folded):
        from pypinyin import lazy_pinyin
        syllables = [_letters(s) for s in lazy_pinyin(folded)]
        keys = {"".join(syllables)}
        for cut in (1, 2):  # a one- or two-character family name (欧阳) written last
            if len(syllables) > cut:
                keys.add("".join(syllables[cut:] + syllables[:cut]))
    else:
        text = "".join(" " if _dropped(ch) or ch in "·・" else ch for ch in unicodedata.normalize("NFKC", name or ""))
        words = [_letters(w) for w in text.split() if w]
        if not all(words) or "".join(words) != _letters(name):
            return frozenset()  # not wholly Latin (Han mixed in: see _mixed_same)
        keys = {"".join(words)}
        if len(words) > 1:
            keys.add("".join(words[-1:] + words[:-1]))
            keys.add("".join(words[1:] + words[:1]))
    keys = {k.replace("v", "u") for k in keys}  # lv / lü / lu: one key
    return frozenset(k for k in keys if len(k) >= 3)


def _readings(ch: str) -> list[str]:
    """Every toneless reading of one Han character (a polyphone has several: 单 dan/shan/chan)."""
    from pypinyin import Style, pinyin
    return sorted({_letters(r).replace("v", "u") for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]} - {""})


def _mixed_same(listed: str, typed: str) -> bool:
    """Whether a typed name mixing Han characters and pinyin ("张san丰") is the listed Han name, syllable by
    syllable: every typed Han character the listed one at its place, every Latin stretch the readings of
    the listed characters it stands for, nothing left over on either side."""
    typed = typed.replace("v", "u").replace("ü", "u")

    def walk(i: int, pos: int) -> bool:
        if i == len(listed):
            return pos == len(typed)
        if pos >= len(typed):
            return False
        if _is_han(typed[pos]):
            return typed[pos] == listed[i] and walk(i + 1, pos + 1)
        return any(typed.startswith(r, pos) and walk(i + 1, pos + len(r)) for r in _readings(listed[i]))

    return len(listed) <= 8 and len(typed) <= 48 and walk(0, 0)


def same_name(listed: str, typed: str) -> bool:
    """Whether a typed name is the listed one (folded characters without punctuation, symbols or digits;
    a shared Latin form when one side is Latin; a Han and pinyin mix syllable by syllable against a Han
    name; never two different Han spellings by their sound)."""
    a, b = deny_key(listed), deny_key(typed)
    if not a or not b:
        return False
    if a == b:
        return True
    han_a, han_b = all(_is_han(ch) for ch in a), all(_is_han(ch) for ch in b)
    if han_a and han_b:
        return False
    mixed_a, mixed_b = (not han and any(_is_han(ch) for ch in x) for x, han in ((a, han_a), (b, han_b)))
    if han_a and mixed_b:
        return _mixed_same(a, _latin_folded(b))
    if han_b and mixed_a:
        return _mixed_same(b, _latin_folded(a))
    return bool(latin_keys(listed) & latin_keys(typed))


def _latin_folded(text: str) -> str:
    """Han characters kept, every other letter as plain Latin (tone marks dropped)."""
    return "".join(ch if _is_han(ch) else _letters(ch) for ch in text)
