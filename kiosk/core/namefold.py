"""Names as the deny list compares them, so a listed person cannot dodge it by how the name is typed.

- ``fold``: NFKC (full-width and compatibility forms: "Ｚｈａｎｇ", "㈱", "⾼" radicals), case, spaces and
  middle dots dropped, traditional characters folded to simplified (张三豐 -> 张三丰) with OpenCC's t2s tables
  (a maintained library: variants and one-to-many characters handled by its dictionaries).
- ``latin_keys``: a Chinese name's toneless pinyin (张三丰 -> zhangsanfeng) and a Latin name's letters
  (tone marks dropped: "Zhāng Sānfēng"), each also with the family name moved to the end ("Sanfeng Zhang",
  as on a passport) - so a Chinese name typed in pinyin, or a pinyin entry typed in Chinese, still alerts.
  Two Chinese spellings are compared by their characters, never by sound (李伟 is not 黎薇)."""
from __future__ import annotations

import functools
import re
import unicodedata

_DROP = re.compile(r"[\s·・.\u00b7\u30fb\u2027\u2022'’\-]")


@functools.lru_cache(maxsize=1)
def _converter():
    try:
        import opencc
    except ImportError:  # the install lacks the wheel: NFKC folding only (the deny list still matches exact)
        return None
    return opencc.OpenCC("t2s")


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


def fold(name: str) -> str:
    """The compared form of a name (see the module)."""
    value = unicodedata.normalize("NFKC", name or "").casefold()
    value = _DROP.sub("", value)
    converter = _converter()
    if converter is not None and any(_is_han(ch) for ch in value):
        value = converter.convert(value)
    return value


def _letters(text: str) -> str:
    """Latin letters only, tone marks and ü's dots dropped (ü -> u, as typed on a phone keyboard: 'lv' too)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or "").casefold())
    return "".join(ch for ch in decomposed if "a" <= ch <= "z")


def latin_keys(name: str) -> frozenset[str]:
    """The Latin forms a name may be typed in (see the module); empty for a name that is neither wholly Han
    nor wholly Latin, or too short to mean anything (two letters)."""
    folded = fold(name)
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
        words = [_letters(w) for w in re.split(r"[\s,·.\-]+", unicodedata.normalize("NFKC", name or "")) if w]
        if not all(words) or "".join(words) != _letters(name):
            return frozenset()  # not wholly Latin (digits, Han mixed in)
        keys = {"".join(words)}
        if len(words) > 1:
            keys.add("".join(words[-1:] + words[:-1]))
            keys.add("".join(words[1:] + words[:1]))
    keys = {k.replace("v", "u") for k in keys}  # lv / lü / lu: one key
    return frozenset(k for k in keys if len(k) >= 3)


def same_name(listed: str, typed: str) -> bool:
    """Whether a typed name is the listed one (folded characters, or a shared Latin form when one side is
    Latin; never two different Han spellings by their sound)."""
    a, b = fold(listed), fold(typed)
    if not a or not b:
        return False
    if a == b:
        return True
    han_a, han_b = all(_is_han(ch) for ch in a), all(_is_han(ch) for ch in b)
    if han_a and han_b:
        return False
    return bool(latin_keys(listed) & latin_keys(typed))
