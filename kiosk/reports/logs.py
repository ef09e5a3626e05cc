"""The registry of the manager's daily logs: one small definition per log.

A log is a name, a title in both languages, the tables it needs, one SQL query over a UTC time
range (parameters ``:start`` and ``:end``, ISO strings, half-open) and typed columns. A log whose
tables are not in the database yet is reported as missing by :func:`split_available`, never faked.
Add a log by appending a :class:`LogDef` to ``LOGS`` once its migration has landed.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

TEXT, DATETIME, MONEY, INT = "text", "datetime", "money_fen", "int"
KINDS = (TEXT, DATETIME, MONEY, INT)


class _Bilingual:
    """Something titled in English (``en``) and Simplified Chinese (``zh``)."""

    en: str
    zh: str

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Column(_Bilingual):
    """One output column: key (from the query), titles, and kind (text/datetime/money_fen/int)."""

    key: str
    en: str
    zh: str
    kind: str = TEXT


@dataclass(frozen=True)
class PendingLog(_Bilingual):
    """A log by name, titles and the tables it needs; on its own: one whose tables have not landed yet."""

    name: str
    en: str
    zh: str
    tables: tuple[str, ...]


@dataclass(frozen=True)
class LogDef(PendingLog):
    """One exported log: adds the query over [:start, :end) and the typed columns."""

    sql: str
    columns: tuple[Column, ...]


def _c(key: str, en: str, zh: str, kind: str = TEXT) -> Column:
    return Column(key, en, zh, kind)


CALLS = LogDef(
    "calls", "Calls", "来电记录", ("calls", "call_events", "call_notes", "callbacks_done"),
    """
    SELECT c.id, c.started_at, c.detector,
      (SELECT COALESCE(MAX(rings), 0) FROM call_events e WHERE e.call_id = c.id) AS rings,
      (SELECT outcome FROM call_events e WHERE e.call_id = c.id AND kind IN ('ended', 'confirmed')
         ORDER BY id DESC LIMIT 1) AS outcome,
      (SELECT rings FROM call_events e WHERE e.call_id = c.id AND kind = 'answered' ORDER BY id LIMIT 1)
         AS rings_to_answer,
      (SELECT CAST(ROUND(duration) AS INTEGER) FROM call_events e WHERE e.call_id = c.id AND kind = 'ended'
         ORDER BY id DESC LIMIT 1) AS duration,
      (SELECT number FROM call_events e WHERE e.call_id = c.id AND number IS NOT NULL ORDER BY id DESC LIMIT 1)
         AS number,
      (SELECT group_concat(n.category || ': ' || n.what, ' | ') FROM call_notes n WHERE n.call_id = c.id) AS notes,
      (SELECT MIN(n.callback_due) FROM call_notes n WHERE n.call_id = c.id) AS callback_due,
      (SELECT MAX(d.at) FROM callbacks_done d JOIN call_notes n ON n.id = d.note_id WHERE n.call_id = c.id)
         AS callback_done
    FROM calls c WHERE c.started_at >= :start AND c.started_at < :end ORDER BY c.id
    """,
    (_c("id", "Call", "来电编号", INT), _c("started_at", "Started", "来电时间", DATETIME),
     _c("detector", "Detector", "检测方式"), _c("rings", "Rings", "响铃次数", INT),
     _c("outcome", "Outcome", "结果"), _c("rings_to_answer", "Rings to answer", "接听前响铃", INT),
     _c("duration", "Duration (s)", "通话时长(秒)", INT), _c("number", "Number", "号码"),
     _c("notes", "Notes", "记录"), _c("callback_due", "Callback due", "回电期限", DATETIME),
     _c("callback_done", "Callback done", "已回电", DATETIME)),
)

CALL_NOTES = LogDef(
    "call_notes", "Call notes and callbacks", "电话记录与回电", ("call_notes", "callbacks_done"),
    """
    SELECT n.id, n.at, n.call_id, n.actor, n.caller_name, n.caller_number, n.category, n.what, n.place,
           n.why, n.how, n.follow_up, n.callback_due,
           (SELECT MAX(d.at) FROM callbacks_done d WHERE d.note_id = n.id) AS callback_done,
           (SELECT group_concat(d.result, ' | ') FROM callbacks_done d WHERE d.note_id = n.id) AS callback_result
    FROM call_notes n WHERE n.at >= :start AND n.at < :end ORDER BY n.id
    """,
    (_c("id", "Note", "记录编号", INT), _c("at", "Time", "时间", DATETIME), _c("call_id", "Call", "来电编号", INT),
     _c("actor", "Staff", "记录人"), _c("caller_name", "Caller", "来电人"), _c("caller_number", "Number", "号码"),
     _c("category", "Category", "类别"), _c("what", "What", "事项"), _c("place", "Where", "地点"),
     _c("why", "Why", "原因"), _c("how", "How", "处理方式"), _c("follow_up", "Follow-up", "跟进"),
     _c("callback_due", "Callback due", "回电期限", DATETIME),
     _c("callback_done", "Callback done", "已回电", DATETIME), _c("callback_result", "Callback result", "回电结果")),
)

DRAWER = LogDef(
    "drawer_openings", "Cash drawer openings", "钱箱开启记录", ("drawer_kicks",),
    "SELECT id, at, actor, reason, record_table, record_id FROM drawer_kicks"
    " WHERE at >= :start AND at < :end ORDER BY id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("actor", "Staff", "操作人"),
     _c("reason", "Reason", "原因"), _c("record_table", "Record type", "记录类型"),
     _c("record_id", "Record", "记录编号")),
)

AUDIT = LogDef(
    "audit", "Audit log", "操作日志", ("audit",),
    "SELECT id, at, actor, action, record_table, record_id, before, after FROM audit"
    " WHERE at >= :start AND at < :end ORDER BY id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("actor", "Who", "操作人"),
     _c("action", "Action", "操作"), _c("record_table", "Record type", "记录类型"),
     _c("record_id", "Record", "记录编号"), _c("before", "Before", "修改前"), _c("after", "After", "修改后")),
)

LOST_ITEMS = LogDef(
    "lost_items", "Lost and found items", "失物登记", ("lf_items", "lf_events", "lf_claims"),
    """
    SELECT i.id, i.ref, i.created_at, i.found_at, i.found_place, i.category, i.description, i.features, i.colour,
      i.brand, i.quantity, i.value_fen, i.handed_in_kind, i.handed_in_name, i.actor, i.storage,
      (SELECT status FROM lf_events e WHERE e.item_id = i.id ORDER BY e.id DESC LIMIT 1) AS status,
      (SELECT claimant_name FROM lf_claims c WHERE c.item_id = i.id ORDER BY c.id DESC LIMIT 1) AS claimant,
      (SELECT id_number FROM lf_claims c WHERE c.item_id = i.id ORDER BY c.id DESC LIMIT 1) AS claimant_id
    FROM lf_items i WHERE i.created_at >= :start AND i.created_at < :end ORDER BY i.id
    """,
    (_c("id", "No.", "编号", INT), _c("ref", "Reference", "登记号"), _c("created_at", "Registered", "登记时间", DATETIME),
     _c("found_at", "Found", "拾获时间", DATETIME), _c("found_place", "Where found", "拾获地点"),
     _c("category", "Category", "类别"), _c("description", "Description", "物品"), _c("features", "Features", "特征"),
     _c("colour", "Colour", "颜色"), _c("brand", "Brand", "品牌"), _c("quantity", "Quantity", "数量", INT),
     _c("value_fen", "Value (yuan)", "价值(元)", MONEY), _c("handed_in_kind", "Handed in by (kind)", "交来人类型"),
     _c("handed_in_name", "Handed in by", "交来人"), _c("actor", "Received by", "接收人"),
     _c("storage", "Stored at", "存放位置"), _c("status", "Status now", "当前状态"),
     _c("claimant", "Claimed by", "认领人"), _c("claimant_id", "Claimant ID (as stored)", "认领人证件(按存储)")),
)

LOST_EVENTS = LogDef(
    "lost_item_events", "Lost and found status changes", "失物状态变更", ("lf_items", "lf_events"),
    "SELECT e.id, e.at, i.ref, e.status, e.actor, e.detail FROM lf_events e JOIN lf_items i ON i.id = e.item_id"
    " WHERE e.at >= :start AND e.at < :end ORDER BY e.id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("ref", "Reference", "登记号"),
     _c("status", "Status", "状态"), _c("actor", "Staff", "操作人"), _c("detail", "Detail", "说明")),
)

SALE_LINES = LogDef(
    "sale_lines", "Sale lines", "销售明细", ("sales", "sale_lines", "payments"),
    "SELECT l.id, s.at, s.receipt_no, l.name, l.quantity, l.unit_fen, l.total_fen, p.method, s.actor"
    " FROM sale_lines l JOIN sales s ON s.id = l.sale_id JOIN payments p ON p.sale_id = s.id"
    " WHERE s.at >= :start AND s.at < :end ORDER BY l.id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("receipt_no", "Receipt", "小票号"),
     _c("name", "Product", "商品"), _c("quantity", "Quantity", "数量", INT),
     _c("unit_fen", "Unit price (yuan)", "单价(元)", MONEY), _c("total_fen", "Line total (yuan)", "金额(元)", MONEY),
     _c("method", "Paid by", "支付方式"), _c("actor", "Staff", "操作人")),
)

FEES = LogDef(
    "fee_collections", "Fee collections", "收费记录", ("fee_collections", "fee_types"),
    "SELECT c.id, c.at, c.receipt_no, t.name_en AS fee, t.name_zh AS fee_zh, c.payer, c.member_no, c.period,"
    " c.amount_fen, c.method, c.reference, c.actor FROM fee_collections c JOIN fee_types t ON t.id = c.fee_type_id"
    " WHERE c.at >= :start AND c.at < :end ORDER BY c.id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("receipt_no", "Receipt", "收据号"),
     _c("fee", "Fee", "项目(英文)"), _c("fee_zh", "Fee (Chinese)", "项目"), _c("payer", "Payer", "缴费人"),
     _c("member_no", "Member no.", "会员号"), _c("period", "Period", "期间"),
     _c("amount_fen", "Amount (yuan)", "金额(元)", MONEY), _c("method", "Paid by", "支付方式"),
     _c("reference", "Reference", "交易号"), _c("actor", "Staff", "操作人")),
)

VOIDS_REFUNDS = LogDef(
    "voids_refunds", "Voids and refunds", "作废与退款", ("sale_reversals", "fee_voids", "fee_collections", "sales"),
    "SELECT r.at, r.kind, r.receipt_no, s.receipt_no AS original, r.amount_fen, r.method, r.reason,"
    " r.approver, r.actor FROM sale_reversals r JOIN sales s ON s.id = r.sale_id"
    " WHERE r.at >= :start AND r.at < :end"
    " UNION ALL SELECT v.at, 'fee void', v.receipt_no, c.receipt_no, c.amount_fen, c.method, v.reason,"
    " v.approver, v.actor FROM fee_voids v JOIN fee_collections c ON c.id = v.collection_id"
    " WHERE v.at >= :start AND v.at < :end ORDER BY 1",
    (_c("at", "Time", "时间", DATETIME), _c("kind", "Kind", "类型"), _c("receipt_no", "Slip", "单号"),
     _c("original", "Original receipt", "原单号"), _c("amount_fen", "Amount (yuan)", "金额(元)", MONEY),
     _c("method", "Paid by", "支付方式"), _c("reason", "Reason", "原因"), _c("approver", "Approved by", "批准人"),
     _c("actor", "Staff", "操作人")),
)

STOCK = LogDef(
    # Sales move stock line by line; those are the sale-lines log. This one holds every other change:
    # deliveries, adjustments and counts (with reasons), and stock coming back on voids and refunds.
    "stock_movements", "Stock changes other than sales", "库存变动（销售除外）", ("stock_movements", "products"),
    "SELECT m.id, m.at, p.sku, p.name_zh, m.quantity, m.kind, m.reason, m.actor FROM stock_movements m"
    " JOIN products p ON p.id = m.product_id WHERE m.at >= :start AND m.at < :end AND m.kind != 'sale'"
    " ORDER BY m.id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("sku", "SKU", "货号"),
     _c("name_zh", "Product", "商品"), _c("quantity", "Quantity (+in/-out)", "数量(+入/-出)", INT),
     _c("kind", "Kind", "类型"), _c("reason", "Reason", "原因"), _c("actor", "Staff", "操作人")),
)

VISITORS = LogDef(
    "visitors", "Visitors", "访客登记", ("visits", "visit_signouts"),
    "SELECT v.id, v.signed_in_at, s.at AS signed_out_at, s.kind AS signout_kind, v.name, v.phone, v.organisation,"
    " v.host_name, v.purpose, v.party_size, v.registered_by, v.id_type, v.id_number,"
    " CASE WHEN v.anonymised_at IS NULL THEN '' ELSE 'yes' END AS anonymised"
    " FROM visits v LEFT JOIN visit_signouts s ON s.visit_id = v.id"
    " WHERE v.signed_in_at >= :start AND v.signed_in_at < :end ORDER BY v.id",
    (_c("id", "No.", "编号", INT), _c("signed_in_at", "Signed in", "到访时间", DATETIME),
     _c("signed_out_at", "Signed out", "离开时间", DATETIME), _c("signout_kind", "Sign-out", "离开方式"),
     _c("name", "Name", "姓名"), _c("phone", "Phone", "电话"), _c("organisation", "Organisation", "单位"),
     _c("host_name", "Visiting", "被访人"), _c("purpose", "Purpose", "事由"),
     _c("party_size", "Party size", "人数", INT), _c("registered_by", "Registered by", "登记方式"),
     _c("id_type", "Document", "证件类型"), _c("id_number", "Document no. (as stored)", "证件号(按存储)"),
     _c("anonymised", "Anonymised", "已匿名化")),
)

HANDOVERS = LogDef(
    "cash_handovers", "Cash handovers", "现金交接", ("cash_handovers",),
    "SELECT id, at, amount_fen, actor, received_by, note FROM cash_handovers"
    " WHERE at >= :start AND at < :end ORDER BY id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME),
     _c("amount_fen", "Amount (yuan)", "金额(元)", MONEY), _c("actor", "Handed by", "交出人"),
     _c("received_by", "Received by", "接收人"), _c("note", "Note", "备注")),
)

EOD_REPORTS = LogDef(
    "eod_reports", "End-of-day reports", "日结报告", ("shifts", "shift_closes"),
    "SELECT c.report_no, s.terminal_id, s.opened_at, c.at AS closed_at, s.actor AS opened_by, c.actor AS closed_by, s.float_fen,"
    " c.expected_fen, c.counted_fen, c.variance_fen FROM shift_closes c JOIN shifts s ON s.id = c.shift_id"
    " WHERE c.at >= :start AND c.at < :end ORDER BY c.id",
    (_c("report_no", "Report", "报告号"), _c("terminal_id", "Counter", "收银台"),
     _c("opened_at", "Opened", "开班时间", DATETIME), _c("closed_at", "Closed", "结班时间", DATETIME),
     _c("opened_by", "Opened by", "开班人"), _c("closed_by", "Closed by", "结班人"),
     _c("float_fen", "Float (yuan)", "备用金(元)", MONEY), _c("expected_fen", "Expected cash (yuan)", "应有现金(元)", MONEY),
     _c("counted_fen", "Counted cash (yuan)", "实点现金(元)", MONEY),
     _c("variance_fen", "Variance (yuan)", "差额(元)", MONEY)),
)

COMPLAINTS = LogDef(
    "complaints", "Complaints and requests", "投诉与报修", ("complaints", "complaint_events"),
    """
    SELECT c.id, c.ref, c.taken_at, c.channel, c.call_note_id, c.kind, c.category, c.responsibility,
      c.customer_name, c.customer_contact, c.what, c.place, c.topic, c.actor,
      CASE WHEN EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'major_accepted')
        THEN 'major' WHEN c.major = 1 OR EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id
        AND e.kind = 'escalated') THEN 'proposed' ELSE '' END AS major,
      c.start_due,
      (SELECT MIN(at) FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'started') AS started_at,
      COALESCE((SELECT resolve_due FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'major_accepted'
        ORDER BY id DESC LIMIT 1), c.resolve_due) AS resolve_due,
      (SELECT at FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'resolved' ORDER BY id LIMIT 1)
        AS resolved_at,
      (SELECT outcome FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'resolved' ORDER BY id LIMIT 1)
        AS outcome,
      (SELECT note FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'resolved' ORDER BY id LIMIT 1)
        AS what_was_done,
      (SELECT actor FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'resolved' ORDER BY id LIMIT 1)
        AS resolved_by,
      (SELECT callback_due FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'resolved'
        ORDER BY id LIMIT 1) AS callback_due,
      (SELECT at FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'callback' ORDER BY id DESC LIMIT 1)
        AS callback_at,
      (SELECT outcome FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'callback'
        ORDER BY id DESC LIMIT 1) AS callback_outcome,
      (SELECT at FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'closed' ORDER BY id LIMIT 1)
        AS closed_at,
      c.calendar_source,
      CASE WHEN c.anonymised_at IS NULL THEN '' ELSE 'yes' END AS anonymised
    FROM complaints c WHERE c.taken_at >= :start AND c.taken_at < :end ORDER BY c.id
    """,
    (_c("id", "No.", "编号", INT), _c("ref", "Reference", "单号"), _c("taken_at", "Taken", "受理时间", DATETIME),
     _c("channel", "Channel", "渠道"), _c("call_note_id", "Call note", "来电记录", INT), _c("kind", "Type", "类型"),
     _c("category", "Category", "类别"), _c("responsibility", "Responsibility", "责任类别"),
     _c("customer_name", "Customer", "客户"), _c("customer_contact", "Contact", "联系方式"),
     _c("what", "What", "内容"), _c("place", "Where", "地点"), _c("topic", "Topic", "事项"),
     _c("actor", "Taken by", "受理人"), _c("major", "Major", "重大投诉"),
     _c("start_due", "Start due", "开始处理时限", DATETIME), _c("started_at", "Started", "开始处理", DATETIME),
     _c("resolve_due", "Resolve due", "处理完成时限", DATETIME), _c("resolved_at", "Resolved", "处理完成", DATETIME),
     _c("outcome", "Outcome", "处理结果"), _c("what_was_done", "What was done", "处理情况"),
     _c("resolved_by", "Resolved by", "处理人"), _c("callback_due", "Callback due", "回访时限", DATETIME),
     _c("callback_at", "Called back", "回访时间", DATETIME), _c("callback_outcome", "Callback outcome", "回访结果"),
     _c("closed_at", "Closed", "结案时间", DATETIME), _c("calendar_source", "Working days from", "工作日依据"),
     _c("anonymised", "Anonymised", "已匿名化")),
)

# In export order.
LOGS: list[LogDef] = [VISITORS, CALLS, CALL_NOTES, LOST_ITEMS, LOST_EVENTS, SALE_LINES, FEES, VOIDS_REFUNDS, STOCK,
                      HANDOVERS, EOD_REPORTS, COMPLAINTS, DRAWER, AUDIT]

# Logs asked for but not built yet (none at present); listed as missing in every export.
PENDING: list[PendingLog] = []


def existing_tables(db: sqlite_utils.Database) -> set[str]:
    """Names of the tables in the database."""
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def split_available(db: sqlite_utils.Database) -> tuple[list[LogDef], list[PendingLog]]:
    """The logs this database can export, and the ones missing (with the tables they wait for)."""
    tables = existing_tables(db)
    ready = [log for log in LOGS if set(log.tables) <= tables]
    missing = [PendingLog(log.name, log.en, log.zh, log.tables) for log in LOGS if not set(log.tables) <= tables]
    registered = {log.name for log in LOGS}
    missing += [p for p in PENDING if p.name not in registered]
    return ready, missing


def fetch(db: sqlite_utils.Database, log: LogDef, start_iso: str, end_iso: str):
    """The log's rows for [start, end) as tuples in column order (a cursor, streamed)."""
    keys = [col.key for col in log.columns]
    cursor = db.execute(f"SELECT {', '.join(_quote(k) for k in keys)} FROM ({log.sql})",
                        {"start": start_iso, "end": end_iso})
    return cursor


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
