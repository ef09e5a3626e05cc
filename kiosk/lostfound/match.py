"""Suggest held items for a lost report: same category, a date window, and shared words.

Chinese text has no spaces, so it is cut into character bigrams ("黑色雨伞" → 黑色, 色雨, 雨伞);
English is split into lower-case words. Colours are compared across both languages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.lostfound.service import Item

WINDOW_BEFORE = timedelta(days=2)   # found a little before the reported day (people misremember)
WINDOW_AFTER = timedelta(days=30)
STOPWORDS = {"a", "an", "the", "and", "with", "of", "in", "on", "my", "for", "to", "it", "is", "one", "some"}
COLOURS = {
    "black": "黑", "white": "白", "red": "红", "blue": "蓝", "green": "绿", "yellow": "黄", "brown": "棕",
    "grey": "灰", "gray": "灰", "pink": "粉", "purple": "紫", "orange": "橙", "silver": "银", "gold": "金",
    "navy": "蓝", "beige": "米", "咖啡": "棕", "褐": "棕",
}
_CJK = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Match:
    item: Item
    score: float
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return ", ".join(self.reasons)


def tokens(text: str) -> set[str]:
    """Words for English, character bigrams for Chinese (single characters for one-character runs)."""
    text = (text or "").lower()
    out = {w for w in _WORD.findall(text) if len(w) > 1 and w not in STOPWORDS}
    for run in _CJK.findall(text):
        out |= {run[i:i + 2] for i in range(len(run) - 1)} if len(run) > 1 else {run}
    return out


def colour_key(text: str) -> str:
    """One colour name for both languages: 'black', '黑色' and '黑' compare equal."""
    text = (text or "").lower().strip()
    for english, chinese in COLOURS.items():
        if english in text:
            return chinese
    for chinese in set(COLOURS.values()):
        if chinese in text:
            return chinese
    return text


def score(report: dict, item: Item) -> Match | None:
    """How well an item fits a report, with the reasons; None when it cannot be the one."""
    if item.category != report["category"]:
        return None
    lost = date.fromisoformat(report["lost_on"])
    found = date.fromisoformat(item.found_at[:10])
    if not lost - WINDOW_BEFORE <= found <= lost + WINDOW_AFTER:
        return None
    reasons, points = ["category"], 3.0
    if report.get("colour") and item.colour and colour_key(report["colour"]) == colour_key(item.colour):
        reasons.append("colour")
        points += 2
    if report.get("brand") and item.brand and report["brand"].strip().lower() == item.brand.strip().lower():
        reasons.append("brand")
        points += 2
    said = tokens(" ".join((report["description"], report.get("features", ""))))
    known = tokens(" ".join((item.description, item.features)))
    shared = said & known
    if shared:
        reasons.append(f"{len(shared)} word{'s' if len(shared) > 1 else ''}")
        points += len(shared)
    return Match(item, points, tuple(reasons))


def suggest(report: dict, items: list[Item], limit: int = 5) -> list[Match]:
    """The most likely items for a report, best first (category alone is not a suggestion)."""
    matches = [m for m in (score(report, item) for item in items) if m is not None and m.score > 3]
    return sorted(matches, key=lambda m: -m.score)[:limit]
