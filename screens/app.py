"""The Kivy application: screen manager, language, signed-in user, idle timeouts, device status.

Visitor screens and staff screens live in one ScreenManager; `go()` is the only way between them
and refuses staff screens without a signed-in user.
"""
from __future__ import annotations

import logging
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import FadeTransition, ScreenManager

from kiosk.core import i18n
from kiosk.core import settings
from kiosk.core.context import Context
from kiosk.core.desk import Desk
from screens import sections
from screens.widgets.common import ManagerApproval, Toast

log = logging.getLogger(__name__)
KV_DIR = Path(__file__).resolve().parent
VISITOR_SCREENS = {"home"}  # plus every registered visitor flow


class Root(FloatLayout):
    """Screens underneath, overlays (call prompt, toasts) on top."""


class KioskApp(App):
    """The front-desk kiosk."""

    lang = StringProperty("zh_CN")
    user = ObjectProperty(None, allownone=True)
    visitor_mode = BooleanProperty(True)
    site_name = StringProperty("")
    phone_state = StringProperty("off")
    phone_detail = StringProperty("")
    printer_state = StringProperty("off")
    printer_detail = StringProperty("")
    printer_queued = NumericProperty(0)
    deny_alerts_unseen = NumericProperty(0)  # deny-list matches at the visitor screen not yet seen by staff
    clock_text = StringProperty("")

    def __init__(self, ctx: Context, *, demo: bool = False, start_hardware: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ctx = ctx
        self.desk = Desk(ctx)  # what screens call services through; follows app.user (on_user)
        self.demo = demo
        self.start_hardware = start_hardware
        self.title = "Front Desk Kiosk"
        self.lang = ctx.language.code
        self._last_activity = ctx.clock.monotonic()
        self.devices: dict = {}  # "phone" / "printer" handles, once started
        self._unsubscribe: list = []

    # --- building -----------------------------------------------------------------------------
    def build(self):
        from screens.fonts_setup import register_fonts
        register_fonts()
        for name in ("app.kv",):
            Builder.load_file(str(KV_DIR / name))
        from screens.home import HomeScreen

        root = Root()
        self.sm = ScreenManager(transition=FadeTransition(duration=0.12))
        self.sm.add_widget(HomeScreen(name="home"))  # the rest is built on first use (fast start)
        root.add_widget(self.sm)
        self.overlay_layer = FloatLayout(size_hint=(1, 1))
        root.add_widget(self.overlay_layer)
        self._toast = Toast()
        root.add_widget(self._toast)
        self._wire_events()
        from screens.widgets.keyboard_dock import KeyboardDock
        self.keyboard_dock = KeyboardDock(self)
        self.call_prompt = None  # built right after the first frame (start-up time)
        self.refresh_site_name()
        Window.bind(on_touch_down=self._touched, on_key_down=self._touched)
        Clock.schedule_interval(self._tick, 1.0)
        self._tick(0)
        return root

    def on_start(self) -> None:
        # The call prompt and the devices come after the first frame, so the home screen is not delayed.
        Clock.schedule_once(lambda dt: self._build_call_prompt(), 0)
        if self.start_hardware:
            Clock.schedule_once(lambda dt: self._start_hardware(), 0.5)
        Clock.schedule_once(self._housekeeping, 2)
        Clock.schedule_interval(self._housekeeping, 60)

    def _housekeeping(self, dt) -> None:
        """Automatic sign-out and the daily anonymisation of old visits (kiosk.visitors.housekeeping)."""
        from kiosk.visitors import housekeeping
        try:
            done = housekeeping.run_due(self.ctx.db, self.ctx.clock, self.ctx.config.get("site", "timezone"))
        except Exception:  # a busy database now is fine: the next minute tries again
            log.exception("housekeeping failed; retrying in a minute")
            return
        if done.signed_out or done.anonymised:
            log.info("housekeeping: %d signed out automatically, %s anonymised", done.signed_out, done.anonymised)

    def on_stop(self) -> None:
        self.keyboard_dock.hide()
        for handle in self.devices.values():
            try:
                handle.stop()
            except Exception:  # stopping must never keep the app from closing
                log.exception("stopping %r failed", handle)
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self.ctx.bus.set_delivery(lambda fn: None)

    def _build_call_prompt(self) -> None:
        from screens.phone.call_prompt import CallPrompt
        if self.call_prompt is None:
            self.call_prompt = CallPrompt(self)

    def _start_hardware(self) -> None:
        for kind, module, fn in (("phone", "hardware.phone.runtime", "start_phone"),
                                 ("printer", "hardware.printer.worker", "start_printer")):
            try:
                starter = getattr(__import__(module, fromlist=[fn]), fn)
                self.devices[kind] = starter(self.ctx)
            except Exception as exc:  # a broken device must not stop the desk; the status bar says so
                log.exception("could not start %s", module)
                self.ctx.bus.publish(f"{kind}.state", state="error", detail=str(exc))

    def _wire_events(self) -> None:
        """Worker threads publish on the bus; handlers always run here, on the main thread."""
        self.ctx.bus.set_delivery(lambda fn: Clock.schedule_once(lambda dt: fn(), 0))
        self._unsubscribe.append(self.ctx.bus.subscribe("phone.state", self._on_phone_state))
        self._unsubscribe.append(self.ctx.bus.subscribe("printer.state", self._on_printer_state))
        self._unsubscribe.append(self.ctx.bus.subscribe("visitor.deny_alert", self._on_deny_alert))

    def _on_deny_alert(self, event) -> None:
        self.deny_alerts_unseen += 1

    def _on_phone_state(self, event) -> None:
        self.phone_state = event.data.get("state", "error")
        self.phone_detail = str(event.data.get("detail", ""))

    def _on_printer_state(self, event) -> None:
        self.printer_state = event.data.get("state", "error")
        self.printer_detail = str(event.data.get("detail", ""))
        self.printer_queued = int(event.data.get("queued", 0))

    # --- language -----------------------------------------------------------------------------
    def tr(self, msgid: str, lang: str | None = None) -> str:
        """Translate for the screen; kv passes app.lang so text re-renders on a switch."""
        return i18n.gettext(msgid, lang or self.lang)

    def set_language(self, lang: str) -> None:
        """Switch every screen's language live."""
        self.ctx.language.set(lang)
        self.lang = lang
        self.refresh_site_name()

    def refresh_site_name(self) -> None:
        self.site_name = self.desk.visitor_call(settings.localized, "site_name", self.lang)

    # --- navigation ---------------------------------------------------------------------------
    def screen(self, name: str):
        """The login or desk screen, created on first use."""
        if not self.sm.has_screen(name):
            if name == "login":
                from screens.login import LoginScreen
                self.sm.add_widget(LoginScreen(name="login"))
            elif name == "desk":
                from screens.desk import DeskScreen
                self.sm.add_widget(DeskScreen(name="desk"))
        return self.sm.get_screen(name)

    def go(self, name: str) -> None:
        """Show a screen; staff screens need a signed-in user, manager sections a manager."""
        section = sections.find(name)
        is_visitor_screen = name in VISITOR_SCREENS or (section is not None and section in sections.VISITOR_FLOWS)
        if not is_visitor_screen and name != "login" and self.user is None:
            name, is_visitor_screen = "login", False
        if name == "desk" or (section is not None and section in sections.STAFF_SECTIONS):
            if section is not None and section.manager_only and not self.user.role == "manager":
                self.toast(self.tr("Managers only", self.lang))
                return
            self.visitor_mode = False
            desk = self.screen("desk")
            self.sm.current = "desk"
            if section is not None:
                desk.open_section(section)
            return
        self.keyboard_dock.hide()
        if section is not None and not self.sm.has_screen(name):
            self.sm.add_widget(section.load()(name=name))
        elif name == "login":
            self.screen("login")
        self.visitor_mode = is_visitor_screen
        self.sm.current = name

    def on_user(self, app, user) -> None:
        """Whoever sets the signed-in user (sign-in, sign-out, idle timeout), the desk follows."""
        if user is None:
            self.desk.sign_out()
        else:
            self.desk.sign_in(user)

    def sign_in(self, user) -> None:
        """A staff member or manager is now at the desk."""
        self.user = user
        self.visitor_mode = False
        self.screen("desk").rebuild_navigation()
        self.go("desk")

    def sign_out(self) -> None:
        """Back to the visitor home screen; nothing staff-only stays on screen."""
        self.user = None
        self.keyboard_dock.hide()
        if self.sm.has_screen("desk"):
            self.sm.get_screen("desk").clear_sections()
        self.go("home")

    def require_manager(self, callback, reason: str = "") -> None:
        """Ask a manager's PIN, then call callback(manager)."""
        ManagerApproval(callback, reason).open()

    def field_focused(self, field, focused: bool) -> None:
        """A form field gained or lost focus: staff screens get the on-screen keyboard."""
        self.keyboard_dock.field_focused(field, focused)

    # --- overlays and messages ----------------------------------------------------------------
    def show_overlay(self, widget) -> None:
        if widget.parent is None:
            self.overlay_layer.add_widget(widget)

    def hide_overlay(self, widget) -> None:
        if widget.parent is self.overlay_layer:
            self.overlay_layer.remove_widget(widget)

    def toast(self, text: str) -> None:
        self._toast.text = text
        self._toast.show()

    # --- idle timeouts ------------------------------------------------------------------------
    def _touched(self, *args) -> None:
        self._last_activity = self.ctx.clock.monotonic()

    def idle_seconds(self) -> float:
        return self.ctx.clock.monotonic() - self._last_activity

    def _tick(self, dt) -> None:
        from kiosk.core.clock import local_now
        self.clock_text = local_now(self.ctx.clock, self.ctx.config.get("site", "timezone")).strftime("%H:%M")
        idle = self.idle_seconds()
        ui = self.ctx.config.section("ui")
        if self.user is not None and idle >= ui["staff_idle_seconds"]:
            log.info("staff idle for %.0f s: signing out", idle)
            self.sign_out()
        elif self.user is None and self.sm.current != "home" and idle >= ui["visitor_idle_seconds"]:
            # Privacy: a half-filled visitor form is cleared and the home screen returns.
            screen = self.sm.current_screen
            if hasattr(screen, "reset"):
                screen.reset()
            self.go("home")
