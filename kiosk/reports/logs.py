"""The registry of the manager's daily logs: one small definition per log.

A log is a name, a title in both languages, the tables it needs, one SQL query over a UTC time
range (parameters ``:start`` and ``:end``, ISO strings, half-open) and typed columns. A log whose
tables are not in the database yet is reported as missing by :func:`split_available`, never faked.
Add a log by appending a :class:`LogDef` to ``LOGS`` once its migration has landed. A column of code
values names its vocabulary (``_code(..., "purpose")``, see kiosk.reports.codes): exports show the code
in the reader's language with the raw code in a column of its own.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

TEXT, DATETIME, MONEY, INT, PHONE = "text", "datetime", "money_fen", "int", "phone"
KINDS = (TEXT, DATETIME, MONEY, INT, PHONE)   # a phone number is text everywhere; a CSV groups its digits


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
    codes: str | None = None   # a vocabulary of kiosk.reports.codes: shown translated, raw code beside it
    words: str | None = None   # a vocabulary applied in place, no code column (the actors "system", "visitor")
    raw: bool = False          # stored as it is (codes, JSON, a device's own message): headed "(代码)"/"(原始…)"


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


def _c(key: str, en: str, zh: str, kind: str = TEXT, codes: str | None = None) -> Column:
    return Column(key, en, zh, kind, codes)


def _code(key: str, en: str, zh: str, vocabulary: str) -> Column:
    """A column of code values (see kiosk.reports.codes)."""
    return Column(key, en, zh, TEXT, vocabulary)


def _who(key: str, en: str, zh: str) -> Column:
    """A person's name as stored, or one of the actors that are no person (system, visitor) in words."""
    return Column(key, en, zh, TEXT, words="actor")


def _raw(key: str, en: str, zh: str) -> Column:
    """A column written exactly as stored, for analysts (its titles say so: "(code)", "(代码)"...)."""
    return Column(key, en, zh, TEXT, raw=True)


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
      (SELECT group_concat(kiosk_labelled('note_category', n.category, n.what), ' | ') FROM call_notes n
         WHERE n.call_id = c.id) AS notes,
      (SELECT MIN(n.callback_due) FROM call_notes n WHERE n.call_id = c.id) AS callback_due,
      (SELECT MAX(d.at) FROM callbacks_done d JOIN call_notes n ON n.id = d.note_id WHERE n.call_id = c.id)
         AS callback_done
    FROM calls c WHERE c.started_at >= :start AND c.started_at < :end ORDER BY c.id
    """,
    (_c("id", "Call", "来电编号", INT), _c("started_at", "Started", "来电时间", DATETIME),
     _code("detector", "Detector", "检测方式", "detector"), _c("rings", "Rings", "响铃次数", INT),
     _code("outcome", "Outcome", "结果", "call_outcome"), _c("rings_to_answer", "Rings to answer", "接听前响铃", INT),
     _c("duration", "Duration (s)", "通话时长(秒)", INT), _c("number", "Number", "号码", PHONE),
     _c("notes", "Notes", "记录"), _c("callback_due", "Callback due", "回电期限", DATETIME),
     _c("callback_done", "Callback done", "已回电", DATETIME)),
)

CALL_NOTES = LogDef(
    "call_notes", "Call notes and callbacks", "电话记录与回电", ("call_notes", "callbacks_done"),
    """
    SELECT n.id, n.at, n.call_id, n.actor, n.caller_name, n.caller_number, n.category, n.what, n.place,
           n.why, n.how, n.follow_up, n.callback_due,
           (SELECT MAX(d.at) FROM callbacks_done d WHERE d.note_id = n.id) AS callback_done,
           (SELECT group_concat(kiosk_label('callback_result', d.result), ' | ') FROM callbacks_done d
              WHERE d.note_id = n.id) AS callback_result,
           (SELECT group_concat(d.result, ' | ') FROM callbacks_done d WHERE d.note_id = n.id) AS callback_result_code
    FROM call_notes n WHERE n.at >= :start AND n.at < :end ORDER BY n.id
    """,
    (_c("id", "Note", "记录编号", INT), _c("at", "Time", "时间", DATETIME), _c("call_id", "Call", "来电编号", INT),
     _who("actor", "Staff", "记录人"), _c("caller_name", "Caller", "来电人"), _c("caller_number", "Number", "号码", PHONE),
     _code("category", "Category", "类别", "note_category"), _c("what", "What", "事项"), _c("place", "Where", "地点"),
     _c("why", "Why", "原因"), _c("how", "How", "处理方式"), _c("follow_up", "Follow-up", "跟进"),
     _c("callback_due", "Callback due", "回电期限", DATETIME),
     _c("callback_done", "Callback done", "已回电", DATETIME), _c("callback_result", "Callback result", "回电结果"),
     _raw("callback_result_code", "Callback result (code)", "回电结果(代码)")),
)

LINE_GAPS = LogDef(
    # Every time the desk phone was not watched (detector unplugged, reconnecting, not answering), however
    # short: the banner waits 10 s, this log does not. Times are the site's local times like every log.
    "phone_line_gaps", "Phone line not watched", "电话线路未监听", ("phone_line_gaps",),
    """
    SELECT g.id, g.started_at, g.ended_at,
      CAST(ROUND((julianday(g.ended_at) - julianday(g.started_at)) * 86400) AS INTEGER) AS seconds,
      g.state, g.detail, g.detector
    FROM phone_line_gaps g WHERE g.ended_at >= :start AND g.started_at < :end ORDER BY g.started_at, g.id
    """,
    (_c("id", "No.", "编号", INT), _c("started_at", "Not watched from", "未监听起始", DATETIME),
     _c("ended_at", "Watched again at", "恢复监听", DATETIME), _c("seconds", "Length (s)", "时长(秒)", INT),
     _code("state", "What happened", "情况", "line_gap_state"),
     _raw("detail", "Detail (as logged by the detector)", "说明(检测器原始记录)"),
     _code("detector", "Detector", "检测方式", "detector")),
)

DRAWER = LogDef(
    "drawer_openings", "Cash drawer openings", "钱箱开启记录", ("drawer_kicks",),
    "SELECT id, at, actor, kiosk_drawer_reason(reason) AS reason, reason AS reason_code, record_table, record_id"
    " FROM drawer_kicks"
    " WHERE at >= :start AND at < :end ORDER BY id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _who("actor", "Staff", "操作人"),
     _c("reason", "Reason", "原因"), _raw("reason_code", "Reason (code)", "原因(代码)"),
     _code("record_table", "Record type", "记录类型", "record_table"), _c("record_id", "Record", "记录编号")),
)

AUDIT = LogDef(
    "audit", "Audit log", "操作日志", ("audit",),
    "SELECT id, at, actor, action, record_table, record_id, before, after FROM audit"
    " WHERE at >= :start AND at < :end ORDER BY id",
    # The technical trail: the action is the program's own name for it and before/after are the stored
    # JSON, raw and named so; the record type and who are in the reader's words.
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _who("actor", "Who", "操作人"),
     _raw("action", "Action (code)", "操作(代码)"), _code("record_table", "Record type", "记录类型", "record_table"),
     _c("record_id", "Record", "记录编号"), _raw("before", "Before (stored data)", "修改前(原始数据)"),
     _raw("after", "After (stored data)", "修改后(原始数据)")),
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
     _code("category", "Category", "类别", "lost_category"), _c("description", "Description", "物品"), _c("features", "Features", "特征"),
     _c("colour", "Colour", "颜色"), _c("brand", "Brand", "品牌"), _c("quantity", "Quantity", "数量", INT),
     _c("value_fen", "Value (yuan)", "价值(元)", MONEY), _code("handed_in_kind", "Handed in by (kind)", "交来人类型", "handed_in_kind"),
     _c("handed_in_name", "Handed in by", "交来人"), _who("actor", "Received by", "接收人"),
     _c("storage", "Stored at", "存放位置"), _code("status", "Status now", "当前状态", "lost_status"),
     _c("claimant", "Claimed by", "认领人"), _c("claimant_id", "Claimant ID (as stored)", "认领人证件(按存储)")),
)

LOST_EVENTS = LogDef(
    "lost_item_events", "Lost and found status changes", "失物状态变更", ("lf_items", "lf_events"),
    "SELECT e.id, e.at, i.ref, e.status, e.actor, kiosk_lf_detail(e.status, e.detail) AS detail FROM lf_events e JOIN lf_items i ON i.id = e.item_id"
    " WHERE e.at >= :start AND e.at < :end ORDER BY e.id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("ref", "Reference", "登记号"),
     _code("status", "Status", "状态", "lost_status"), _who("actor", "Staff", "操作人"), _c("detail", "Detail", "说明")),
)

SALE_LINES = LogDef(
    "sale_lines", "Sale lines", "销售明细", ("sales", "sale_lines", "payments"),
    "SELECT l.id, s.at, s.receipt_no, l.name, l.quantity, l.unit_fen, l.total_fen, p.method, s.actor"
    " FROM sale_lines l JOIN sales s ON s.id = l.sale_id JOIN payments p ON p.sale_id = s.id"
    " WHERE s.at >= :start AND s.at < :end ORDER BY l.id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("receipt_no", "Receipt", "小票号"),
     _c("name", "Product", "商品"), _c("quantity", "Quantity", "数量", INT),
     _c("unit_fen", "Unit price (yuan)", "单价(元)", MONEY), _c("total_fen", "Line total (yuan)", "金额(元)", MONEY),
     _code("method", "Paid by", "支付方式", "method"), _who("actor", "Staff", "操作人")),
)

FEES = LogDef(
    "fee_collections", "Fee collections", "收费记录", ("fee_collections", "fee_types"),
    "SELECT c.id, c.at, c.receipt_no, kiosk_pick(t.name_zh, t.name_en) AS fee, t.code AS fee_code, c.payer, c.member_no, c.period,"
    " c.amount_fen, c.method, c.reference, c.actor FROM fee_collections c JOIN fee_types t ON t.id = c.fee_type_id"
    " WHERE c.at >= :start AND c.at < :end ORDER BY c.id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("receipt_no", "Receipt", "收据号"),
     _c("fee", "Fee", "项目"), _raw("fee_code", "Fee (code)", "项目(代码)"), _c("payer", "Payer", "缴费人"),
     _c("member_no", "Member no.", "会员号"), _c("period", "Period", "期间"),
     _c("amount_fen", "Amount (yuan)", "金额(元)", MONEY), _code("method", "Paid by", "支付方式", "method"),
     _c("reference", "Reference", "交易号"), _who("actor", "Staff", "操作人")),
)

VOIDS_REFUNDS = LogDef(
    "voids_refunds", "Voids and refunds", "作废与退款", ("sale_reversals", "fee_voids", "fee_collections", "sales"),
    "SELECT r.at, r.kind, r.receipt_no, s.receipt_no AS original, r.amount_fen, r.method, r.reason,"
    " r.approver, r.actor FROM sale_reversals r JOIN sales s ON s.id = r.sale_id"
    " WHERE r.at >= :start AND r.at < :end"
    " UNION ALL SELECT v.at, 'fee void', v.receipt_no, c.receipt_no, c.amount_fen, c.method, v.reason,"
    " v.approver, v.actor FROM fee_voids v JOIN fee_collections c ON c.id = v.collection_id"
    " WHERE v.at >= :start AND v.at < :end ORDER BY 1",
    (_c("at", "Time", "时间", DATETIME), _code("kind", "Kind", "类型", "reversal_kind"), _c("receipt_no", "Slip", "单号"),
     _c("original", "Original receipt", "原单号"), _c("amount_fen", "Amount (yuan)", "金额(元)", MONEY),
     _code("method", "Paid by", "支付方式", "method"), _c("reason", "Reason", "原因"), _who("approver", "Approved by", "批准人"),
     _who("actor", "Staff", "操作人")),
)

STOCK = LogDef(
    # Sales move stock line by line; those are the sale-lines log. This one holds every other change:
    # deliveries, adjustments and counts (with reasons), and stock coming back on voids and refunds.
    "stock_movements", "Stock changes other than sales", "库存变动（销售除外）", ("stock_movements", "products"),
    "SELECT m.id, m.at, p.sku, kiosk_pick(p.name_zh, p.name_en) AS name_zh, m.quantity, m.kind, m.reason, m.actor FROM stock_movements m"
    " JOIN products p ON p.id = m.product_id WHERE m.at >= :start AND m.at < :end AND m.kind != 'sale'"
    " ORDER BY m.id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("sku", "SKU", "货号"),
     _c("name_zh", "Product", "商品"), _c("quantity", "Quantity (+in/-out)", "数量(+入/-出)", INT),
     _code("kind", "Kind", "类型", "stock_kind"), Column("reason", "Reason", "原因", words="stock_reason"),
     _who("actor", "Staff", "操作人")),
)

VISITORS = LogDef(
    "visitors", "Visitors", "访客登记", ("visits", "visit_signouts"),
    "SELECT v.id, v.signed_in_at, s.at AS signed_out_at, s.kind AS signout_kind, v.name, v.phone, v.organisation,"
    " v.host_name, v.purpose, v.party_size, v.registered_by, v.id_type, v.id_number,"
    " CASE WHEN v.anonymised_at IS NULL THEN '' ELSE 'yes' END AS anonymised"
    " FROM visits v LEFT JOIN visit_signouts s ON s.visit_id = v.id"
    " WHERE v.signed_in_at >= :start AND v.signed_in_at < :end ORDER BY v.id",
    (_c("id", "No.", "编号", INT), _c("signed_in_at", "Signed in", "到访时间", DATETIME),
     _c("signed_out_at", "Signed out", "离开时间", DATETIME), _code("signout_kind", "Sign-out", "离开方式", "signout_kind"),
     _c("name", "Name", "姓名"), _c("phone", "Phone", "电话", PHONE), _c("organisation", "Organisation", "单位"),
     _c("host_name", "Visiting", "被访人"), _code("purpose", "Purpose", "事由", "purpose"),
     _c("party_size", "Party size", "人数", INT), _code("registered_by", "Registered by", "登记方式", "registered_by"),
     _code("id_type", "Document", "证件类型", "visit_id_type"), _c("id_number", "Document no. (as stored)", "证件号(按存储)"),
     _code("anonymised", "Anonymised", "已匿名化", "anonymised")),
)

HANDOVERS = LogDef(
    "cash_handovers", "Cash handovers", "现金交接", ("cash_handovers",),
    "SELECT id, at, amount_fen, actor, received_by, note FROM cash_handovers"
    " WHERE at >= :start AND at < :end ORDER BY id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME),
     _c("amount_fen", "Amount (yuan)", "金额(元)", MONEY), _who("actor", "Handed by", "交出人"),
     _who("received_by", "Received by", "接收人"), _c("note", "Note", "备注")),
)

EOD_REPORTS = LogDef(
    "eod_reports", "End-of-day reports", "日结报告", ("shifts", "shift_closes"),
    "SELECT c.report_no, s.terminal_id, s.opened_at, c.at AS closed_at, s.actor AS opened_by, c.actor AS closed_by, s.float_fen,"
    " c.expected_fen, c.counted_fen, c.variance_fen FROM shift_closes c JOIN shifts s ON s.id = c.shift_id"
    " WHERE c.at >= :start AND c.at < :end ORDER BY c.id",
    (_c("report_no", "Report", "报告号"), _c("terminal_id", "Counter", "收银台"),
     _c("opened_at", "Opened", "开班时间", DATETIME), _c("closed_at", "Closed", "结班时间", DATETIME),
     _who("opened_by", "Opened by", "开班人"), _who("closed_by", "Closed by", "结班人"),
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
        THEN 'major' WHEN (SELECT kind FROM complaint_events e WHERE e.complaint_id = c.id
        AND e.kind IN ('escalated', 'major_declined') ORDER BY id DESC LIMIT 1) = 'major_declined' THEN 'declined'
        WHEN c.major = 1 OR EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id
        AND e.kind = 'escalated') THEN 'proposed' ELSE '' END AS major,
      c.start_due,
      (SELECT MIN(at) FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'started') AS started_at,
      COALESCE((SELECT resolve_due FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'major_accepted'
        ORDER BY id DESC LIMIT 1), c.resolve_due) AS resolve_due,
      r.at AS resolved_at, r.outcome, r.note AS what_was_done, r.actor AS resolved_by, r.callback_due,
      (SELECT at FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'callback' ORDER BY id DESC LIMIT 1)
        AS callback_at,
      (SELECT outcome FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'callback'
        ORDER BY id DESC LIMIT 1) AS callback_outcome,
      (SELECT at FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'closed' ORDER BY id LIMIT 1)
        AS closed_at,
      -- the least certain basis of any deadline (migration 0030); older rows read from calendar_source
      CASE WHEN COALESCE(c.deadline_basis, CASE c.calendar_source WHEN 'fallback' THEN 'estimated' END) = 'estimated'
             OR EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id AND e.deadline_basis = 'estimated')
           THEN 'estimated'
           WHEN c.deadline_basis = 'manual'
             OR EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id AND e.deadline_basis = 'manual')
           THEN 'manual'
           WHEN c.deadline_basis = 'calendar' THEN 'calendar' ELSE 'package' END AS calendar_source,
      CASE WHEN c.anonymised_at IS NULL THEN '' ELSE 'yes' END AS anonymised
    FROM complaints c
    -- the latest resolution event is the one in force: a "not resolved" attempt, then the real fix, is resolved
    -- (as kiosk.complaints.service reads it; a resolved complaint takes no further resolution)
    LEFT JOIN complaint_events r ON r.id = (SELECT MAX(id) FROM complaint_events e WHERE e.complaint_id = c.id
      AND e.kind = 'resolved')
    WHERE c.taken_at >= :start AND c.taken_at < :end ORDER BY c.id
    """,
    (_c("id", "No.", "编号", INT), _c("ref", "Reference", "单号"), _c("taken_at", "Taken", "受理时间", DATETIME),
     _code("channel", "Channel", "渠道", "channel"), _c("call_note_id", "Call note", "来电记录", INT), _code("kind", "Type", "类型", "complaint_kind"),
     _code("category", "Category", "类别", "complaint_category"), _code("responsibility", "Responsibility", "责任类别", "responsibility"),
     _c("customer_name", "Customer", "客户"), _c("customer_contact", "Contact", "联系方式", PHONE),
     _c("what", "What", "内容"), _c("place", "Where", "地点"), _c("topic", "Topic", "事项"),
     _who("actor", "Taken by", "受理人"), _code("major", "Major", "重大投诉", "major"),
     _c("start_due", "Start due", "开始处理时限", DATETIME), _c("started_at", "Started", "开始处理", DATETIME),
     _c("resolve_due", "Resolve due", "处理完成时限", DATETIME), _c("resolved_at", "Resolved", "处理完成", DATETIME),
     _code("outcome", "Outcome", "处理结果", "complaint_outcome"), _c("what_was_done", "What was done", "处理情况"),
     _who("resolved_by", "Resolved by", "处理人"), _c("callback_due", "Callback due", "回访时限", DATETIME),
     _c("callback_at", "Called back", "回访时间", DATETIME), _code("callback_outcome", "Callback outcome", "回访结果", "complaint_outcome"),
     _c("closed_at", "Closed", "结案时间", DATETIME), _code("calendar_source", "Working days from", "工作日依据", "calendar_source"),
     _code("anonymised", "Anonymised", "已匿名化", "anonymised")),
)

# Corrections of lost-and-found register entries (issue 13): each amendment, with the entry it corrects.
LOST_AMENDMENTS = LogDef(
    "lost_amendments", "Lost-and-found corrections", "失物登记更正", ("lf_amendments", "lf_items"),
    "SELECT a.id, a.at, i.ref, a.field, a.before, a.after, a.reason, a.actor FROM lf_amendments a"
    " JOIN lf_items i ON i.id = a.item_id WHERE a.at >= :start AND a.at < :end ORDER BY a.id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("ref", "Item", "物品编号"),
     _code("field", "Field", "更正项", "lf_field"), _c("before", "Before", "原内容"), _c("after", "After", "更正为"),
     _c("reason", "Reason", "原因"), _who("actor", "Corrected by", "更正人")),
)

# Roll-call marks (issue 13): who was marked safe (or unmarked: fewer heads), in which roll call, by whom.
ROLLCALL_MARKS = LogDef(
    "rollcall_marks", "Roll-call marks", "疏散点名记录", ("rollcall_marks", "rollcalls", "visits"),
    "SELECT m.id, m.at, m.rollcall_id, r.started_at AS rollcall_started, m.visit_id, v.name, v.party_size,"
    " m.heads, m.actor FROM rollcall_marks m JOIN visits v ON v.id = m.visit_id"
    " LEFT JOIN rollcalls r ON r.id = m.rollcall_id WHERE m.at >= :start AND m.at < :end ORDER BY m.id",
    (_c("id", "No.", "编号", INT), _c("at", "Time", "时间", DATETIME), _c("rollcall_id", "Roll call", "点名编号", INT),
     _c("rollcall_started", "Roll call started", "点名开始", DATETIME), _c("visit_id", "Visit", "到访编号", INT),
     _c("name", "Name", "姓名"), _c("party_size", "Party size", "人数", INT),
     _c("heads", "Accounted for", "已确认人数", INT), _who("actor", "Marked by", "确认人")),
)

# In export order.
LOGS: list[LogDef] = [VISITORS, CALLS, CALL_NOTES, LINE_GAPS, LOST_ITEMS, LOST_EVENTS, LOST_AMENDMENTS, SALE_LINES,
                      FEES, VOIDS_REFUNDS, STOCK, HANDOVERS, EOD_REPORTS, COMPLAINTS, ROLLCALL_MARKS, DRAWER, AUDIT]

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


def register_functions(db: sqlite_utils.Database, lang: str) -> None:
    """The SQL functions the logs' queries call to put stored codes and record text in lang's words.

    kiosk_label(vocabulary, code), kiosk_labelled(vocabulary, code, text) ("类别：text"),
    kiosk_pick(zh, en) (a catalogue's name in lang), kiosk_drawer_reason(reason) and
    kiosk_lf_detail(status, detail) (the lost-and-found area's own patterns, as its screen reads them).
    Registered on the connection per export (each thread has its own connection); called once per row
    of the few columns that need them, never per cell of a month."""
    from kiosk.reports import codes
    from kiosk.core.i18n import gettext
    from kiosk.lostfound.service import detail_message

    tables: dict[str, dict[str, str]] = {}

    def table(name: str) -> dict[str, str]:
        found = tables.get(name)
        if found is None:
            found = {}
            for code, msgid in codes.vocabulary(name).items():
                found[code] = found[msgid] = gettext(msgid, lang)  # older rows stored the English words
            tables[name] = found
        return found

    def label(name, code):
        return None if code is None else table(name).get(code, code)

    colon = ": " if lang == "en" else "："

    def labelled(name, code, text):
        return f"{label(name, code) or ''}{colon}{text or ''}"

    def pick(zh, en):
        return (en or zh) if lang == "en" else (zh or en)

    def drawer_reason(reason):
        if reason is None:
            return None
        if reason.startswith("no sale: "):
            return gettext("No sale: {reason}", lang).format(reason=reason[len("no sale: "):])
        return label("drawer_reason", reason)

    def lf_detail(status, detail):
        if detail is None:
            return None
        msgid, values = detail_message({"status": status, "detail": detail})
        if "method" in values:  # detail_message gives the method as its msgid (the screen translates it too)
            values["method"] = gettext(values["method"], lang)
        return gettext(msgid, lang).format(**values)

    conn = db.conn
    conn.create_function("kiosk_label", 2, label, deterministic=True)
    conn.create_function("kiosk_labelled", 3, labelled, deterministic=True)
    conn.create_function("kiosk_pick", 2, pick, deterministic=True)
    conn.create_function("kiosk_drawer_reason", 1, drawer_reason, deterministic=True)
    conn.create_function("kiosk_lf_detail", 2, lf_detail, deterministic=True)


def fetch(db: sqlite_utils.Database, log: LogDef, start_iso: str, end_iso: str, lang: str = "zh_CN"):
    """The log's rows for [start, end) as tuples in column order (a cursor, streamed)."""
    register_functions(db, lang)
    keys = [col.key for col in log.columns]
    cursor = db.execute(f"SELECT {', '.join(_quote(k) for k in keys)} FROM ({log.sql})",
                        {"start": start_iso, "end": end_iso})
    return cursor


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
