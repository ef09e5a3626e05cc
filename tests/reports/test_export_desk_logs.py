"""The daily export carries the staff desk's corrections and roll-call marks (issue 13): one row per
amendment and per tap, read back from the CSV and the workbook, long Chinese text and emoji intact and
formula-looking text inert."""
from __future__ import annotations

import csv
import io

import openpyxl

from kiosk.core import auth
from kiosk.core.audit import SYSTEM, Actor
from kiosk.lostfound import service as lostfound
from kiosk.reports import export
from kiosk.visitors import service as visitors

TZ = "Asia/Shanghai"


def _csv(path):
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_amendments_and_rollcall_marks_are_logs_of_the_day(db, clock, tmp_path):
    auth.add_user(db, clock, SYSTEM, "值班员工", "staff", "1234")
    staff = auth.users(db, role="staff")[0].actor()
    item = lostfound.register_item(db, clock, staff, TZ, category="phone", description="黑色华为手机",
                                   found_place="大堂", handed_in_kind="customer", handed_in_name="王芳", storage="前台柜 A1")
    long_reason = "登记时写错，" + "长" * 190 + "😀"
    lostfound.amend_item(db, clock, staff, item.id, field="storage", value="=HYPERLINK(\"x\")保险柜", reason=long_reason)
    host = visitors.add_host(db, clock, SYSTEM, "Emma Li", "行政部", "8001")
    visit_id = visitors.sign_in(db, clock, visitors.Visitor("张伟", "13800138000", host, "meeting", party_size=3,
                                                            privacy_accepted=True)).visit_id
    rc = visitors.start_rollcall(db, clock, staff)
    for heads in (1, 2, 3, 2):  # three taps and an undo
        visitors.mark_safe(db, clock, staff, rc, visit_id, heads)
    day = clock.now().astimezone(__import__("zoneinfo").ZoneInfo(TZ)).date()
    result = export.run_export(db, clock, first=day, last=day, tz_name=TZ, destination=tmp_path, lang="zh_CN",
                               actor=Actor("经理", None, "manager"))
    amendments = _csv(result.folder / "lost_amendments.csv")
    assert amendments[0][:4] == ["编号", "时间", "物品编号", "更正项"]
    [row] = amendments[1:]
    assert row[2] == item.ref and row[3:5] == ["存放位置", "storage"] and row[5] == "前台柜 A1"
    assert row[6] == "'=HYPERLINK(\"x\")保险柜"  # inert in a spreadsheet (quoted by the one cell rule)
    assert row[7] == long_reason and row[8] == "值班员工"
    marks = _csv(result.folder / "rollcall_marks.csv")
    assert [r[7] for r in marks[1:]] == ["1", "2", "3", "2"] and {r[5] for r in marks[1:]} == {"张伟"}
    assert {r[6] for r in marks[1:]} == {"3"} and {r[2] for r in marks[1:]} == {str(rc)}
    book = openpyxl.load_workbook(next(p for p, _ in result.files if p.suffix == ".xlsx"), read_only=True)
    assert {"失物登记更正", "疏散点名记录"} <= set(book.sheetnames)
    sheet = book["疏散点名记录"]
    assert [r[7] for r in sheet.iter_rows(min_row=2, values_only=True)] == [1, 2, 3, 2]
