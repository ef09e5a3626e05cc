"""Simplified Chinese and English through gettext catalogues (data/locale/<lang>/LC_MESSAGES/*.po).

Each area keeps its own .po file (core.po, phone.po, visitors.po...); all are merged per language.
English msgids are the source text, so English needs no catalogue entries.
"""
from __future__ import annotations

import json
import os
import threading
from functools import lru_cache
from pathlib import Path

from kiosk.core.config import LANGUAGES
from kiosk.core.paths import data_dir

DEFAULT_LANGUAGE = "zh_CN"


def catalogue_files(lang: str) -> list[Path]:
    """The .po files of one language."""
    return sorted((data_dir() / "locale" / lang / "LC_MESSAGES").glob("*.po"))


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """msgid -> translation for one language (untranslated and fuzzy entries left out).

    Parsed .po files are cached as JSON keyed by the files' names, sizes and times, so a normal
    start reads one small file instead of importing Babel and parsing every catalogue.
    """
    files = catalogue_files(lang)
    key = [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in files]
    cache = _cache_path(lang)
    try:
        cached = json.loads(cache.read_text("utf-8"))
        if cached.get("key") == key:
            return cached["table"]
    except (OSError, ValueError, AttributeError):
        pass
    table = _parse(lang, files)
    try:
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "table": table}, ensure_ascii=False), "utf-8")
        os.replace(tmp, cache)
    except OSError:  # a read-only box still works, just parses every time
        pass
    return table


def _cache_path(lang: str) -> Path:
    from kiosk.core.fonts import fonts_cache_dir  # the shared cache folder
    folder = fonts_cache_dir().parent / "catalogues"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{lang}.json"


def _parse(lang: str, files: list[Path]) -> dict[str, str]:
    from babel.messages.pofile import read_po

    table: dict[str, str] = {}
    for path in files:
        with path.open("rb") as fh:
            for message in read_po(fh, locale=lang.split("_")[0] if lang != "zh_CN" else "zh_Hans_CN"):
                if message.id and message.string and not message.fuzzy:
                    table[str(message.id)] = str(message.string)
    return table


def gettext(msgid: str, lang: str) -> str:
    """Translate msgid into lang; falls back to the msgid (English) when missing."""
    if lang == "en":
        return msgid
    return catalogue(lang).get(msgid, msgid)


class Language:
    """The active language of this process, with listeners for live switching."""

    def __init__(self, lang: str = DEFAULT_LANGUAGE) -> None:
        self._lang = self._checked(lang)
        self._listeners: list = []
        self._lock = threading.Lock()

    @staticmethod
    def _checked(lang: str) -> str:
        if lang not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
        return lang

    @property
    def code(self) -> str:
        return self._lang

    def set(self, lang: str) -> None:
        """Switch language and tell every listener."""
        self._lang = self._checked(lang)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(self._lang)

    def on_change(self, listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def _(self, msgid: str) -> str:
        return gettext(msgid, self._lang)
