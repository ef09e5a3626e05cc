"""The roll call as the screen holds it: the last list read from the database, the heads marked safe,
and the marks not yet written. Plain Python, no database: in a fire drill the database may be busy or
gone, and the roll call (count, missing list, printout) must carry on from this copy.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.core.i18n import gettext
from kiosk.printing.documents import Pair, Receipt, Rule, Text

MAX_PENDING = 10_000  # bound on marks kept while the database is away (a site has far fewer heads)


@dataclass(frozen=True)
class Tally:
    """Heads: accounted for, still missing, and everyone on the list."""

    accounted: int
    missing: int
    total: int


@dataclass
class RollCall:
    """One roll call's copy. `rows` are visits as `rollcall_list` returns them (id, name, party_size…);
    `safe` maps visit id to heads accounted for; `pending` holds (visit id, heads) not yet stored."""

    rollcall_id: int | None = None
    rows: list[dict] = field(default_factory=list)
    safe: dict[int, int] = field(default_factory=dict)
    pending: list[tuple[int, int]] = field(default_factory=list)
    tapped: dict[int, str] = field(default_factory=dict)  # visit id -> when its pending count was tapped

    def load(self, rows: list[dict]) -> None:
        """Take a fresh list from the database; marks still pending stay as this screen last set them."""
        self.rows = [dict(r) for r in rows]
        stored = {r["id"]: int(r.get("safe") or 0) for r in rows}
        waiting = {visit_id: heads for visit_id, heads in self.pending}
        self.safe = {visit_id: waiting.get(visit_id, heads) for visit_id, heads in stored.items()}

    def party(self, visit_id: int) -> int:
        for row in self.rows:
            if row["id"] == visit_id:
                return int(row["party_size"])
        return 0

    def heads(self, visit_id: int) -> int:
        return self.safe.get(visit_id, 0)

    def step(self, visit_id: int, delta: int, at: str = "") -> int:
        """Count one more head safe (+1) or undo one (-1), within the party; returns the new count and
        queues it for the database (the newest count of a visit replaces an older pending one). `at` is the
        tap's time (UTC ISO), written with the mark even when the database answers later."""
        new = max(0, min(self.party(visit_id), self.heads(visit_id) + delta))
        self.safe[visit_id] = new
        self.pending = [(v, h) for v, h in self.pending if v != visit_id][-MAX_PENDING + 1:]
        self.pending.append((visit_id, new))
        if at:
            self.tapped[visit_id] = at
        return new

    def stored(self, visit_id: int, heads: int) -> None:
        """The database has this count: drop it from the pending marks."""
        self.pending = [(v, h) for v, h in self.pending if (v, h) != (visit_id, heads)]
        if all(v != visit_id for v, _h in self.pending):
            self.tapped.pop(visit_id, None)

    def tally(self) -> Tally:
        total = sum(int(r["party_size"]) for r in self.rows)
        accounted = sum(min(self.heads(r["id"]), int(r["party_size"])) for r in self.rows)
        return Tally(accounted, total - accounted, total)

    def missing(self) -> list[dict]:
        """Visits with heads still unaccounted for, with `missing` heads each, in sign-in order."""
        out = []
        for row in self.rows:
            gone = int(row["party_size"]) - self.heads(row["id"])
            if gone > 0:
                out.append({**row, "missing": gone})
        return out


# --- marks the database could not take, kept on disk -------------------------------------------------
# A sign-out or a restart while the database is locked would lose the taps only the screen holds. They
# go to a small JSON file beside the database (written to a temporary name, fsynced, renamed) and are
# written into the roll call when it is resumed. Only visit ids, head counts and times: no names.
JOURNAL_NAME = "rollcall-pending.json"


def save_journal(path: Path, call: RollCall) -> None:
    """Keep the pending marks of `call` on disk (an empty list removes the file)."""
    if not call.pending or call.rollcall_id is None:
        clear_journal(path)
        return
    data = {"rollcall_id": call.rollcall_id,
            "marks": [[v, h, call.tapped.get(v, "")] for v, h in call.pending[-MAX_PENDING:]]}
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="utf-8") as out:
        json.dump(data, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


def read_journal(path: Path) -> tuple[int, list[tuple[int, int, str]]] | None:
    """The roll call id and its pending marks (visit id, heads, tapped at), or None when there is no
    readable journal (a damaged file is ignored: the marks in the database still stand)."""
    try:
        if path.stat().st_size > 2_000_000:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        marks = [(int(v), int(h), str(at)[:40]) for v, h, at in data["marks"][:MAX_PENDING]]
        return int(data["rollcall_id"]), marks
    except (OSError, ValueError, TypeError, KeyError):
        return None


def clear_journal(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def missing_list(call: RollCall, lang: str, *, site_name: str, tz: str, now: datetime,
                 from_memory: bool = False) -> Receipt:
    """The paper the warden takes to the assembly point: who is still missing, with host and party,
    and the count. Built without the database (`from_memory` says so on the paper)."""
    _ = lambda s: gettext(s, lang)  # noqa: E731
    zone = ZoneInfo(tz)

    def local(iso: str) -> str:
        try:
            return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(zone).strftime("%H:%M")
        except (ValueError, AttributeError):
            return ""

    tally = call.tally()
    blocks: list = [Pair(_("Accounted for"), f"{tally.accounted} / {tally.total}"),
                    Pair(_("Still missing"), str(tally.missing)), Rule()]
    for row in call.missing():
        party = int(row["party_size"])
        name = row["name"] or "—"
        count = f"  ({row['missing']}/{party})" if party > 1 else ""
        blocks.append(Pair("[ ] " + name + count, local(row["signed_in_at"])))
        blocks.append(Text("    " + " · ".join(x for x in (row.get("organisation") or "", row["host_name"]) if x)))
    if not call.missing():
        blocks.append(Text(_("Everyone is accounted for"), align="center", bold=True))
    footer = (_("Printed from the screen's copy: the database was not available"),) if from_memory else ()
    return Receipt(kind="rollcall", lang=lang, title=_("Roll call: still missing"), header=(site_name,),
                   blocks=tuple(blocks), footer=footer + (now.astimezone(zone).strftime("%Y-%m-%d %H:%M"),))
