"""The manager edits the complaint register's deadlines and the reorder par level on the settings screen
(in Chinese, then live in English): bad values are refused beside their field, nothing is half-saved,
and a complaint taken afterwards runs on the new deadlines."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.complaints import rules, service
from kiosk.core import auth, settings
from kiosk.core.clock import parse_iso
from tests.uikit import app_test, find, kiosk_app_factory, open_section, settle, shot, sign_in_as, tap

SH = ZoneInfo("Asia/Shanghai")


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_manager_edits_complaint_deadlines_and_par_level(kivy_app):
    app = kivy_app
    db, clock = app.ctx.db, app.ctx.clock
    await sign_in_as(app, "manager")
    section = await open_section(app, "settings")
    boxes = section.rule_inputs
    assert boxes["start_minutes"].text == "10" and boxes["assisted_callback_share"].text == "30"
    assert section.ids.reorder_par_percent.text == "200"
    assert section.rule_fields["start_minutes"].caption == app.tr(rules.RULE_CAPTIONS["start_minutes"], "zh_CN")
    for box in boxes.values():
        assert box.height >= 47.5
    from tests.uikit import find_all
    [scroll] = find_all(section, cls="TouchScroll")
    scroll.scroll_y = 0  # the rules are at the bottom of the settings
    await settle(app)
    shot(app, "settings_complaint_rules_zh.png")
    # Hostile values: full-width digits, control bytes, a day that ends before it starts, a warning longer
    # than the deadline it warns about. Each is refused beside its own field, and nothing is written.
    before = settings.get(db, "complaint_rules")
    for key, bad in (("start_minutes", "１０"), ("start_minutes", "1\x1b0"), ("work_end", "08:00"),
                     ("warn_start_minutes", "10"), ("assisted_callback_share", "101"), ("work_start", "9点")):
        good = boxes[key].text
        boxes[key].text = bad
        section.ids.site_name_zh_CN.text = "不应保存的名字"
        await tap(app, find(section, text="保存设置"))
        assert section.error and boxes[key].error, (key, bad, section.error)
        assert settings.get(db, "complaint_rules") == before
        assert settings.localized(db, "site_name", "zh_CN") != "不应保存的名字"
        if key == "work_end":
            shot(app, "settings_complaint_rules_refused_zh.png")
        boxes[key].text = good
    section.ids.site_name_zh_CN.text = settings.localized(db, "site_name", "zh_CN")
    section.ids.reorder_par_percent.text = "5000"
    await tap(app, find(section, text="保存设置"))
    assert section.ids.reorder_par_percent.error and settings.get(db, "reorder_par_percent") == 200
    # Good values: a 30-minute start, 45% of assisted complaints called back, reorder up to 150 %.
    section.ids.reorder_par_percent.text = "150"
    boxes["start_minutes"].text = "30"
    boxes["assisted_callback_share"].text = "45"
    await tap(app, find(section, text="保存设置"))
    assert not section.error, section.error
    assert settings.get(db, "reorder_par_percent") == 150
    loaded = rules.load(db)
    assert (loaded["start_minutes"], loaded["assisted_callback_share"]) == (30, 0.45)
    assert any(row["action"] == "setting.change" and row["record_id"] == "complaint_rules"
               for row in db.query("SELECT action, record_id FROM audit"))
    staff = auth.users(db, role="staff")[0]
    taken = clock.now()  # Monday 23 Nov 2026, 09:00 in Shanghai: a working day
    cid = service.take(db, clock, staff.actor(), "Asia/Shanghai", kind="complaint", category="noise",
                       responsibility="company", what="电梯噪音")
    assert (parse_iso(service.get(db, cid).start_due) - taken).total_seconds() == 30 * 60
    # Live switch: the rules' captions follow the language.
    app.set_language("en")
    await settle(app)
    assert section.rule_fields["start_minutes"].caption == rules.RULE_CAPTIONS["start_minutes"]
    assert "已保存" not in section.message  # nothing left over in the other language
    section.load()
    assert boxes["start_minutes"].text == "30"
    shot(app, "settings_complaint_rules_en.png")


def test_rules_check_bounds_and_contradictions():
    texts = {k: str(v) for k, v in rules.DEFAULT_RULES.items()}
    texts["assisted_callback_share"] = "30"
    assert rules.check_rules(texts)["assisted_callback_share"] == 0.30
    round_the_clock = dict(texts, work_start="00:00", work_end="23:59")
    assert rules.check_rules(round_the_clock)["work_end"] == "23:59"
    for key, bad in (("work_start", "24:00"), ("work_end", ""), ("general_resolve_minutes", "5"),
                     ("request_start_minutes", "481"), ("report_due_day", "31"), ("same_topic_count", "-5"),
                     ("soon_minutes", "9" * 400), ("major_resolve_days", "٣")):
        with pytest.raises(settings.SettingError) as refused:
            rules.check_rules(dict(texts, **{key: bad}))
        assert refused.value.field.startswith("complaint_rules."), (key, bad)
    short_day = dict(texts, work_start="09:00", work_end="12:00", request_start_minutes="200")
    with pytest.raises(settings.SettingError) as refused:  # a request's start must fit in one working day
        rules.check_rules(short_day)
    assert refused.value.field == "complaint_rules.request_start_minutes"
