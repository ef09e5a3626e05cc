"""An app that stops while something still fades (a popup closing, a toast) is released at once: Kivy
keeps running animations in one process-wide set, so a fade cut off by the stop used to keep the whole
app, its desk and its database alive (CI's "failed to release app" after the PIN-change test)."""
from __future__ import annotations

import pytest

from screens.accounts_section import NEW_PIN, PinEntry
from screens.widgets.common import Toast
from tests.uikit import app_test, kiosk_app_factory, settle, sign_in_as


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_an_app_stopped_while_a_popup_closes_and_a_toast_fades(kivy_app):
    from kivy.animation import Animation
    app = kivy_app
    await sign_in_as(app, "staff")
    entry = PinEntry(NEW_PIN, lambda pins: app.title)   # its callback holds the app, as the real ones do
    entry._anim_duration = 60                             # still closing when the test ends
    entry.open(animation=False)   # fully shown: only the closing fade runs (an opening fade racing it
    await settle(app, 3)          # on a loaded box could end the popup at once)
    toast = Toast(text="…")
    app.root.add_widget(toast)
    Animation(opacity=0, duration=60).start(toast)
    entry.dismiss()
    await settle(app, 1)
    assert entry._is_open and Animation._instances, (  # both fades are still running at the stop
        entry._anim_alpha, app.user, app.sm.current)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_the_next_app_finds_the_stopped_one_released(kivy_app):
    """Kivy's fixture asserted at this test's setup that the previous app is garbage; here the fades it
    left are gone too."""
    from kivy.animation import Animation
    await settle(kivy_app, 1)
    assert not [a for a in Animation._instances if any(
        isinstance(info, dict) and isinstance(info.get("widget"), PinEntry) for info in a._widgets.values())]
