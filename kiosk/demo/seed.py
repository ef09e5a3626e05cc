"""Synthetic desk activity for demos and benchmarks: ``kiosk demo seed --days N``.

Rows have exactly the shape the areas' services write (columns, codes, audit rows, print jobs and
drawer openings). Bench volumes (thousands of rows a day) go through a fast path — one transaction,
executemany — instead of one committed transaction per event; the shapes are checked against the
services by tests/reports/test_export_seed.py. Areas whose tables do not exist yet are skipped and
reported.

Nothing is ever written with a time after the clock's now: today's activity stops at now (at 02:00
there is none yet), a visit whose sign-out would be in the future is still on site, a call still
ringing at now is left out, a callback not yet made is still open, tomorrow's delivery has not come.
"""
from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.reports.logs import existing_tables

# Free text in the site's language (config site.language): a Chinese site's register reads Chinese, an
# English site's English. Codes (purposes, categories, methods) are the same on both; only words differ.
TEXTS = {
    "zh_CN": {
        "names": ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴婷", "孙丽", "马超"],
        "topics": ["询问开放时间", "预约会议室", "询问快递是否送到", "反映空调太冷", "报修：门禁卡失灵",
                   "询问停车位置", "会员卡续费", "找人：财务部"],
        "staff": [("王芳", "staff"), ("李娜", "staff")],
        "orgs": ["顺丰速运", "华为技术", "京东物流", "", "中国移动", "市体育局", "绿地物业", ""],
        "hosts": [("李娜", "会籍部"), ("王建国", "行政部"), ("张敏", "财务部"), ("陈晓红", "赛事部"),
                  ("刘洋", "工程部"), ("赵磊", "餐饮部"), ("周伟", "总经理办公室")],
        "delivery": "供应商到货补货", "callback": "已回电，问题已答复", "storage": "前台柜子",
        "manager": "张经理",
    },
    "en": {
        "names": ["Emma Clarke", "James Wilson", "Olivia Brown", "Liam Taylor", "Sophie Evans", "Noah Walker",
                  "Grace Hall", "Jack Turner", "Chloe Wright", "Harry Green", "Lily Baker", "Oscar Hill"],
        "topics": ["Asked about opening hours", "Booked the meeting room", "Asked whether a parcel has arrived",
                   "Says the air conditioning is too cold", "Repair: access card not working",
                   "Asked where to park", "Membership renewal", "Looking for the finance office"],
        "staff": [("Emma Clarke", "staff"), ("James Wilson", "staff")],
        "orgs": ["DHL Express", "Acme Ltd", "City Council", "", "BT Group", "Northside Sports Club", "", ""],
        "hosts": [("Sarah Mitchell", "Membership"), ("David Jones", "Admin"), ("Rachel Adams", "Finance"),
                  ("Tom Harris", "Events"), ("Peter Lewis", "Facilities"), ("Anna Scott", "Catering"),
                  ("Mark Robinson", "General manager's office")],
        "delivery": "Delivery from the supplier", "callback": "Called back, question answered",
        "storage": "Front desk cupboard", "manager": "Helen Carter",
    },
}
NAMES = TEXTS["zh_CN"]["names"]
TOPICS = TEXTS["zh_CN"]["topics"]
STAFF = TEXTS["zh_CN"]["staff"]


def texts(lang: str) -> dict:
    """The seed's free text for a site language (English for any language but Chinese)."""
    return TEXTS["zh_CN"] if lang.startswith("zh") else TEXTS["en"]


DEFAULTS = {"visitors": 120, "calls": 60, "sales": 80}


OPENS = 8   # the seeded desk's day: 08:00–18:00 local (see _opening_moment)


def _opening_moment(rng: random.Random, day: date, tz: ZoneInfo) -> datetime:
    """A moment in opening hours (08:00–18:00 local), busier mid-morning and mid-afternoon.

    The caller drops a moment after now: nothing seeded happens in the future."""
    hour = min(17, max(OPENS, int(rng.choice((rng.gauss(10.5, 1.5), rng.gauss(15, 1.5))))))
    local = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                     rng.randrange(1_000_000), tzinfo=tz)
    return local.astimezone(ZoneInfo("UTC"))


def default_end_day(clock: Clock, tz: ZoneInfo) -> date:
    """Today, or yesterday while today's opening hours have not begun."""
    local = clock.now().astimezone(tz)
    return local.date() if local.hour >= OPENS else local.date() - timedelta(days=1)


def seed(db: sqlite_utils.Database, clock: Clock, *, days: int, tz_name: str, visitors: int | None = None,
         calls: int | None = None, sales: int | None = None, random_seed: int = 1,
         end_day: date | None = None, lang: str = "zh_CN") -> dict[str, int | str]:
    """Fill days (ending end_day) with activity; returns counts per area (or why skipped).

    end_day defaults to today, or to yesterday before the desk opens (OPENS local): seeded at 03:00, a
    day ending today would hold nothing at all, and a demo (or a test) would open on an empty desk.

    Free text (names, notes, reasons, descriptions) is in lang, the site's language."""
    # The area seeders read these module names; one seed runs at a time (the CLI, a test, the bench).
    global NAMES, TOPICS, STAFF, ORGS, LOST, COMPLAINTS, DONE_TEXTS, WORDS, LANG
    WORDS, LANG = texts(lang), ("zh_CN" if lang.startswith("zh") else "en")
    NAMES, TOPICS, STAFF, ORGS = WORDS["names"], WORDS["topics"], WORDS["staff"], WORDS["orgs"]
    LOST, COMPLAINTS, DONE_TEXTS = WORDS["lost"], WORDS["complaints"], WORDS["done"]
    rng = random.Random(random_seed)
    tz = ZoneInfo(tz_name)
    last = end_day or default_end_day(clock, tz)
    from kiosk.core.errors import Refusal
    from kiosk.core.localday import FIRST_DAY, LAST_DAY
    if not (FIRST_DAY <= last <= LAST_DAY and (last - FIRST_DAY).days >= days - 1):   # year 0001 would overflow into UTC
        raise Refusal("the days seeded must lie between {first} and {last}", "end_day", first=FIRST_DAY,
                      last=LAST_DAY)
    day_list = [last - timedelta(days=i) for i in range(days - 1, -1, -1)]
    tables = existing_tables(db)
    made: dict[str, int | str] = {}
    if {"calls", "call_events", "call_notes", "callbacks_done"} <= tables:
        per_day = calls if calls is not None else DEFAULTS["calls"]
        made["calls"] = _seed_calls(db, rng, day_list, tz, per_day, clock.now())
    else:
        made["calls"] = "skipped: call tables not in this database"
    if {"lf_items", "lf_events"} <= tables:
        made["lost items"] = _seed_lost(db, rng, day_list, tz, clock.now())
    if {"visits", "visit_signouts", "hosts"} <= tables:
        made["visitors"] = _seed_visits(db, clock, rng, day_list, tz,
                                        visitors if visitors is not None else DEFAULTS["visitors"])
    if {"sales", "sale_lines", "payments", "stock_movements", "products"} <= tables:
        made["sales"] = _seed_sales(db, clock, rng, day_list, tz, sales if sales is not None else DEFAULTS["sales"])
    if {"fee_types", "fee_collections"} <= tables:
        per_day = max(1, (sales if sales is not None else DEFAULTS["sales"]) // 10) if sales != 0 else 0
        made["fees"] = _seed_fees(db, clock, rng, day_list, tz, per_day)
    if {"complaints", "complaint_events"} <= tables:
        made["complaints"] = _seed_complaints(db, clock, rng, day_list, tz)
    if {"shifts", "shift_closes"} <= tables and ("sales" in made or "fees" in made):
        made["shifts"] = _seed_shifts(db, clock, day_list, tz)
    for area, table in (("visitors", "visits"), ("sales", "sales"), ("lost items", "lf_items")):
        if table not in tables:
            made[area] = f"skipped: table {table} not in this database yet"
    return made


ORGS = TEXTS["zh_CN"]["orgs"]
PURPOSES = ("meeting", "meeting", "meeting", "delivery", "delivery", "interview", "contractor", "other")


def _seed_visits(db, clock: Clock, rng: random.Random, day_list: list[date], tz: ZoneInfo, per_day: int) -> int:
    """Visits (self or at the counter), nearly all signed out by code, by staff or automatically at 20:00."""
    from kiosk.visitors import service as visitors
    if not db.execute("SELECT 1 FROM hosts LIMIT 1").fetchone():
        from kiosk.core.audit import SYSTEM
        for name, department in WORDS["hosts"]:   # the site's own directory, in its language
            visitors.add_host(db, clock, SYSTEM, name, department)
    hosts = [(r[0], r[1]) for r in db.execute("SELECT id, name FROM hosts WHERE active = 1")]
    base = db.execute("SELECT COALESCE(MAX(id), 0) FROM visits").fetchone()[0]
    codes = {r[0] for r in db.execute("SELECT signout_code FROM visits")}
    visits, outs, audits = [], [], []
    visit_id = base
    now = clock.now()
    from kiosk.core.privacy import mask_document
    masked = mask_document("id_card", "110101199003071234")
    for day in day_list:
        for _ in range(per_day):
            at = _opening_moment(rng, day, tz)
            if at > now:
                continue  # has not happened yet
            visit_id += 1
            host = rng.choice(hosts)
            by_staff = rng.random() < 0.3
            code = "".join(rng.choice(visitors.CODE_ALPHABET) for _ in range(5))
            while code in codes:  # 5 characters of 25: about 9.8 million codes
                code = "".join(rng.choice(visitors.CODE_ALPHABET) for _ in range(5))
            codes.add(code)
            phone = f"1{rng.choice((3, 5, 8))}{rng.randrange(10**9):09d}"
            party = rng.choices((1, 2, 3, 4), (70, 20, 7, 3))[0]
            visits.append((visit_id, utc_iso(at), rng.choice(NAMES), phone, rng.choice(ORGS), host[0], host[1],
                           rng.choice(PURPOSES), party, "staff" if by_staff else "self", None,
                           "id_card" if by_staff else "", masked if by_staff else "", 1, code))
            actor = rng.choice(STAFF)[0] if by_staff else "visitor"
            visits[-1] = (*visits[-1][:11], actor, *visits[-1][11:])  # the actor's name after actor_id
            audits.append((utc_iso(at), None, actor, "visitor.sign_in", "visits", str(visit_id), None,
                           json.dumps({"by": "staff" if by_staff else "self", "host": host[1], "party_size": party},
                                      ensure_ascii=False, sort_keys=True)))
            kind = rng.choices(("code", "staff", "auto"), (70, 25, 5))[0]
            local_day = at.astimezone(tz).date()
            out_at = (datetime(local_day.year, local_day.month, local_day.day, 20, tzinfo=tz) if kind == "auto"
                      else at + timedelta(minutes=rng.uniform(10, 180)))
            who = {"code": "visitor", "auto": "system"}.get(kind) or rng.choice(STAFF)[0]
            if out_at > now:
                continue  # still on site: leaving is in the future
            outs.append((visit_id, utc_iso(out_at), kind, who))
            # kiosk.visitors.service.sign_out audits every sign-out as visitor.sign_out.<kind>
            audits.append((utc_iso(out_at), None, who, f"visitor.sign_out.{kind}", "visits", str(visit_id), None, None))
    with write(db):
        db.conn.executemany(
            "INSERT INTO visits (id, signed_in_at, name, phone, organisation, host_id, host_name, purpose, party_size,"
            " registered_by, actor_id, actor, id_type, id_number, privacy_accepted, signout_code)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", visits)
        db.conn.executemany("INSERT INTO visit_signouts (visit_id, at, kind, actor) VALUES (?, ?, ?, ?)", outs)
        db.conn.executemany("INSERT INTO audit (at, actor_id, actor, action, record_table, record_id, before, after)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", audits)
    return len(visits)


def _seed_fees(db, clock: Clock, rng: random.Random, day_list: list[date], tz: ZoneInfo, per_day: int) -> int:
    """Fee collections (green fees, lockers, memberships) with their audit rows; numbers continue the series."""
    from kiosk.counter import fees
    from kiosk.core import series
    from kiosk.printing.documents import KIND_CODES
    if not db.execute("SELECT 1 FROM fee_types LIMIT 1").fetchone():
        fees.seed_demo(db, clock)
    types = fees.fee_types(db)
    rows, audits = [], []
    with write(db):
        first_no = series.next_number(db, "receipt:fee")
        for day in day_list:
            for _ in range(per_day):
                fee = rng.choice(types)
                at = _opening_moment(rng, day, tz)
                staff = rng.choice(STAFF)[0]
                if at > clock.now():
                    continue
                number = f"T01-{KIND_CODES['fee']}-{first_no + len(rows):06d}"
                method = rng.choices(("cash", "card", "mobile"), (30, 30, 40))[0]
                tendered = -(-fee.default_fen // 10000) * 10000 if method == "cash" else None
                rows.append((utc_iso(at), number, fee.id, rng.choice(NAMES),
                             f"M{rng.randrange(10**5):05d}" if fee.member_required else "", fee.default_fen,
                             "", method, tendered, tendered - fee.default_fen if tendered else None,
                             "" if method == "cash" else f"{rng.randrange(10**8):08d}", None, staff))
                audits.append((utc_iso(at), None, staff, "fee.collect", "fee_collections", None, None,
                               json.dumps({"amount_fen": fee.default_fen, "method": method, "receipt_no": number},
                                          ensure_ascii=False, sort_keys=True)))
        db.execute("UPDATE series SET last = ? WHERE name = 'receipt:fee'", (first_no + len(rows) - 1,))
        printed = []
        for row, entry in zip(rows, audits):
            collection_id = db.execute(
                "INSERT INTO fee_collections (at, receipt_no, fee_type_id, payer, member_no, amount_fen, period,"
                " method, tendered_fen, change_fen, reference, actor_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " ?, ?, ?)", row).lastrowid
            db.execute("INSERT INTO audit (at, actor_id, actor, action, record_table, record_id, before, after)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (*entry[:5], str(collection_id), *entry[6:]))
            printed.append((collection_id, row[0], row[-1], row[7]))
        _seed_print_jobs(db, "fee_collections", printed)
    return len(rows)


def _seed_sales(db, clock: Clock, rng: random.Random, day_list: list[date], tz: ZoneInfo, per_day: int) -> int:
    """Sales of 1-5 lines paid by cash, card or mobile, with their stock movements, payments and audit rows.

    Receipt numbers continue the sale series; deliveries keep the shelves from running far below zero.
    """
    from kiosk.counter import sales as counter
    from kiosk.core import series
    from kiosk.printing.documents import KIND_CODES
    if not db.execute("SELECT 1 FROM products LIMIT 1").fetchone():
        counter.seed_demo(db, clock)
    products = [(r[0], r[1], r[2]) for r in db.execute("SELECT id, name_zh, price_fen FROM products WHERE active = 1")]
    base = db.execute("SELECT COALESCE(MAX(id), 0) FROM sales").fetchone()[0]
    sales, lines, pays, moves, audits = [], [], [], [], []
    with write(db):
        first_no = series.next_number(db, "receipt:sale")
        sale_id = base
        for number, day in enumerate(day_list):
            sold: dict[int, int] = {}
            for _ in range(per_day):
                at = _opening_moment(rng, day, tz)
                staff = rng.choice(STAFF)[0]
                chosen = rng.sample(products, k=min(len(products), rng.choices((1, 2, 3, 4, 5), (40, 30, 15, 10, 5))[0]))
                if at > clock.now():
                    continue
                sale_id += 1
                total = 0
                for pid, name, price in chosen:
                    qty = rng.choices((1, 2, 3), (75, 20, 5))[0]
                    lines.append((sale_id, pid, name, price, qty, price * qty))
                    moves.append((pid, utc_iso(at), -qty, "sale", "sales", sale_id, "", staff))
                    sold[pid] = sold.get(pid, 0) + qty
                    total += price * qty
                receipt = f"T01-{KIND_CODES['sale']}-{first_no + len(sales):06d}"
                sales.append((sale_id, utc_iso(at), receipt, total, None, staff))
                method = rng.choices(("cash", "card", "mobile"), (30, 30, 40))[0]
                tendered = -(-total // 10000) * 10000 if method == "cash" else None
                pays.append((sale_id, method, total, tendered, tendered - total if tendered else None,
                             "" if method == "cash" else f"{rng.randrange(10**8):08d}"))
                audits.append((utc_iso(at), None, staff, "sale", "sales", str(sale_id), None,
                               json.dumps({"method": method, "receipt_no": receipt, "total_fen": total},
                                          ensure_ascii=False, sort_keys=True)))
            morning = datetime(day.year, day.month, day.day, 7, 30, tzinfo=tz)
            if morning > clock.now():
                sold = {}  # today's delivery has not come yet
            for pid, qty in sold.items():  # the next delivery replaces what the day sold
                moves.append((pid, utc_iso(morning), qty, "receipt", "products", pid, WORDS["delivery"], "system"))
        db.execute("UPDATE series SET last = ? WHERE name = 'receipt:sale'", (first_no + len(sales) - 1,))
        db.conn.executemany("INSERT INTO sales (id, at, receipt_no, total_fen, actor_id, actor) VALUES (?, ?, ?, ?, ?, ?)",
                            sales)
        db.conn.executemany("INSERT INTO sale_lines (sale_id, product_id, name, unit_fen, quantity, total_fen)"
                            " VALUES (?, ?, ?, ?, ?, ?)", lines)
        db.conn.executemany("INSERT INTO payments (sale_id, method, amount_fen, tendered_fen, change_fen, reference)"
                            " VALUES (?, ?, ?, ?, ?, ?)", pays)
        db.conn.executemany("INSERT INTO stock_movements (product_id, at, quantity, kind, record_table, record_id, reason,"
                            " actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", moves)
        db.conn.executemany("INSERT INTO audit (at, actor_id, actor, action, record_table, record_id, before, after)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", audits)
        _seed_print_jobs(db, "sales", [(row[0], row[1], row[5], pay[1]) for row, pay in zip(sales, pays)])
    return len(sales)


def _seed_print_jobs(db, table: str, rows: list[tuple[int, str, str, str]]) -> None:
    """The print job each seeded sale or fee would have: its receipt, printed when it was made, and
    the drawer opening of a cash payment (so previews and reprints work on seeded data)."""
    if "print_queue" not in existing_tables(db):
        return
    from kiosk.counter.receipts import fee_receipt, sale_receipt
    from kiosk.printing import queue as printqueue
    build = sale_receipt if table == "sales" else fee_receipt
    for record_id, at, actor, method in rows:
        printqueue.record_printed(db, at, actor, build(db, record_id, LANG), record_table=table,
                                  record_id=record_id, kick_drawer=method == "cash")


SHIFT_OPENS, SHIFT_CLOSES = (7, 45), (18, 30)  # local times: before the first and after the last seeded sale
SEED_FLOAT_FEN = 50_000


def _seed_shifts(db, clock: Clock, day_list: list[date], tz: ZoneInfo) -> int:
    """One shift per seeded day on T01, as the desk would have it: sales and fees are only taken in an open
    shift (kiosk.counter.shift_state), so each seeded day's takings fall in a closed, numbered end-of-day
    report. A day whose closing time is still ahead stays open, like a real counter in the middle of its day.
    Days that already have a shift on T01 are left alone."""
    from kiosk.counter import shifts
    from kiosk.counter.eod_report import build_report
    from kiosk.printing.documents import receipt_number
    made = 0
    now = utc_iso(clock.now())
    with write(db):
        for day in day_list:
            opened = utc_iso(datetime(day.year, day.month, day.day, *SHIFT_OPENS, tzinfo=tz))
            closes = utc_iso(datetime(day.year, day.month, day.day, *SHIFT_CLOSES, tzinfo=tz))
            if opened > now or db.execute(
                    "SELECT 1 FROM shifts s LEFT JOIN shift_closes c ON c.shift_id = s.id WHERE s.terminal_id = 'T01'"
                    " AND s.opened_at < ? AND COALESCE(c.at, ?) > ?", (closes, shifts.OPEN_END, opened)).fetchone():
                continue
            staff = STAFF[made % len(STAFF)][0]
            shift_id = db.execute("INSERT INTO shifts (terminal_id, opened_at, float_fen, actor_id, actor)"
                                  " VALUES ('T01', ?, ?, NULL, ?)", (opened, SEED_FLOAT_FEN, staff)).lastrowid
            db.execute("INSERT INTO audit (at, actor_id, actor, action, record_table, record_id, before, after)"
                       " VALUES (?, NULL, ?, 'shift.open', 'shifts', ?, NULL, ?)",
                       (opened, staff, str(shift_id), json.dumps({"count_id": None, "float_fen": SEED_FLOAT_FEN},
                                                                 sort_keys=True)))
            made += 1
            if closes > now:
                continue  # today: the counter is still open
            shift = shifts.current(db, "T01")
            expected = shifts.expected_cash(db, shift, closes)
            report = build_report(db, shift, closes, counted_fen=expected, expected_fen=expected)
            report_no = receipt_number(db, "T01", "eod")
            close_id = db.execute(
                "INSERT INTO shift_closes (shift_id, at, expected_fen, counted_fen, variance_fen, report_no, report,"
                " actor_id, actor) VALUES (?, ?, ?, ?, 0, ?, ?, NULL, ?)",
                (shift_id, closes, expected, expected, report_no, json.dumps(report, ensure_ascii=False),
                 staff)).lastrowid
            db.execute("INSERT INTO audit (at, actor_id, actor, action, record_table, record_id, before, after)"
                       " VALUES (?, NULL, ?, 'shift.close', 'shift_closes', ?, NULL, ?)",
                       (closes, staff, str(close_id), json.dumps(
                           {"counted_fen": expected, "expected_fen": expected, "report_no": report_no}, sort_keys=True)))
    return made


LOST = [("umbrella", "黑色长柄伞", "大堂"), ("wallet", "棕色皮夹", "电梯"), ("keys", "钥匙一串（3把）", "会议室"),
        ("phone", "白色手机", "洗手间"), ("clothing", "蓝色外套", "餐厅")]


def _seed_lost(db, rng: random.Random, day_list: list[date], tz: ZoneInfo, now: datetime) -> int:
    """A few found items a day, entered through kiosk.lostfound.service (few enough for the real service)."""
    from kiosk.lostfound import service as lostfound
    from kiosk.core.audit import Actor
    from kiosk.core.clock import FakeClock

    count = 0
    for day in day_list:
        for _ in range(rng.randrange(0, 4)):
            category, what, where = rng.choice(LOST)
            at = _opening_moment(rng, day, tz)
            staff = rng.choice(STAFF)
            if at > now:
                continue
            lostfound.register_item(db, FakeClock(at), Actor(staff[0], None, staff[1]), str(tz), category=category,
                                    description=what, found_place=where, handed_in_kind="customer",
                                    handed_in_name=rng.choice(NAMES), storage=WORDS["storage"])
            count += 1
    return count


# What a property desk is told: (kind, category, responsibility, what, where, topic).
COMPLAINTS = [
    ("complaint", "noise", "company", "楼上装修噪音，早上八点就开始施工", "3号楼 1201", "3号楼装修噪音"),
    ("complaint", "cleanliness", "company", "大堂地面有积水，没有放警示牌", "1号楼大堂", "大堂积水"),
    ("complaint", "facilities", "company", "电梯经常停在5楼不动，等了十分钟", "2号楼电梯", "2号楼电梯故障"),
    ("complaint", "billing", "company", "物业费账单金额与合同不符，多收了两个月", "", "物业费账单"),
    ("complaint", "service", "not_company", "快递员态度差，把包裹扔在门口", "东门", "快递员服务"),
    ("complaint", "facilities", "assisted", "小区停水，没有提前通知住户", "全小区", "停水"),
    ("complaint", "safety", "company", "地下车库照明坏了，晚上很黑", "地下车库 B2", "车库照明"),
    ("complaint", "staff", "company", "门卫对来访的客人态度生硬", "南门", "门卫服务态度"),
    ("request", "repair", "company", "卫生间水龙头漏水，请派人维修", "5号楼 302", "水龙头漏水"),
    ("request", "repair", "company", "门禁卡失灵，刷不开单元门", "4号楼", "门禁卡失灵"),
    ("request", "parcel", "company", "代收快递，到件后请电话通知", "前台", "代收快递"),
]
DONE_TEXTS = ["已联系施工方，改为九点后施工", "已安排保洁处理并放置警示牌", "已通知维修人员上门处理",
              "已核对账单并更正", "已转告快递公司客服", "已联系自来水公司，预计下午恢复供水", "已更换灯管"]
LOST_EN = [("umbrella", "Black long umbrella", "Lobby"), ("wallet", "Brown leather wallet", "Lift"),
           ("keys", "Bunch of three keys", "Meeting room"), ("phone", "White mobile phone", "Washroom"),
           ("clothing", "Blue jacket", "Restaurant")]
COMPLAINTS_EN = [
    ("complaint", "noise", "company", "Building work upstairs starts at eight in the morning", "Block 3, flat 1201",
     "Building noise, block 3"),
    ("complaint", "cleanliness", "company", "Water on the lobby floor and no warning sign", "Block 1 lobby",
     "Wet lobby floor"),
    ("complaint", "facilities", "company", "The lift keeps stopping at floor 5; waited ten minutes", "Block 2 lift",
     "Lift fault, block 2"),
    ("complaint", "billing", "company", "The service charge bill does not match the contract", "", "Service charge bill"),
    ("complaint", "service", "not_company", "The courier threw the parcel at the door", "East gate", "Courier service"),
    ("complaint", "facilities", "assisted", "Water cut off with no notice to residents", "Whole estate", "Water cut"),
    ("complaint", "staff", "company", "The guard at the gate was rude to my visitor", "South gate", "Gate guard"),
    ("request", "repair", "company", "The bathroom tap is leaking, please send someone", "Block 5, flat 302", "Leaking tap"),
    ("request", "parcel", "company", "Please take in my parcel and phone me when it arrives", "Front desk", "Parcel"),
]
DONE_TEXTS_EN = ["Builders asked to start after nine", "Cleaner sent and a warning sign put up",
                 "Maintenance sent to fix it", "Bill checked and corrected", "Passed on to the courier's customer service",
                 "Water company called; supply back this afternoon", "Light tubes replaced"]
TEXTS["zh_CN"].update(lost=LOST, complaints=COMPLAINTS, done=DONE_TEXTS)
TEXTS["en"].update(lost=LOST_EN, complaints=COMPLAINTS_EN, done=DONE_TEXTS_EN)
WORDS, LANG = TEXTS["zh_CN"], "zh_CN"



def _seed_complaints(db, clock: Clock, rng: random.Random, day_list: list[date], tz: ZoneInfo) -> int:
    """A few complaints and requests a working day, taken and followed through kiosk.complaints.service
    (start, resolution, callback, close), each step at its own moment and only if that moment has passed:
    nothing is dated in the future, so today's and yesterday's are still open, as at a real desk."""
    from kiosk.complaints import service as complaints
    from kiosk.core.audit import Actor
    from kiosk.core.clock import FakeClock

    now = clock.now()
    manager = Actor(WORDS["manager"], None, "manager")
    count = 0
    for day in day_list:
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 3)) if day.weekday() < 5 else rng.choice((0, 0, 1))):
            kind, category, responsibility, what, place, topic = rng.choice(COMPLAINTS)
            at = _opening_moment(rng, day, tz)
            if at >= now:
                continue
            name, role = rng.choice(STAFF)
            staff = Actor(name, None, role)
            major = rng.random() < 0.05 and kind == "complaint"
            cid = complaints.take(db, FakeClock(at), staff, str(tz), kind=kind, category=category,
                                  responsibility=responsibility, what=what, customer_name=rng.choice(NAMES),
                                  customer_contact=f"1{rng.randrange(3, 9)}{rng.randrange(10**9):09d}", place=place,
                                  topic=topic, major_reason="serious_loss" if major else None)
            count += 1
            steps: list[tuple[datetime, str]] = []
            t = at + timedelta(minutes=rng.uniform(2, 14) if rng.random() < 0.9 else rng.uniform(11, 60))
            steps.append((t, "start"))
            if major:
                t += timedelta(minutes=rng.uniform(10, 60))
                steps.append((t, "accept"))
            if rng.random() < 0.06:  # waiting for a part or an outside service: still being handled
                steps.append((now, "stop"))
            t += timedelta(minutes=rng.uniform(20, 100) if rng.random() < 0.85 else rng.uniform(120, 600))
            steps.append((t, "resolve"))
            t += timedelta(hours=rng.uniform(1, 40))
            steps.append((t, "callback"))
            steps.append((t + timedelta(minutes=5), "close"))
            for moment, step in steps:
                if moment >= now:
                    break
                c = FakeClock(moment)
                try:
                    if step == "start":
                        complaints.start(db, c, staff, cid)
                    elif step == "accept":
                        complaints.decide_major(db, c, manager, str(tz), cid, True)
                    elif step == "resolve":
                        complaints.resolve(db, c, staff, str(tz), cid, rng.choice(("resolved",) * 8 + ("referred",)),
                                           rng.choice(DONE_TEXTS))
                    elif step == "callback":
                        current = complaints.get(db, cid)
                        if current.callback_required:
                            complaints.record_callback(db, c, staff, cid, rng.choice(
                                ("satisfied",) * 6 + ("unsatisfied", "unreachable")))
                    elif complaints.get(db, cid).status == "resolved" and (
                            not complaints.get(db, cid).callback_required or complaints.get(db, cid).callback_at):
                        complaints.close(db, c, manager if major else staff, cid)
                except complaints.ComplaintError:
                    break  # the rules said no (a step out of order): leave it where it stands, like a desk would
    return count


def _seed_calls(db, rng: random.Random, day_list: list[date], tz: ZoneInfo, per_day: int, now: datetime) -> int:
    """Calls with rings, answers or misses, notes (some with callbacks, some done) and their audit rows."""
    base_call = (db.execute("SELECT COALESCE(MAX(id), 0) FROM calls").fetchone()[0])
    base_note = (db.execute("SELECT COALESCE(MAX(id), 0) FROM call_notes").fetchone()[0])
    calls, events, notes, done, audits = [], [], [], [], []
    call_id, note_id = base_call, base_note
    for day in day_list:
        for _ in range(per_day):
            start = _opening_moment(rng, day, tz)
            rings = rng.choices((1, 2, 3, 4, 5, 6), (10, 30, 30, 15, 10, 5))[0]
            number = rng.choice(("", "13800138000", "01088886666", "13912345678", f"1{rng.randrange(10**10):010d}"))
            answered = rng.random() > 0.08
            length = rng.uniform(15, 320) if answered else 0.0
            t_answer = 5 * rings - 3.5
            ends = start + timedelta(seconds=(t_answer + length) if answered else 5 * rings + 6)
            if ends > now:
                continue  # still ringing or talking at now (or not yet begun): not a finished call
            call_id += 1
            calls.append((call_id, utc_iso(start), "simulated"))
            for r in range(1, rings + 1):
                events.append((call_id, utc_iso(start + timedelta(seconds=5 * (r - 1))), "ring", r, None, None,
                               None, None, number or None, None))
            if rings > 3:
                events.append((call_id, utc_iso(start + timedelta(seconds=15)), "prompt", 3, None, None, None, None,
                               number or None, None))
            if answered:
                events.append((call_id, utc_iso(start + timedelta(seconds=t_answer)), "answered", rings, None,
                               "offhook", round(t_answer, 3), None, number or None, None))
                events.append((call_id, utc_iso(start + timedelta(seconds=t_answer + length)), "ended", rings,
                               "answered", "offhook", round(t_answer, 3), round(t_answer + length, 3),
                               number or None, None))
            else:
                events.append((call_id, utc_iso(start + timedelta(seconds=5 * rings + 6)), "ended", rings,
                               "missed", "heuristic", None, round(5.0 * rings + 6, 3), number or None, None))
                continue
            at = start + timedelta(seconds=t_answer + 60)
            if rng.random() < 0.6 and at <= now:
                note_id += 1
                staff = rng.choice(STAFF)
                needs = bool(number) and rng.random() < 0.25
                due = utc_iso(at + timedelta(hours=4)) if needs else None
                category = rng.choice(("inquiry", "inquiry", "complaint", "repair", "other"))
                notes.append((note_id, call_id, utc_iso(at), None, staff[0], rng.choice(NAMES), number, category,
                              rng.choice(TOPICS), "", "", "", "", due))
                audits.append((utc_iso(at), None, staff[0], "call.note", "call_notes", str(note_id), None,
                               json.dumps({"call_id": call_id, "category": category, "callback_due": due},
                                          ensure_ascii=False, sort_keys=True)))
                when = at + timedelta(hours=rng.uniform(0.2, 3))
                if needs and rng.random() < 0.7 and when <= now:  # a callback not made yet stays open
                    done.append((note_id, utc_iso(when), None, staff[0], rng.choice(("reached", "reached", "no_answer",
                                                                                     "left_message"))))
                    audits.append((utc_iso(when), None, staff[0], "call.callback_done", "call_notes", str(note_id),
                                   None, None))
    with write(db):
        db.conn.executemany("INSERT INTO calls (id, started_at, detector) VALUES (?, ?, ?)", calls)
        db.conn.executemany(
            "INSERT INTO call_events (call_id, at, kind, rings, outcome, source, seconds_to_answer, duration, number, name)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
        db.conn.executemany(
            "INSERT INTO call_notes (id, call_id, at, actor_id, actor, caller_name, caller_number, category, what,"
            " place, why, how, follow_up, callback_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", notes)
        db.conn.executemany("INSERT INTO callbacks_done (note_id, at, actor_id, actor, result) VALUES (?, ?, ?, ?, ?)",
                            done)
        db.conn.executemany("INSERT INTO audit (at, actor_id, actor, action, record_table, record_id, before, after)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", audits)
    return len(calls)
