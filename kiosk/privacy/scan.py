"""A raw byte scan: does a file hold any of these texts, as UTF-8 or UTF-16 (either byte order)?

This is the last check after an erasure, not the way to find a person (that is kiosk.core.erasure.find):
SQLite stores text as UTF-8 here, but a page of an older file, a WAL frame or an export could hold
another encoding, and a byte scan sees free pages and slack that a query never reads."""
from __future__ import annotations

from pathlib import Path

BLOCK = 1 << 20
MIN_BYTES = 4   # a needle shorter than this in bytes would match noise everywhere


def encodings(texts: list[str]) -> list[bytes]:
    """Each text as UTF-8, UTF-16-LE and UTF-16-BE bytes (no BOM), the short ones left out."""
    out: list[bytes] = []
    for text in texts:
        if not text:
            continue
        for codec in ("utf-8", "utf-16-le", "utf-16-be"):
            data = text.encode(codec)
            if len(data) >= MIN_BYTES:
                out.append(data)
    return list(dict.fromkeys(out))


def holds(path: Path, texts: list[str]) -> bool:
    """Whether the file's bytes contain any of the texts (read in blocks with an overlap, so a needle
    that straddles two blocks is seen). A file that cannot be read counts as holding them."""
    needles = encodings(texts)
    if not needles:
        return False
    overlap = max(len(n) for n in needles) - 1
    try:
        with open(path, "rb") as handle:
            tail = b""
            while True:
                block = handle.read(BLOCK)
                if not block:
                    return False
                window = tail + block
                if any(n in window for n in needles):
                    return True
                tail = window[-overlap:] if overlap else b""
    except FileNotFoundError:
        return False
    except OSError:
        return True
