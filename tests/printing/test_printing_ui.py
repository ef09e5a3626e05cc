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
