"""Synthetic desk activity for demos and benchmarks: ``kiosk demo seed --days N``.

Every record is made by the call the desk itself makes, with the injected clock (a FakeClock) set to
that record's moment: a visit by kiosk.visitors.service.sign_in and its sign-out by the badge code, by
staff or at the day's end; a sale by kiosk.counter.sales.sell and a fee by kiosk.counter.fees.collect
inside a shift opened and closed by kiosk.counter (shifts, closing); each of their print jobs marked
sending and printed as the print worker marks them; a call as the call tracker (kiosk.phone.tracker)
reports the rings of a line with off-hook sensing, written by kiosk.phone.calllog as the phone runtime
writes them, with notes and callbacks; found items and complaints by their services. So audit rows,
print jobs, drawer openings, receipt series, derived tables (open visits, stock levels, due indexes)
are the services' own. The moments are replayed in time order (_Timeline), so ids and receipt numbers
rise with time as at a real desk. One seed is one transaction (each service's own nests in it as a
savepoint): one commit, not one per record.

Nothing is ever written with a time after the clock's now: today's activity stops at now (at 02:00
there is none yet), a visit whose sign-out would be in the future is still on site, a call still
ringing at now is left out, a callback not yet made is still open, tomorrow's delivery has not come.
Areas whose tables do not exist yet are skipped and reported.
"""
from __future__ import annotations

import heapq
import random
from datetime import date, datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.core.audit import Actor, SYSTEM
from kiosk.core.clock import Clock, FakeClock, utc_iso
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




ORGS = TEXTS["zh_CN"]["orgs"]
PURPOSES = ("meeting", "meeting", "meeting", "delivery", "delivery", "interview", "contractor", "other")

LOST = [("umbrella", "黑色长柄伞", "大堂"), ("wallet", "棕色皮夹", "电梯"), ("keys", "钥匙一串（3把）", "会议室"),
        ("phone", "白色手机", "洗手间"), ("clothing", "蓝色外套", "餐厅")]


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


TERMINAL = "T01"
# A resident ID that passes its check digit: staff sign-ins show it as the service stores it (masked).
ID_NUMBER = "110101199003071233"


class _Timeline:
    """The seeded desk's moments, replayed in time order with the clock set to each one (ties in the
    order they were added). A moment after now is never added: it has not happened yet."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._heap: list[tuple[datetime, int, Callable[[FakeClock], None]]] = []
        self._added = 0

    def add(self, moment: datetime, action: Callable[[FakeClock], None], *, before_now: bool = False) -> bool:
        """Schedule action(clock) at moment; False (nothing scheduled) when moment is after now (or,
        with before_now, at now)."""
        if moment > self.now or (before_now and moment >= self.now):
            return False
        self._added += 1
        heapq.heappush(self._heap, (moment, self._added, action))
        return True

    def run(self, clock: FakeClock, after_each: Callable[[FakeClock], None]) -> None:
        """Every action in time order, then after_each (the print worker) at the same moment."""
        while self._heap:
            moment, _, action = heapq.heappop(self._heap)
            clock.set(moment)
            action(clock)
            after_each(clock)


def _print_worker(db) -> Callable[[FakeClock], None]:
    """What the print worker does to each job the seed's records queue: sending, then printed (the
    virtual printer confirms at once). Jobs queued before the seed are not the seed's to print."""
    if "print_queue" not in existing_tables(db):
        return lambda clock: None
    from kiosk.printing import queue as printqueue
    first = db.execute("SELECT COALESCE(MAX(id), 0) FROM print_jobs").fetchone()[0]

    def printed(clock: FakeClock) -> None:
        for (job_id,) in db.execute("SELECT job_id FROM print_queue INDEXED BY print_queue_live"
                                    " WHERE status IN ('queued', 'sending') AND status = 'queued' AND job_id > ?"
                                    " ORDER BY job_id", (first,)).fetchall():
            printqueue.mark(db, clock, job_id, "sending")
            printqueue.mark(db, clock, job_id, "printed", "printed")
    return printed


def _staff(person: tuple[str, str]) -> Actor:
    """A seeded member of staff as the services see them (a name and a role; no account of their own)."""
    return Actor(person[0], None, person[1])


def seed(db: sqlite_utils.Database, clock: Clock, *, days: int, tz_name: str, visitors: int | None = None,
         calls: int | None = None, sales: int | None = None, random_seed: int = 1,
         end_day: date | None = None, lang: str = "zh_CN") -> dict[str, int | str]:
    """Fill days (ending end_day) with activity; returns counts per area (or why skipped).

    end_day defaults to today, or to yesterday before the desk opens (OPENS local): seeded at 03:00, a
    day ending today would hold nothing at all, and a demo (or a test) would open on an empty desk.

    Free text (names, notes, reasons, descriptions) is in lang, the site's language. clock is only
    read (its now); the records are made with a FakeClock set to each one's moment."""
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
    now = clock.now()
    first = day_list[0]
    # What the areas need before their first record (hosts, catalogue, fee types) exists from early on the
    # first day, never from after the records that use it (nor after now).
    desk = FakeClock(min(now, datetime(first.year, first.month, first.day, 7, tzinfo=tz)))
    line = _Timeline(now)
    made: dict[str, int | str] = {}
    from kiosk.printing.queue import printed_here
    # One transaction for the whole seed (each service's own nests in it as a savepoint); the seed prints
    # its own receipts (_print_worker), so no print worker is woken for each.
    with write(db), printed_here():
        if {"calls", "call_events", "call_notes", "callbacks_done"} <= tables:
            made["calls"] = 0
            _seed_calls(db, line, made, rng, day_list, tz, calls if calls is not None else DEFAULTS["calls"])
        else:
            made["calls"] = "skipped: call tables not in this database"
        if {"lf_items", "lf_events"} <= tables:
            made["lost items"] = 0
            _seed_lost(db, line, made, rng, day_list, tz)
        if {"visits", "visit_signouts", "hosts"} <= tables:
            made["visitors"] = 0
            _seed_visits(db, desk, line, made, rng, day_list, tz,
                         visitors if visitors is not None else DEFAULTS["visitors"])
        if {"sales", "sale_lines", "payments", "stock_movements", "products"} <= tables:
            made["sales"] = 0
            _seed_sales(db, desk, line, made, rng, day_list, tz, sales if sales is not None else DEFAULTS["sales"])
        if {"fee_types", "fee_collections"} <= tables:
            made["fees"] = 0
            per_day = max(1, (sales if sales is not None else DEFAULTS["sales"]) // 10) if sales != 0 else 0
            _seed_fees(db, desk, line, made, rng, day_list, tz, per_day)
        if {"complaints", "complaint_events"} <= tables:
            made["complaints"] = 0
            _seed_complaints(db, line, made, rng, day_list, tz)
        if {"shifts", "shift_closes"} <= tables and ("sales" in made or "fees" in made):
            made["shifts"] = 0
            _seed_shifts(db, line, made, day_list, tz)
        line.run(desk, _print_worker(db))
    for area, table in (("visitors", "visits"), ("sales", "sales"), ("lost items", "lf_items")):
        if table not in tables:
            made[area] = f"skipped: table {table} not in this database yet"
    return made


def _seed_visits(db, desk: FakeClock, line: _Timeline, made: dict, rng: random.Random, day_list: list[date],
                 tz: ZoneInfo, per_day: int) -> None:
    """Visits signed in by the visitor or at the counter (sign_in), signed out by their badge code, by
    staff, or at the day's end: by the site's automatic sign-out when it has one (auto_signout_time),
    else by staff at 20:00 for whoever is left. A sign-out still ahead of now leaves the visitor on site."""
    from kiosk.core import settings
    from kiosk.visitors import service as visitors
    if not db.execute("SELECT 1 FROM hosts LIMIT 1").fetchone():
        for name, department in WORDS["hosts"]:   # the site's own directory, in its language
            visitors.add_host(db, desk, SYSTEM, name, department)
    hosts = [r[0] for r in db.execute("SELECT id FROM hosts WHERE active = 1")]
    auto = settings.get(db, "auto_signout_time") or ""
    ours: set[int] = set()

    def arrive(clock: FakeClock, visitor, actor: Actor, state: dict) -> None:
        signed = visitors.sign_in(db, clock, visitor, actor=actor, tz=str(tz))
        state.update(id=signed.visit_id, code=signed.code)
        ours.add(signed.visit_id)
        made["visitors"] += 1

    def day_end(clock: FakeClock, actor: Actor) -> None:
        if auto:
            visitors.auto_sign_out(db, clock, str(tz))
            return
        for (visit_id,) in db.execute("SELECT visit_id FROM visits_open WHERE signed_in_at < ? ORDER BY visit_id",
                                      (utc_iso(clock.now()),)).fetchall():
            if visit_id in ours:   # a site's own visitor is not the seed's to sign out
                visitors.sign_out(db, clock, actor, visit_id)

    for day in day_list:
        hour, minute = (int(auto[:2]), int(auto[3:5])) if auto else (20, 0)
        sweep = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
        for _ in range(per_day):
            at = _opening_moment(rng, day, tz)
            by_staff = rng.random() < 0.3
            visitor = visitors.Visitor(
                name=rng.choice(NAMES), phone=f"1{rng.choice((3, 5, 8))}{rng.randrange(10**9):09d}",
                organisation=rng.choice(ORGS), host_id=rng.choice(hosts), purpose=rng.choice(PURPOSES),
                party_size=rng.choices((1, 2, 3, 4), (70, 20, 7, 3))[0], privacy_accepted=not by_staff,
                id_type="id_card" if by_staff else "", id_number=ID_NUMBER if by_staff else "")
            actor = _staff(rng.choice(STAFF)) if by_staff else visitors.VISITOR
            kind = rng.choices(("code", "staff", "auto"), (70, 25, 5))[0]
            leaves = at + timedelta(minutes=rng.uniform(10, 180))
            by = _staff(rng.choice(STAFF))
            state: dict = {}
            if not line.add(at, lambda c, v=visitor, a=actor, s=state: arrive(c, v, a, s)):
                continue   # has not happened yet
            if kind == "auto" or at < sweep <= leaves:
                continue   # still in at the day's end: the sweep signs them out
            if kind == "code":
                line.add(leaves, lambda c, s=state: visitors.sign_out_by_code(db, c, s["code"]))
            else:
                line.add(leaves, lambda c, s=state, b=by: visitors.sign_out(db, c, b, s["id"]))
        line.add(sweep, lambda c, b=_staff(STAFF[-1]): day_end(c, b))


def _payment(rng: random.Random, amount_fen: int):
    """Cash (rounded up to the next ¥100 note), card or mobile (with a terminal reference)."""
    from kiosk.counter.sales import Payment
    method = rng.choices(("cash", "card", "mobile"), (30, 30, 40))[0]
    if method == "cash":
        return Payment("cash", tendered_fen=-(-amount_fen // 10000) * 10000)
    return Payment(method, reference=f"{rng.randrange(10**8):08d}")


def _seed_fees(db, desk: FakeClock, line: _Timeline, made: dict, rng: random.Random, day_list: list[date],
               tz: ZoneInfo, per_day: int) -> None:
    """Fee collections (green fees, lockers, memberships) by kiosk.counter.fees.collect."""
    from kiosk.counter import fees
    if not db.execute("SELECT 1 FROM fee_types LIMIT 1").fetchone():
        fees.seed_demo(db, desk)
    types = fees.fee_types(db)

    def collect(clock: FakeClock, actor: Actor, fee, payer: str, member: str, payment) -> None:
        try:
            fees.collect(db, clock, actor, TERMINAL, fee_type_id=fee.id, payer=payer, payment=payment,
                         member_no=member, lang=LANG)
        except fees.CounterError:
            return   # no shift open then (a day an earlier seed closed): the counter refuses it too
        made["fees"] += 1

    for day in day_list:
        for _ in range(per_day):
            fee = rng.choice(types)
            at = _opening_moment(rng, day, tz)
            actor = _staff(rng.choice(STAFF))
            payer = rng.choice(NAMES)
            member = f"M{rng.randrange(10**5):05d}" if fee.member_required else ""
            payment = _payment(rng, fee.default_fen)
            line.add(at, lambda c, a=actor, f=fee, p=payer, m=member, pay=payment: collect(c, a, f, p, m, pay))


def _seed_sales(db, desk: FakeClock, line: _Timeline, made: dict, rng: random.Random, day_list: list[date],
                tz: ZoneInfo, per_day: int) -> None:
    """Sales of 1-5 lines paid by cash, card or mobile, by kiosk.counter.sales.sell; each morning's
    delivery (kiosk.counter.sales.adjust_stock, 07:30) brings in what the day sells."""
    from kiosk.counter import sales as counter
    if not db.execute("SELECT 1 FROM products LIMIT 1").fetchone():
        counter.seed_demo(db, desk)
    products = [(r[0], r[1]) for r in db.execute("SELECT id, price_fen FROM products WHERE active = 1")]

    def sell(clock: FakeClock, actor: Actor, cart: dict[int, int], payment) -> None:
        try:
            counter.sell(db, clock, actor, TERMINAL, cart, payment, LANG)
        except counter.CounterError:
            return   # no shift open then (a day an earlier seed closed): the counter refuses it too
        made["sales"] += 1

    def delivery(clock: FakeClock, sold: dict[int, int]) -> None:
        for product_id, quantity in sold.items():
            counter.adjust_stock(db, clock, _staff(STAFF[0]), product_id, quantity, WORDS["delivery"])

    for day in day_list:
        sold: dict[int, int] = {}
        for _ in range(per_day):
            at = _opening_moment(rng, day, tz)
            actor = _staff(rng.choice(STAFF))
            chosen = rng.sample(products, k=min(len(products), rng.choices((1, 2, 3, 4, 5), (40, 30, 15, 10, 5))[0]))
            cart = {pid: rng.choices((1, 2, 3), (75, 20, 5))[0] for pid, _ in chosen}
            payment = _payment(rng, sum(price * cart[pid] for pid, price in chosen))
            if line.add(at, lambda c, a=actor, k=cart, p=payment: sell(c, a, k, p)):
                for pid, qty in cart.items():
                    sold[pid] = sold.get(pid, 0) + qty
        if sold:   # the morning's delivery replaces what the day sells (none yet before 07:30)
            line.add(datetime(day.year, day.month, day.day, 7, 30, tzinfo=tz), lambda c, s=sold: delivery(c, s))


SHIFT_OPENS, SHIFT_CLOSES = (7, 45), (18, 30)  # local times: before the first and after the last seeded sale
SEED_FLOAT_FEN = 50_000


def _seed_shifts(db, line: _Timeline, made: dict, day_list: list[date], tz: ZoneInfo) -> None:
    """One shift per seeded day on T01, opened (kiosk.counter.shifts.open_shift) and closed with its
    numbered end-of-day report (kiosk.counter.closing.close_shift, cash counted as expected): sales and
    fees are only taken in an open shift. A day whose closing time is still ahead stays open, like a
    real counter in the middle of its day. Days that already have a shift on T01 are left alone."""
    from kiosk.counter import closing, shifts

    def open_day(clock: FakeClock, actor: Actor, state: dict) -> None:
        try:
            shifts.open_shift(db, clock, actor, TERMINAL, float_fen=SEED_FLOAT_FEN)
        except shifts.CounterError:
            return   # the counter is already open (an earlier seed's today): not this seed's shift
        state["open"] = True
        made["shifts"] += 1

    def close_day(clock: FakeClock, actor: Actor, state: dict) -> None:
        if state.get("open"):
            expected = shifts.expected_cash(db, shifts.current(db, TERMINAL))
            closing.close_shift(db, clock, actor, TERMINAL, counted_fen=expected, lang=LANG)

    for number, day in enumerate(day_list):
        opened = datetime(day.year, day.month, day.day, *SHIFT_OPENS, tzinfo=tz)
        closes = datetime(day.year, day.month, day.day, *SHIFT_CLOSES, tzinfo=tz)
        if db.execute("SELECT 1 FROM shifts s LEFT JOIN shift_closes c ON c.shift_id = s.id WHERE s.terminal_id = ?"
                      " AND s.opened_at < ? AND COALESCE(c.at, ?) > ?",
                      (TERMINAL, utc_iso(closes), shifts.OPEN_END, utc_iso(opened))).fetchone():
            continue
        actor, state = _staff(STAFF[number % len(STAFF)]), {}
        if line.add(opened, lambda c, a=actor, s=state: open_day(c, a, s)):
            line.add(closes, lambda c, a=actor, s=state: close_day(c, a, s))


def _seed_lost(db, line: _Timeline, made: dict, rng: random.Random, day_list: list[date], tz: ZoneInfo) -> None:
    """A few found items a day, entered through kiosk.lostfound.service.register_item."""
    from kiosk.lostfound import service as lostfound

    def register(clock: FakeClock, actor: Actor, category: str, what: str, where: str, name: str) -> None:
        lostfound.register_item(db, clock, actor, str(tz), category=category, description=what, found_place=where,
                                handed_in_kind="customer", handed_in_name=name, storage=WORDS["storage"])
        made["lost items"] += 1

    for day in day_list:
        for _ in range(rng.randrange(0, 4)):
            category, what, where = rng.choice(LOST)
            at = _opening_moment(rng, day, tz)
            actor, name = _staff(rng.choice(STAFF)), rng.choice(NAMES)
            line.add(at, lambda c, a=actor, k=category, w=what, p=where, n=name: register(c, a, k, w, p, n))


def _seed_complaints(db, line: _Timeline, made: dict, rng: random.Random, day_list: list[date], tz: ZoneInfo) -> None:
    """A few complaints and requests a working day, taken and followed through kiosk.complaints.service
    (start, resolution, callback, close), each step at its own moment and only if that moment has passed:
    nothing is dated in the future, so today's and yesterday's are still open, as at a real desk."""
    from kiosk.complaints import service as complaints

    manager = Actor(WORDS["manager"], None, "manager")

    def take(clock: FakeClock, staff: Actor, fields: dict, state: dict) -> None:
        state["id"] = complaints.take(db, clock, staff, str(tz), **fields)
        made["complaints"] += 1

    def step(clock: FakeClock, name: str, staff: Actor, major: bool, state: dict) -> None:
        cid = state.get("id")
        if cid is None or state.get("stuck"):
            return
        try:
            if name == "start":
                complaints.start(db, clock, staff, cid)
            elif name == "accept":
                complaints.decide_major(db, clock, manager, str(tz), cid, True)
            elif name == "resolve":
                complaints.resolve(db, clock, staff, str(tz), cid, rng.choice(("resolved",) * 8 + ("referred",)),
                                   rng.choice(DONE_TEXTS))
            elif name == "callback":
                if complaints.get(db, cid).callback_required:
                    complaints.record_callback(db, clock, staff, cid, rng.choice(
                        ("satisfied",) * 6 + ("unsatisfied", "unreachable")))
            else:
                current = complaints.get(db, cid)
                if current.status == "resolved" and (not current.callback_required or current.callback_at):
                    complaints.close(db, clock, manager if major else staff, cid)
        except complaints.ComplaintError:
            state["stuck"] = True   # the rules said no (a step out of order): leave it where it stands

    for day in day_list:
        for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 3)) if day.weekday() < 5 else rng.choice((0, 0, 1))):
            kind, category, responsibility, what, place, topic = rng.choice(COMPLAINTS)
            at = _opening_moment(rng, day, tz)
            staff = _staff(rng.choice(STAFF))
            major = rng.random() < 0.05 and kind == "complaint"
            fields = dict(kind=kind, category=category, responsibility=responsibility, what=what,
                          customer_name=rng.choice(NAMES), customer_contact=f"1{rng.randrange(3, 9)}{rng.randrange(10**9):09d}",
                          place=place, topic=topic, major_reason="serious_loss" if major else None)
            steps: list[tuple[datetime, str]] = []
            t = at + timedelta(minutes=rng.uniform(2, 14) if rng.random() < 0.9 else rng.uniform(11, 60))
            steps.append((t, "start"))
            if major:
                t += timedelta(minutes=rng.uniform(10, 60))
                steps.append((t, "accept"))
            waits = rng.random() < 0.06   # for a part or an outside service: still being handled
            t += timedelta(minutes=rng.uniform(20, 100) if rng.random() < 0.85 else rng.uniform(120, 600))
            steps.append((t, "resolve"))
            t += timedelta(hours=rng.uniform(1, 40))
            steps.append((t, "callback"))
            steps.append((t + timedelta(minutes=5), "close"))
            state: dict = {}
            if not line.add(at, lambda c, s=staff, f=fields, st=state: take(c, s, f, st), before_now=True):
                continue
            for moment, name in steps:
                if name == "resolve" and waits:
                    break
                if not line.add(moment, lambda c, n=name, s=staff, m=major, st=state: step(c, n, s, m, st),
                                before_now=True):
                    break


# The line the seeded calls ring on: China's cadence, with off-hook sensing (the demo's simulated line).
CALL_CADENCE = "CN"


def _tracked_call(rings: int, number: str, answer_at: float | None, hangs_up_at: float | None) -> list:
    """The call events the call tracker reports for a call of `rings` rings on a line with off-hook
    sensing (ring every 5 s, caller ID after ring 1, the handset lifted at answer_at and put down at
    hangs_up_at, seconds from the first ring), as the phone runtime would feed it, ticks included."""
    from kiosk.phone.tracker import CADENCES, CallTracker, DetectorEvent, TrackerSettings
    tracker = CallTracker(TrackerSettings(cadence=CADENCES[CALL_CADENCE], offhook_sensing=True))
    heard = []
    for ring in range(rings):
        heard += [DetectorEvent("ring_on", 5.0 * ring), DetectorEvent("ring_off", 5.0 * ring + 1.0)]
        if ring == 0 and number:
            heard.append(DetectorEvent("callerid", 1.2, number=number))
    if answer_at is not None:
        heard += [DetectorEvent("offhook", answer_at), DetectorEvent("onhook", hangs_up_at)]
    until = answer_at if answer_at is not None else 5.0 * rings + 6
    heard += [DetectorEvent("tick", n / 2) for n in range(int(until * 2) + 1)]   # the runtime's ticks, every 0.5 s
    heard.sort(key=lambda event: event.t)   # stable: a tick comes after what the line said at the same time
    return [out for event in heard for out in tracker.feed(event)]


def _seed_calls(db, line: _Timeline, made: dict, rng: random.Random, day_list: list[date], tz: ZoneInfo,
                per_day: int) -> None:
    """Calls as the phone runtime logs them (kiosk.phone.calllog: start_call, then every tracker event),
    answered or missed, with notes (add_note; some promise a callback, some of those done by
    complete_callback)."""
    from kiosk.phone import calllog

    def event(clock: FakeClock, call, state: dict) -> None:
        if call.kind == "started":
            state["id"] = calllog.start_call(db, clock, "simulated")
            made["calls"] += 1
        calllog.record_event(db, clock, state["id"], call)

    def note(clock: FakeClock, actor: Actor, fields: dict, state: dict) -> None:
        state["note"] = calllog.add_note(db, clock, actor, call_id=state["id"], callback_minutes=240, **fields)

    for day in day_list:
        for _ in range(per_day):
            start = _opening_moment(rng, day, tz)
            rings = rng.choices((1, 2, 3, 4, 5, 6), (10, 30, 30, 15, 10, 5))[0]
            number = rng.choice(("", "13800138000", "01088886666", "13912345678", f"1{rng.randrange(10**10):010d}"))
            answered = rng.random() > 0.08
            length = rng.uniform(15, 320) if answered else 0.0
            t_answer = 5 * rings - 3.5   # half a second after the last ring ended
            events = _tracked_call(rings, number, t_answer if answered else None,
                                   t_answer + length if answered else None)
            if start + timedelta(seconds=events[-1].t) > line.now:
                continue  # still ringing or talking at now (or not yet begun): not a finished call
            state: dict = {}
            for call in events:
                line.add(start + timedelta(seconds=call.t), lambda c, e=call, s=state: event(c, e, s))
            if not answered:
                continue
            at = start + timedelta(seconds=t_answer + 60)
            if rng.random() < 0.6 and at <= line.now:
                actor = _staff(rng.choice(STAFF))
                needs = bool(number) and rng.random() < 0.25
                fields = dict(category=rng.choice(("inquiry", "inquiry", "complaint", "repair", "other")),
                              what=rng.choice(TOPICS), caller_name=rng.choice(NAMES), caller_number=number,
                              needs_callback=needs)
                line.add(at, lambda c, a=actor, f=fields, s=state: note(c, a, f, s))
                when = at + timedelta(hours=rng.uniform(0.2, 3))
                if needs and rng.random() < 0.7:  # a callback not made yet (or not yet due) stays open
                    result = rng.choice(("reached", "reached", "no_answer", "left_message"))
                    line.add(when, lambda c, a=actor, r=result, s=state: calllog.complete_callback(db, c, a, s["note"], r))
