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

from kiosk.lostfound.lexicon import RELATED, STOP_CHARS, STOPWORDS, WEIGHTS, concepts_of_surface, surfaces
from kiosk.lostfound.service import Item

WINDOW_BEFORE = timedelta(days=2)   # found a little before the reported day (people misremember)
WINDOW_AFTER = timedelta(days=30)
SAME_CATEGORY, RELATED_CATEGORY = 3.0, 1.0
COLOUR_CLASH, BRAND_CLASH = 2.0, 4.0
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

    def kinds(self, kind: str) -> set[str]:
        return {c for c in self.concepts if c.startswith(kind + ":")}


@dataclass(frozen=True)
class Reason:
    """One piece of evidence: its kind ('category', 'related', 'brand', 'model', 'colour', 'thing',
    'detail', 'words') and the report's own words that matched."""

    kind: str
    words: tuple[str, ...] = ()


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
    "detail": "details: {words}", "words": "same words: {words}",
}


def describe(match: Match, tr: Callable[[str], str], mark: Callable[[str], str] = lambda w: w,
             separator: str = "; ") -> str:
    """The reasons as a sentence in the caller's language (`tr` translates a msgid); each matched word
    goes through `mark` (a screen highlights them)."""
    parts = []
    for reason in match.reasons:
        words = "、".join(mark(w) for w in reason.words) if reason.words else ""
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


def read(text: str) -> Reading:
    """Concepts and leftover words of a text (bounded: at most MAX_TEXT characters are read)."""
    # NFKC: full-width "Ｈｕａｗｅｉ" from a Chinese keyboard reads as "huawei"
    text = unicodedata.normalize("NFKC", (text or "")[:MAX_TEXT]).lower().replace("’", "'")
    found: dict[str, list[str]] = {}
    for surface, pattern in _patterns():  # longest first: "红米" is a brand before "红" is a colour
        if surface not in text:
            continue
        hits = pattern.findall(text)
        if not hits:
            continue
        for concept in concepts_of_surface(surface):
            found.setdefault(concept, []).append(hits[0])
        text = pattern.sub(_SEP, text)
    leftovers: dict[str, str] = {}
    for word in _WORD.findall(text):
        if len(word) > 1 and word not in STOPWORDS:
            leftovers[word.rstrip("s") if len(word) > 3 else word] = word
    for run in _CJK.findall(text):
        for piece in re.split("[" + STOP_CHARS + "]", run):
            if len(piece) >= 2:
                for i in range(len(piece) - 1):
                    leftovers[piece[i:i + 2]] = piece[i:i + 2]
    return Reading({k: tuple(dict.fromkeys(v)) for k, v in found.items()}, leftovers)


@lru_cache(maxsize=4096)
def read_fields(description: str, features: str = "", colour: str = "", brand: str = "") -> Reading:
    """One side of a comparison: every field of a report or an item read together (cached: a register
    is read once for many reports; the Reading is never changed by its users)."""
    return read(" | ".join((description or "", features or "", colour or "", brand or "")))


def _category_points(report_category: str, item_category: str) -> tuple[float, Reason] | None:
    if report_category == item_category:
        return SAME_CATEGORY, Reason("category")
    if item_category in RELATED.get(report_category, ()) or "other" in (report_category, item_category):
        return RELATED_CATEGORY, Reason("related")
    return None


def score(report: dict, item: Item, said: Reading | None = None) -> Match | None:
    """How well an item fits a report, with the reasons; None when it cannot be the one."""
    category = _category_points(report["category"], item.category)
    if category is None:
        return None
    lost = date.fromisoformat(report["lost_on"])
    found = date.fromisoformat(item.found_at[:10])
    if not lost - WINDOW_BEFORE <= found <= lost + WINDOW_AFTER:
        return None
    said = said or read_fields(report["description"], report.get("features", ""), report.get("colour", ""),
                               report.get("brand", ""))
    known = read_fields(item.description, item.features, item.colour, item.brand)
    points, reasons = category[0], [category[1]]
    specific = False
    for kind in ("brand", "model", "colour", "thing", "detail"):
        mine, theirs = said.kinds(kind), known.kinds(kind)
        shared = sorted(mine & theirs)
        if shared:
            points += WEIGHTS[kind] * len(shared)
            words = tuple(dict.fromkeys(w for c in shared for w in said.concepts[c]))
            reasons.append(Reason(kind, words))
            specific = specific or kind != "thing"
        elif mine and theirs and kind == "colour":
            points -= COLOUR_CLASH
        elif mine and theirs and kind == "brand":
            points -= BRAND_CLASH
    shared_words = sorted(set(said.leftovers) & set(known.leftovers))
    if shared_words:
        points += LEFTOVER_WEIGHT * len(shared_words)
        reasons.append(Reason("words", tuple(dict.fromkeys(said.leftovers[w] for w in shared_words))))
        specific = True
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
