"""Custody details, stored as English record text, are read back as a msgid and values for the screen's
language; text no pattern knows (old rows, imports) is shown as it is, never lost."""
from __future__ import annotations

import pytest

from kiosk.core.i18n import gettext
from kiosk.lostfound.service import detail_message


@pytest.mark.parametrize("event, zh", [
    ({"status": "held", "detail": "stored at 前台柜 A1"}, "存放于 前台柜 A1"),
    ({"status": "claimed", "detail": "claim 12 by 王小明😀"}, "由 王小明😀 认领（认领记录 12）"),
    ({"status": "handed_over", "detail": "handover 3 to 行政部 李四"}, "移交给 行政部 李四（移交单 3）"),
    ({"status": "disposed", "detail": "donated, authorised by 张经理"}, "捐赠，批准人 张经理"),
    ({"status": "disposed", "detail": "destroyed, authorised by 张经理"}, "销毁，批准人 张经理"),
    ({"status": "amended", "field": "storage", "before": "A1", "after": "B2\n柜", "reason": "搬柜"},
     "存放位置：A1 → B2\n柜（搬柜）"),
])
def test_known_details_translate(event, zh):
    msgid, values = detail_message(event)
    from kiosk.lostfound.service import TRANSLATED_VALUES
    for key in TRANSLATED_VALUES:
        if key in values:
            values[key] = gettext(values[key], "zh_CN")
    assert gettext(msgid, "zh_CN").format(**values) == zh


@pytest.mark.parametrize("event", [{"status": "held", "detail": "legacy free text {x}"},
                                   {"status": "claimed", "detail": "stored at somewhere"},  # wrong status
                                   {"status": "held", "detail": ""}, {"status": "held"}])
def test_unknown_details_are_shown_as_they_are(event):
    assert detail_message(event) == ("{text}", {"text": event.get("detail") or ""})
