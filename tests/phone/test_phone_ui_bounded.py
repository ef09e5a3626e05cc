"""Issue 18 in the phone section: a week of a busy desk and hundreds of open callbacks build only the rows
on screen, and a call event updates its own row and the figures (once), never re-reads the lists."""
from __future__ import annotations

import functools
from datetime import timedelta

import pytest

from kiosk.core import auth
from kiosk.core.audit import Actor
from kiosk.core.db import write
from kiosk.phone import calllog
from kiosk.phone.tracker import CallEvent
from tests.uikit import app_test, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as

CALLS, CALLBACKS = 400, 300


def _busy_week(ctx) -> None:
    """400 calls over the last days (some with long names and control bytes from caller ID), 300 open
    callbacks: far more rows than fit."""
    db, clock = ctx.db, ctx.clock
    user = auth.users(db, role="staff")[0]
    staff = Actor(user.name, user.id, "staff")
    now = clock.now()
    with write(db):
        for i in range(CALLS):
            at = (now - timedelta(minutes=25 * i)).isoformat()
            call_id = db.execute("INSERT INTO calls (started_at, detector) VALUES (?, 'at')", (at,)).lastrowid
            name = "诸葛孔明有限责任公司前台转接" * 3 if i % 7 == 0 else "ＬＩ　ＬＥＩ"
            db.execute("INSERT INTO call_events (call_id, at, kind, rings, outcome, source, number, name)"
                       " VALUES (?, ?, 'ended', 2, 'answered', 'offhook', ?, ?)", (call_id, at, f"1391234{i:04d}", name))
    for i in range(CALLBACKS):
        calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what=f"回电 {i}",
                         caller_number=f"1380013{i:04d}", needs_callback=True, callback_minutes=i - 100)


@app_test(kiosk_app_factory(lang="zh_CN", seed=_busy_week))
@pytest.mark.asyncio
async def test_a_busy_week_builds_only_the_rows_on_screen_and_a_call_touches_its_row(kivy_app, monkeypatch):
    app = kivy_app
    await sign_in_as(app, "staff")
    section = await open_section(app, "phone")
    await settle(app)
    calls, callbacks = section.ids.call_list, section.ids.callback_list
    assert len(calls.data) == 200 and len(callbacks.data) == 200, "the newest 200 of each are listed"
    built = [w for w in find_all(section, cls="CallRowView")]
    assert 3 <= len(built) <= 20, f"{len(built)} call rows built for {len(calls.data)} listed"
    assert len(find_all(section, cls="CallbackRowView")) <= 20
    assert section.callbacks_text == str(CALLBACKS) and section.overdue == 100
    shot(app, "phone_section_busy_zh.png")

    # A call rings and is answered: the lists are not read again, the figures once per batch of events.
    reads = {"open_callbacks": 0, "figures": 0, "calls_between": 0}
    for name in reads:
        real = getattr(calllog, name)

        @functools.wraps(real)   # app.desk.call reads the signature to fill db and clock
        def counted(*args, _real=real, _name=name, **kwargs):
            # the list's reads carry a limit; the figures read today's calls through calls_between too
            reads[_name + (" (list)" if "limit" in kwargs else "")] = reads.get(_name + (" (list)" if "limit" in kwargs else ""), 0) + 1
            return _real(*args, **kwargs)
        monkeypatch.setattr(calllog, name, counted)
    db, clock = app.ctx.db, app.ctx.clock
    base = {"t": 0.0, "call_no": 9, "rings": 1, "number": "13800000009", "name": "", "outcome": "", "source": "",
            "seconds_to_answer": None, "duration": None}
    app.ctx.bus.publish("call.started", **base, call_id=None)
    call_id = calllog.start_call(db, clock, "at")
    calllog.record_event(db, clock, call_id, CallEvent("ring", 0, 9, rings=1, number="13800000009"))
    app.ctx.bus.publish("call.answered", **(base | {"rings": 2}), call_id=call_id)
    calllog.record_event(db, clock, call_id, CallEvent("answered", 1, 9, rings=2, source="offhook",
                                                       seconds_to_answer=4.0, number="13800000009"))
    await app.async_sleep(0.5)
    await settle(app)
    assert reads["open_callbacks"] == 0, "a call event does not re-read the callbacks"
    assert reads["figures"] == 1, "the figures once for the batch of events"
    assert reads.get("calls_between (list)", 0) == 1, "the newest few calls once, for the one that just started"
    assert reads.get("open_callbacks (list)", 0) == 0
    top = calls.data[0]
    assert top["call_id"] == call_id and top["call"].number == "13800000009"
    assert len(calls.data) == 201, "the new call joined the list at the top, nothing else changed"
    # the call ends: only its row changes
    others = [row["call"] for row in calls.data[1:]]
    calllog.record_event(db, clock, call_id, CallEvent("ended", 60, 9, rings=2, outcome="answered", source="offhook",
                                                       seconds_to_answer=4.0, duration=60.0, number="13800000009"))
    app.ctx.bus.publish("call.ended", **(base | {"outcome": "answered"}), call_id=call_id)
    await app.async_sleep(0.5)
    await settle(app)
    assert calls.data[0]["call"].outcome == "answered" and [row["call"] for row in calls.data[1:]] == others
    assert reads.get("calls_between (list)", 0) == 1, "a known call's end reads only its own row"
    assert reads["open_callbacks"] == 0 and reads.get("open_callbacks (list)", 0) == 0
