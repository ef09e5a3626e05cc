"""The red "phone line not watched" strip: over every staff screen and the visitor screens alike.

Shown on "phone.alarm" (active) — the detector has been unplugged, reconnecting or deaf for more
than 10 s (hardware.phone.runtime.ALARM_AFTER) — with a sound repeated every 15 s until the line is
watched again. A slim strip at the top left: touches outside it pass through to the screen.
"""
from __future__ import annotations

import logging
import weakref
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

Builder.load_file(str(Path(__file__).with_name("line_alarm.kv")))
log = logging.getLogger(__name__)
REPEAT_SOUND = 15.0


class LineAlarm(FloatLayout):
    """The strip; `since` is the local time the line stopped being watched (HH:MM)."""

    active = BooleanProperty(False)
    since = StringProperty("")
    state = StringProperty("")

    def __init__(self, app, **kwargs) -> None:
        super().__init__(**kwargs)
        self._app = weakref.ref(app)
        self._sound = None
        self._repeat = None
        app._unsubscribe.append(app.ctx.bus.subscribe("phone.alarm", self._on_alarm))

    @property
    def app(self):
        return self._app()

    def on_touch_down(self, touch):
        return self.ids.strip.collide_point(*touch.pos) if self.active else False

    def _on_alarm(self, event) -> None:
        app = self.app
        if app is None:
            return
        if event.data.get("active"):
            self.state = str(event.data.get("state", ""))
            self.since = _local_hhmm(event.data.get("since", ""), app.ctx.config.get("site", "timezone"))
            self.active = True
            app.show_overlay(self)
            self._make_room(app, True)
            self._beep()
            if self._repeat is None:
                self._repeat = Clock.schedule_interval(lambda dt: self._beep(), REPEAT_SOUND)
        else:
            self.active = False
            self._make_room(app, False)
            if self._repeat is not None:
                self._repeat.cancel()
                self._repeat = None
            app.hide_overlay(self)

    @staticmethod
    def _make_room(app, active: bool) -> None:
        """The visitor-mode call banner shares the top left: while the strip shows, it sits below it."""
        prompt = getattr(app, "call_prompt", None)
        if prompt is not None:
            prompt.under_alarm = active

    def _beep(self) -> None:
        try:
            if self._sound is None:
                from kivy.core.audio import SoundLoader
                from screens.phone.call_prompt import alert_wav
                self._sound = SoundLoader.load(str(alert_wav()))
            if self._sound:
                self._sound.stop()
                self._sound.play()
        except Exception as exc:   # a box without sound still shows the strip
            log.warning("no sound for the line alarm: %s", exc)
            self._sound = False


def _local_hhmm(iso: str, tz_name: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz_name)).strftime("%H:%M")
    except (ValueError, TypeError, KeyError):
        return ""


def gap_text(app, gap, local_time) -> str:
    """A call-list row for a time the line was not watched, with its length ("14:02–14:05, 3 min")."""
    seconds = gap.seconds
    length = (app.tr("{n} s", app.lang).format(n=max(1, round(seconds))) if seconds < 60
              else app.tr("{n} min", app.lang).format(n=round(seconds / 60)))
    return app.tr("line not watched {start}–{end}, {length}", app.lang).format(
        start=local_time(app, gap.started_at), end=local_time(app, gap.ended_at), length=length)
