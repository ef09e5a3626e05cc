"""The printer popup from the status bar: reprint a receipt, open the drawer with a manager's PIN."""
from __future__ import annotations

import pytest

from kiosk.core import auth
from kiosk.demo import accounts as demo
from kiosk.printing import queue as printqueue
from kiosk.core.audit import SYSTEM
from tests import receipt_samples
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, tap


def seed(ctx) -> None:
    job = printqueue.enqueue(ctx.db, ctx.clock, SYSTEM, receipt_samples.sale("zh_CN"), record_table="sales",
                             record_id=1, kick_drawer=True)
    printqueue.mark(ctx.db, ctx.clock, job, "printed", "printed")
    printqueue.enqueue(ctx.db, ctx.clock, SYSTEM, receipt_samples.fee("zh_CN"), record_table="fees", record_id=2)


@app_test(kiosk_app_factory(lang="zh_CN", seed=seed))
@pytest.mark.asyncio
async def test_reprint_and_no_sale_drawer_from_the_status_bar(kivy_app):
    app = kivy_app
    await settle(app)
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    app.ctx.bus.publish("printer.state", state="offline", detail="192.168.1.50:9100 无响应", queued=1)
    await settle(app)
    await tap(app, app.sm.get_screen("desk").ids.printer_status)
    popup = find_all(app.root, cls="PrinterStatus")[0]
    shot(app, "printer_popup_zh.png")
    rows = find_all(popup, cls="JobRow")
    assert [r.job.receipt_no for r in rows] == ["T01-F-000007", "T01-S-000042"]
    await tap(app, find(rows[1], text="重印"))
    copy = printqueue.recent(app.ctx.db, 1)[0]
    assert copy.receipt.reprint and copy.reprint_of == rows[1].job.id
    # No-sale opening: a reason, then a manager's PIN.
    await tap(app, find(popup, text="开钱箱"))
    assert popup.ids.reason_field.error == "请说明开钱箱的原因"
    popup.ids.reason_field.ids.input.text = "找零给自动售货机"
    await tap(app, find(popup, text="开钱箱"))
    approval = find_all(app.root, cls="ManagerApproval")[0]
    for digit in demo.DEMO_MANAGER[1]:
        await tap(app, find(approval, text=digit), frames=1)
    await tap(app, find(approval, text="确定"))
    kicks = list(app.ctx.db.query("SELECT reason, actor FROM drawer_kicks ORDER BY id"))
    assert kicks[-1] == {"reason": "no sale: 找零给自动售货机", "actor": demo.DEMO_MANAGER[0]}
    shot(app, "printer_popup_after_zh.png")
    popup.dismiss()


def seed_held(ctx) -> None:
    held = printqueue.enqueue(ctx.db, ctx.clock, SYSTEM, receipt_samples.sale("zh_CN"), record_table="sales",
                              record_id=1, kick_drawer=True)
    printqueue.mark(ctx.db, ctx.clock, held, "held", "192.168.1.50:9100 reports no paper (5 attempts)", attempts=5)
    other = printqueue.enqueue(ctx.db, ctx.clock, SYSTEM, receipt_samples.fee("zh_CN"), record_table="fees",
                               record_id=2)
    printqueue.mark(ctx.db, ctx.clock, other, "held", "error: bad document", attempts=1)


@app_test(kiosk_app_factory(lang="zh_CN", seed=seed_held))
@pytest.mark.asyncio
async def test_held_jobs_are_retried_or_cancelled_with_a_reason_and_audited(kivy_app):
    from kiosk.core import audit
    app = kivy_app
    await settle(app)
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    app.ctx.bus.publish("printer.state", state="error", detail="x", queued=0, attention=2,
                        reason="printing stopped on an error and restarts")
    await settle(app)
    pill = app.sm.get_screen("desk").ids.printer_status
    assert "打印出错停止，正在重启" in pill.text and "2 项待处理" in pill.text
    shot(app, "status_bar_printer_error_zh.png")
    await tap(app, pill)
    popup = find_all(app.root, cls="PrinterStatus")[0]
    shot(app, "printer_popup_held_zh.png")
    rows = find_all(popup, cls="JobRow")
    fee_row, sale_row = rows
    assert sale_row.job.status == "held"
    retry = find(sale_row, text="重试")
    assert retry.height >= 48 and retry.width >= 48
    await tap(app, retry)
    assert printqueue.get(app.ctx.db, sale_row.job.id).status == "queued"
    # Cancel needs a reason.
    rows = find_all(popup, cls="JobRow")
    fee_row = [r for r in rows if r.job.receipt_no == "T01-F-000007"][0]
    await tap(app, find(fee_row, text="取消任务"))
    assert popup.ids.reason_field.error == "请说明取消任务的原因"
    assert printqueue.get(app.ctx.db, fee_row.job.id).status == "held"
    popup.ids.reason_field.ids.input.text = "客户不需要收据 🙂" + "长" * 300
    await tap(app, find(fee_row, text="取消任务"))
    assert printqueue.get(app.ctx.db, fee_row.job.id).status == "held"  # too long: refused, in Chinese
    assert "原因太长" in popup.ids.reason_field.error
    popup.ids.reason_field.ids.input.text = "客户不需要收据"
    await tap(app, find(fee_row, text="取消任务"))
    assert printqueue.get(app.ctx.db, fee_row.job.id).status == "cancelled"
    actions = [e["action"] for e in audit.entries(app.ctx.db, table="print_jobs")]
    assert actions == ["print.retry", "print.cancel"] or sorted(actions) == ["print.cancel", "print.retry"]
    app.set_language("en")
    await settle(app)
    shot(app, "printer_popup_held_en.png")
    assert any("cancelled" == (getattr(w, "text", "")) for w in find_all(popup, cls="Label"))
    popup.dismiss()
