"""The host directory at the visitor screen caps its answer (five names): when more match, a translated
"type more" hint says so, and neither the hint nor anything else on screen names a host past the cap."""
from __future__ import annotations

import pytest

from kiosk.core.audit import SYSTEM
from kiosk.visitors import service as visitors
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, tap

HOSTS = [f"王{c} Wang" for c in "一二三四五六七九"]   # eight match "wang", five may be shown


def _seed(ctx):
    for name in HOSTS:
        visitors.add_host(ctx.db, ctx.clock, SYSTEM, name, "行政部")
    ctx.db.conn.commit()


def test_the_answer_says_capped_without_naming_more(db, clock):
    for name in HOSTS:
        visitors.add_host(db, clock, SYSTEM, name)
    answer = visitors.host_answer(db, "wang")
    assert len(answer.hosts) == 5 and answer.more
    assert set(h["name"] for h in answer.hosts) < set(HOSTS)
    exact = visitors.host_answer(db, "王九")
    assert [h["name"] for h in exact.hosts] == ["王九 Wang"] and not exact.more
    assert visitors.host_answer(db, "w") == visitors.HostAnswer([], False), "one letter: nothing, no hint"


def _labels(app) -> str:
    return " | ".join(str(getattr(w, "text", "")) for w in find_all(app.root, cls="Label") if w.opacity > 0)


@app_test(kiosk_app_factory(lang="zh_CN", seed=_seed))
@pytest.mark.asyncio
async def test_a_capped_answer_shows_the_hint_and_only_five_names(kivy_app):
    app = kivy_app
    await settle(app)
    await tap(app, find(app.root, text="访客登记"))
    flow = app.sm.current_screen
    flow.step("host")
    flow.ids.host_search.ids.input.text = "wang"
    await settle(app)
    shown = [b.text for b in flow.ids.host_results.children]
    assert len(shown) == 5
    assert flow.ids.host_more.text == "匹配的姓名较多：请再多输入几个字" and flow.ids.host_more.opacity == 1
    assert flow.ids.host_more.height > 0
    hidden = [h for h in HOSTS if h not in shown]
    assert hidden and not any(h in _labels(app) for h in hidden), "no name past the cap on screen"
    # narrowed: one answer, the hint goes
    flow.ids.host_search.ids.input.text = "王九"
    await settle(app)
    assert [b.text for b in flow.ids.host_results.children] == ["王九 Wang"]
    assert flow.ids.host_more.text == "" and flow.ids.host_more.opacity == 0
    # the next visitor starts without it
    flow.ids.host_search.ids.input.text = "wang"
    await settle(app)
    flow.reset()
    assert flow.host_more == ""
