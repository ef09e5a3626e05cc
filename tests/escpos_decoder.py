"""A small decoder of exactly the ESC/POS commands the kiosk emits, for tests.

Turns bytes back into what a person would read on the paper: text lines (with alignment, bold,
size), QR payloads, barcodes, raster pictures (their size), cuts and drawer kicks.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PaperLine:
    text: str = ""
    align: str = "left"
    bold: bool = False
    size: int = 1


@dataclass
class Paper:
    lines: list[PaperLine] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    barcodes: list[str] = field(default_factory=list)
    images: list[tuple[int, int]] = field(default_factory=list)   # (width dots, height dots)
    cuts: int = 0
    kicks: list[tuple[int, int, int]] = field(default_factory=list)  # (m, t1, t2)
    status_queries: int = 0
    chinese_runs: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # order of things: 'text', 'qr', 'image', 'cut'...

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def find(self, needle: str) -> PaperLine:
        for line in self.lines:
            if needle in line.text:
                return line
        raise AssertionError(f"{needle!r} not on the paper:\n{self.text}")


class DecodeError(ValueError):
    pass


def decode(data: bytes, *, chinese_at_start: bool = False) -> Paper:
    """Decode a byte stream; raises DecodeError on a command we do not emit.

    chinese_at_start: read it as a printer that powered up in Chinese mode would (and that ESC @
    does not take out of it).
    """
    paper = Paper()
    state = {"align": "left", "bold": False, "size": 1, "chinese": chinese_at_start}
    current = bytearray()
    cn_current = []  # (is_chinese, bytes) runs of the current line

    def flush_run() -> None:
        if current:
            cn_current.append((state["chinese"], bytes(current)))
            current.clear()

    def end_line() -> None:
        flush_run()
        text = ""
        for chinese, raw in cn_current:
            if chinese:
                decoded = raw.decode("gb18030")
                paper.chinese_runs.append(decoded)
                text += decoded
            else:
                text += raw.decode("cp437")
        cn_current.clear()
        paper.lines.append(PaperLine(text, state["align"], state["bold"], state["size"]))
        paper.events.append("text")

    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b == 0x0A:
            end_line(); i += 1
        elif b == 0x1B:  # ESC
            cmd = data[i + 1:i + 2]
            if cmd == b"@":
                i += 2
            elif cmd == b"t":
                i += 3
            elif cmd == b"a":
                flush_run(); state["align"] = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}[data[i + 2]]; i += 3
            elif cmd == b"E":
                flush_run(); state["bold"] = bool(data[i + 2] & 1); i += 3
            elif cmd == b"!":
                i += 3
            elif cmd == b"d":
                for _ in range(data[i + 2]):
                    paper.lines.append(PaperLine("")); 
                i += 3
            elif cmd == b"p":
                paper.kicks.append((data[i + 2], data[i + 3], data[i + 4])); paper.events.append("kick"); i += 5
            else:
                raise DecodeError(f"ESC {cmd!r} at {i}")
        elif b == 0x1C:  # FS
            cmd = data[i + 1:i + 2]
            if cmd == b"&":
                flush_run(); state["chinese"] = True; i += 2
            elif cmd == b".":
                flush_run(); state["chinese"] = False; i += 2
            else:
                raise DecodeError(f"FS {cmd!r} at {i}")
        elif b == 0x1D:  # GS
            cmd = data[i + 1:i + 2]
            if cmd == b"!":
                flush_run(); state["size"] = 2 if data[i + 2] & 0x11 else 1; i += 3
            elif cmd == b"V":
                paper.cuts += 1; paper.events.append("cut")
                i += 3 if data[i + 2] in (0, 1, 48, 49) else 4
            elif cmd == b"(" and data[i + 2:i + 3] == b"k":
                length = data[i + 3] + 256 * data[i + 4]
                body = data[i + 5:i + 5 + length]
                if body[:3] == b"1P0":
                    paper.qr.append(body[3:].decode("utf-8")); paper.events.append("qr")
                i += 5 + length
            elif cmd in (b"h", b"w", b"f", b"H"):
                i += 3
            elif cmd == b"k":
                m = data[i + 2]
                if m >= 65:
                    length = data[i + 3]
                    payload = data[i + 4:i + 4 + length].decode("ascii")
                    paper.barcodes.append(payload[2:] if payload.startswith("{") else payload)
                    paper.events.append("barcode")
                    i += 4 + length
                else:
                    end = data.index(b"\x00", i + 3)
                    paper.barcodes.append(data[i + 3:end].decode("ascii")); i = end + 1
            elif cmd == b"v" and data[i + 2:i + 3] == b"0":
                width_bytes = data[i + 4] + 256 * data[i + 5]
                rows = data[i + 6] + 256 * data[i + 7]
                paper.images.append((width_bytes * 8, rows)); paper.events.append("image")
                i += 8 + width_bytes * rows
            else:
                raise DecodeError(f"GS {cmd!r} at {i}")
        elif b == 0x10 and data[i + 1:i + 2] == b"\x04":  # DLE EOT
            paper.status_queries += 1; i += 3
        else:
            current.append(b); i += 1
    if current or cn_current:
        end_line()
    return paper


def merge_images(paper: Paper) -> list[tuple[int, int]]:
    """Raster fragments of one picture come as several GS v 0 blocks; sizes as sent."""
    return paper.images
