"""The daily export's phone parts: the line-gaps log (local times, length, words in both languages) and
callback results stored as codes and exported in words; the summary says what the figures rest on."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from kiosk.core import i18n
from kiosk.core.audit import Actor
from kiosk.phone import calllog
from kiosk.reports import logs
from kiosk.reports.export import collect
from kiosk.reports.summary import build, tiles

STAFF = Actor("Li Na", None, "staff")


def rows(db, log, day: date, lang: str = "zh_CN"):
    start = datetime(day.year, day.month, day.day, tzinfo=timezone(timedelta(hours=8)))
    [data] = collect(db, [log], start, start + timedelta(days=1), "Asia/Shanghai", lang)
    keys = [c.key for c in (data.columns or log.columns)]  # a code column is followed by its raw code
    return [dict(zip(keys, r)) for r in data.rows]


def test_every_gap_is_in_the_export_with_local_times_and_its_length(db, clock):
    now = clock.now()
    calllog.record_gap(db, now - timedelta(seconds=3), now, "reconnecting", "lost /dev/ttyUSB0", "at")
    calllog.record_gap(db, now + timedelta(minutes=1), now + timedelta(minutes=4, seconds=0.4), "deaf",
                       "no answer to AT =cmd|' /C calc'!A0 \x07", "at")
    day = now.astimezone(timezone(timedelta(hours=8))).date()
    got = rows(db, logs.LINE_GAPS, day)
    assert [r["seconds"] for r in got] == [3, 180]
    first = got[0]
    local = (now - timedelta(seconds=3)).astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None)
    assert first["started_at"] == local.replace(microsecond=first["started_at"].microsecond)
    assert (first["state"], first["state_code"]) == ("检测器已拔出或正在重连", "reconnecting")
    assert got[1]["state"] == "检测器无响应"
    assert rows(db, logs.LINE_GAPS, day, "en")[1]["state"] == "Detector not answering"
    assert "\x07" not in got[1]["detail"], "control bytes never reach the log"
    assert logs.LINE_GAPS in logs.split_available(db)[0]


def test_callback_results_are_codes_and_export_in_both_languages(db, clock):
    notes = []
    for result in ("reached", "No answer", "plumber booked for 14:00", ""):
        note = calllog.add_note(db, clock, STAFF, call_id=None, category="inquiry", what="parking",
                                caller_number="13800138000", needs_callback=True)
        calllog.complete_callback(db, clock, STAFF, note, result)
        notes.append(note)
    stored = [r[0] for r in db.execute("SELECT result FROM callbacks_done ORDER BY id")]
    assert stored == ["reached", "no_answer", "plumber booked for 14:00", ""], "the screen's English is stored as a code"
    day = clock.now().astimezone(timezone(timedelta(hours=8))).date()
    got = rows(db, logs.CALL_NOTES, day, "en")
    assert [r["callback_result"] for r in got][:3] == ["Reached the caller", "No answer", "plumber booked for 14:00"]
    assert not got[3]["callback_result"]
    got = rows(db, logs.CALL_NOTES, day)
    assert [r["callback_result"] for r in got][:3] == ["已联系到来电人", "无人接听", "plumber booked for 14:00"]
    assert [r["callback_result_code"] for r in got][:2] == ["reached", "no_answer"]
    assert calllog.callback_result_msgid("no_answer") == "No answer"
    assert calllog.callback_result_msgid("No answer") == "No answer"
    assert calllog.callback_result_msgid("已回电") == "已回电"


def test_the_exports_chinese_words_are_the_catalogues():
    from kiosk.reports import codes
    for code, msgid in calllog.CALLBACK_RESULTS.items():
        assert codes.label("callback_result", code, "zh_CN") == i18n.gettext(msgid, "zh_CN") != msgid


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_days_summary_says_what_the_phone_figures_rest_on(db, clock, lang):
    from kiosk.phone.tracker import CallEvent
    call_id = calllog.start_call(db, clock, "at")
    calllog.record_event(db, clock, call_id, CallEvent("ended", 0, 1, rings=3, outcome="unknown", source="heuristic"))
    calllog.record_gap(db, clock.now() - timedelta(seconds=4), clock.now(), "reconnecting", "", "at")
    day = clock.now().astimezone(timezone(timedelta(hours=8))).date()
    shown = dict(tiles(build(db, clock, day, day, "Asia/Shanghai"), lang))
    if lang == "en":
        assert shown["Calls with unknown outcome"] == "1"
        assert shown["Phone line not watched"] == "line not watched for 0.1 min (gaps: 1)"
    else:
        assert shown["结果未知的来电"] == "1" and shown["电话线路未监听"] == "线路共有 1 段无人监听，合计 0.1 分钟"
