"""The screens at the window's size (800×480 by default; KIOSK_TEST_WIDTH/KIOSK_TEST_HEIGHT=1024/600
or 1280/800 for the others): screenshots to look at, and what a finger and an eye need checked:
every desk section reachable in the navigation, touch targets ≥ 48 px, the counter's lists whole."""
from __future__ import annotations

import pytest
from kivy.core.window import Window

from tests.uikit import app_test, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as, visible_buttons


def box(w):
    x, y = w.to_window(*w.pos)
    return x, y, x + w.width, y + w.height


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_home_pin_pad_and_desk_sections_use_the_screen_they_have(kivy_app):
    app = kivy_app
    size = f"{Window.width}x{Window.height}"
    await settle(app)
    shot(app, f"size_home_{size}.png")
    for b in visible_buttons(app.sm.current_screen):
        assert b.height >= 47.5 and b.width >= 47.5, (b.text, b.size)
    app.go("login")
    await settle(app, 5)
    shot(app, f"size_login_{size}.png")
    await sign_in_as(app, "staff")
    desk = app.sm.get_screen("desk")
    nav = desk.ids.nav
    for b in nav.children:  # every section visible at once, none cut off (Reports at 1024x600)
        x0, y0, x1, y1 = box(b)
        assert y0 >= -0.5 and y1 <= Window.height + 0.5 and b.height >= 47.5, (b.text, box(b))
    for name in ("counter_day", "goods", "fees", "visitors"):
        if not any(b.section_name == name for b in nav.children):
            continue
        section = await open_section(app, name)
        await settle(app, 5)
        shot(app, f"size_{name}_{size}.png")
        if name == "counter_day":
            rows = find_all(section, cls="CountRow")
            assert rows
            scroll = rows[0].parent.parent
            sx0, sy0, sx1, sy1 = box(scroll)
            # the stock list shows whole rows: the box's height is a whole number of rows
            step = rows[0].height + rows[0].parent.spacing[1]
            visible = (sy1 - sy0 + rows[0].parent.spacing[1]) / step
            assert abs(visible - round(visible)) < 0.05 or visible >= len(rows), (visible, len(rows))
