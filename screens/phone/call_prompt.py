"""The three-ring prompt: over whatever screen is open, or a slim staff banner in visitor mode.

Shown on "call.prompt", hidden when the call is answered (off-hook or by staff) or ends. The
buttons feed back through the bus ("call.staff_answered"), never into hardware directly.
"""
from __future__ import annotations

import logging
import math
import struct
import wave
import weakref
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from kiosk.core import settings
from kiosk.phone.apology import Apology, apology_for

Builder.load_file(str(Path(__file__).with_name("call_prompt.kv")))
log = logging.getLogger(__name__)


class CallPrompt(FloatLayout):
    """The overlay; `banner` switches to the slim form that leaves a visitor's form alone."""

    rings = NumericProperty(0)
    number = StringProperty("")
    caller = StringProperty("")
    greeting = StringProperty("")
    apology = StringProperty("")
    banner = BooleanProperty(False)
    times = NumericProperty(0)      # earlier calls from this number
    last = StringProperty("")       # when the last of them started (local, for the screen)
    who = StringProperty("")  # the caller's name and number: for signed-in staff only (privacy)
    under_alarm = BooleanProperty(False)  # the red "line not watched" strip holds the top: the banner goes below it

    def __init__(self, app, **kwargs) -> None:
        super().__init__(**kwargs)
        # No strong reference from a widget to the app: Kivy's touch post-processors keep recent
        # touches (and the widgets they touched) alive for a while, which would keep the app alive.
        self._app = weakref.ref(app)
        self.call_no: int | None = None
        self.call_id: int | None = None   # the call's row, once the log has it (a late PIN confirms by it)
        self.dismissed: set[int] = set()   # calls signed-in staff said "Not now" to: no more prompts
        self._snoozed: int | None = None     # a call whose banner a visitor cleared: back on its next ring
        self._sound = None
        self._heard: dict[int, dict] = {}
        for kind in ("prompt", "ring", "answered", "ended", "callerid", "started"):
            app._unsubscribe.append(app.ctx.bus.subscribe(f"call.{kind}", getattr(self, f"_on_{kind}")))
        # Bound methods: Kivy holds them weakly, so the app can be released when it stops.
        app.bind(visitor_mode=self._on_visitor_mode, lang=self._on_lang, user=self._on_user)

    def _on_visitor_mode(self, app, value) -> None:
        self.banner = value

    def _on_lang(self, app, value) -> None:
        self._texts()

    def _on_user(self, app, value) -> None:
        self._texts()

    def on_touch_down(self, touch):
        handled = super().on_touch_down(touch)
        # The full prompt is modal; the banner lets every touch outside itself through.
        return handled or not self.banner

    @property
    def app(self):
        return self._app()

    # --- bus events (main thread) -------------------------------------------------------------------
    def _on_prompt(self, event) -> None:
        if event.data["call_no"] in self.dismissed:
            return
        self.call_no = event.data["call_no"]
        self.call_id = None
        self.number, self.caller, self.times, self.last = "", "", 0, ""   # nothing from an earlier call
        self._update({**self._heard.get(self.call_no, {}), **{k: v for k, v in event.data.items() if v}})
        self.banner = self.app.visitor_mode
        self.app.show_overlay(self)
        self._beep()

    def _on_ring(self, event) -> None:
        if event.data["call_no"] != self.call_no:
            return
        if self.parent is None and self._snoozed == self.call_no:
            self._snoozed = None   # the call rings on: the staff alert is back, whoever cleared it
            self.banner = self.app.visitor_mode
            self.app.show_overlay(self)
        if self.parent is not None:
            self._update(event.data)
            self._beep()

    def _on_callerid(self, event) -> None:
        # Remembered per call: caller ID and the caller's history usually come before the prompt.
        self._heard[event.data["call_no"]] = dict(event.data)
        while len(self._heard) > 20:
            self._heard.pop(next(iter(self._heard)))
        if event.data["call_no"] == self.call_no:
            self._update(event.data)

    def _on_started(self, event) -> None:
        if event.data.get("number") or event.data.get("name"):
            self._on_callerid(event)

    def _on_answered(self, event) -> None:
        if event.data["call_no"] == self.call_no:
            self.hide()

    _on_ended = _on_answered

    # --- buttons ------------------------------------------------------------------------------------
    def answered(self) -> None:
        """Staff picked up: the tracker records it (source 'staff' when the line cannot tell), with who.
        Never from the visitor banner: with nobody signed in, a visitor cannot set an outcome."""
        user = self.app.user
        if self.app.visitor_mode or user is None:
            return
        self.app.ctx.bus.publish("call.staff_answered", call_no=self.call_no, call_id=self.call_id,
                                 actor=user.name, actor_id=user.id, actor_role=user.role)
        self.hide()

    def staff_pin(self):
        """The visitor banner's "Answered (staff PIN)": a staff member proves who they are first
        (screens.phone.staff_pin); the caller's details are never shown there."""
        from screens.phone.staff_pin import StaffAnswerPin
        pin = StaffAnswerPin(self, self.call_no, self.call_id)
        pin.open()
        return pin

    def answered_by_pin(self, call_no: int | None) -> None:
        """A staff PIN marked this call answered from the visitor banner: the banner goes."""
        if call_no == self.call_no:
            self.hide()

    def not_now(self) -> None:
        """Signed-in staff silence this call's prompt. Anyone else (a visitor at the banner) only clears
        it until the next ring: the staff's one alert that the phone rings cannot be switched off."""
        self.hide()
        if self.call_no is not None:
            if self.app.user is not None and not self.app.visitor_mode:
                self.dismissed.add(self.call_no)
            else:
                self._snoozed = self.call_no

    def hide(self) -> None:
        self._snoozed = None   # answered, ended or silenced by staff: no ring brings it back
        self.app.hide_overlay(self)

    # --- texts ----------------------------------------------------------------------------------------
    def _update(self, data: dict) -> None:
        if data.get("call_id") is not None and data.get("call_no") == self.call_no:
            self.call_id = data["call_id"]
        self.rings = data.get("rings", self.rings)
        self.number = data.get("number") or self.number
        self.caller = data.get("name") or self.caller
        if "times" in data:
            self.times = int(data.get("times") or 0)
            self.last = _local(data.get("last") or "", self.app.ctx.config.get("site", "timezone"))
        self._texts()

    def _texts(self) -> None:
        app = self.app
        if app.user is None:  # over the PIN pad or a visitor screen: that a call rings, never who calls
            self.who = app.tr("Incoming call", app.lang)
        else:
            self.who = (self.caller + "  " if self.caller else "") + (self.number or app.tr("Unknown caller", app.lang))
        desk = app.desk  # the prompt also shows in visitor mode, with nobody signed in
        site = desk.visitor_call(settings.localized, "site_name", app.lang)
        self.greeting = desk.visitor_call(settings.localized, "greeting", app.lang).replace("{site}", site)
        phone = app.ctx.config.section("phone")
        mandatory = phone["apology_mandatory_rings"]
        sorry = desk.visitor_call(settings.localized, "apology", app.lang)
        owed = apology_for(int(self.rings), rings_before_prompt=phone["rings_before_prompt"],
                           mandatory_rings=mandatory)
        if owed is Apology.MANDATORY:
            lead = app.tr("Apologise first (mandatory from ring {n} on):", app.lang).format(n=mandatory)
        elif owed is Apology.OPTIONAL:
            lead = app.tr("Late answer: start with an apology:", app.lang)
        else:  # the prompt only shows once the call is late, so picking up now still owes the apology
            lead = app.tr("Pick up now and start with an apology:", app.lang)
        self.apology = lead + " " + sorry

    def _beep(self) -> None:
        """An audible alert; a box without sound still shows the prompt."""
        try:
            if self._sound is None:
                from kivy.core.audio import SoundLoader
                self._sound = SoundLoader.load(str(alert_wav()))
            if self._sound is not None:
                self._sound.stop()
                self._sound.play()
        except Exception as exc:
            log.warning("no sound for the call prompt: %s", exc)
            self._sound = False


def _local(iso: str, tz_name: str) -> str:
    """A stored UTC time as the site's 'MM-DD HH:MM'."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    try:
        return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz_name)).strftime("%m-%d %H:%M")
    except (ValueError, TypeError, KeyError):
        return ""


def alert_wav() -> Path:
    """Two short tones, written once into the state folder."""
    from kiosk.core.paths import state_dir
    path = state_dir() / "call-alert.wav"
    if not path.exists():
        rate = 16000
        frames = bytearray()
        for freq, seconds in ((880, 0.18), (0, 0.08), (1175, 0.22)):
            for i in range(int(rate * seconds)):
                value = int(12000 * math.sin(2 * math.pi * freq * i / rate)) if freq else 0
                frames += struct.pack("<h", value)
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(bytes(frames))
    return path
