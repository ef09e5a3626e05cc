"""More hostile cases around the outside attack on issue 12: slip presses, exports after attempts, CLI lines."""
from __future__ import annotations

from datetime import timedelta

from kiosk.complaints import service, slips
from kiosk.printing import queue
from tests.complaints.common import STAFF, TZ, set_local, taker
from tests.complaints.test_outside_attack_12 import MANAGER, _log_row

take = taker(kind="complaint", category="facilities", responsibility="company", what="电梯坏了", place="3号楼")


def _numbers(db, cid):
    return [(j.receipt_no, j.reprint_of is not None) for j in queue.for_record(db, "complaints", cid)]


def test_a_press_after_the_slip_printed_is_a_marked_reprint_in_the_language_asked(db, clock):
    """A customer who lost the slip gets a reprint under the same number, marked, in the language asked for;
    the series is not advanced (the next complaint's slip is number 2)."""
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock, customer_name="丁")
    first = slips.print_slip(db, clock, STAFF, "T01", cid, "en")
    queue.mark(db, clock, first, "printed")
    again = slips.print_slip(db, clock, STAFF, "T01", cid, "zh_CN")
    copy = queue.get(db, again)
    assert copy.reprint_of == first and copy.receipt.reprint and copy.receipt.lang == "zh_CN"
    assert _numbers(db, cid) == [("T01-Q-000001", False), ("T01-Q-000001", True)]
    other = take(db, clock, customer_name="王")
    assert queue.get(db, slips.print_slip(db, clock, STAFF, "T01", other, "en")).receipt_no == "T01-Q-000002"


def test_pressing_again_while_the_slip_waits_or_is_held_queues_nothing_new(db, clock):
    """Three presses while the printer is out: the one slip waits; once held (given up on), a press puts that
    same job back in the queue."""
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock)
    first = slips.print_slip(db, clock, STAFF, "T01", cid, "en")
    assert slips.print_slip(db, clock, STAFF, "T01", cid, "en") == first
    queue.mark(db, clock, first, "held", "printer offline")
    assert slips.print_slip(db, clock, STAFF, "T01", cid, "en") == first
    assert queue.get(db, first).status == "queued"
    assert _numbers(db, cid) == [("T01-Q-000001", False)]


def test_a_reprint_after_the_major_decision_shows_the_deadline_then_in_force(db, clock):
    """Taken as major, accepted: the slip and its reprint both say the major deadline, never 12:00."""
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock, category="safety", major_reason="serious_loss")
    first = slips.print_slip(db, clock, STAFF, "T01", cid, "en")
    queue.mark(db, clock, first, "printed")
    service.decide_major(db, clock, MANAGER, TZ, cid, True)
    copy = queue.get(db, slips.print_slip(db, clock, STAFF, "T01", cid, "en"))
    dues = [[b.right for b in j.receipt.blocks if getattr(b, "left", "") == "Resolved by"]
            for j in (queue.get(db, first), copy)]
    assert dues[0] == dues[1] and dues[0] != ["2026-11-02 12:00"]


def test_export_of_a_complaint_left_not_resolved_still_says_so(db, clock):
    """Only an attempt: the export shows "not resolved" and what was tried (the latest event, as before)."""
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock)
    service.resolve(db, clock, STAFF, TZ, cid, "not_resolved", "first try")
    clock.set(clock.now() + timedelta(minutes=5))
    service.resolve(db, clock, STAFF, TZ, cid, "not_resolved", "waiting for parts")
    [row] = _log_row(db, 2026, 11)
    assert (row["outcome_code"], row["what_was_done"], row["callback_due"]) == ("not_resolved", "waiting for parts",
                                                                               None)


def test_cli_list_folds_tabs_and_controls_in_every_field(db_path, db, clock):
    """A tab and a line separator typed into the text keep the list at one line of eight fields."""
    from click.testing import CliRunner
    from kiosk.cli.main import main
    set_local(clock, 2026, 11, 2, 10)
    take(db, clock, what="漏水\t三天\u2028楼上")
    out = CliRunner().invoke(main, ["complaints", "list", "--db", str(db_path)]).output
    [line] = out.strip("\n").splitlines()
    assert line.count("\t") == 7, repr(line)
