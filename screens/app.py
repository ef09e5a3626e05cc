"""The Kivy application: screen manager, language, signed-in user, idle timeouts, device status.

Visitor screens and staff screens live in one ScreenManager; `go()` is the only way between them
and refuses staff screens without a signed-in user.

Threads: workers (phone, printer, background jobs) reach the UI only through the event bus, whose
delivery this app sets to hop to the main thread. Slow work (housekeeping, exports) is submitted to
`app.jobs`. An exception in a UI handler, a bus handler or a worker is logged with its traceback and
shown to staff as a translated message; the app stays up (screens/errors.py).
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
from screens.errors import DeskExceptionHandler, failure_text
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
    printer_attention = NumericProperty(0)  # held or unconfirmed print jobs
    printer_reason = StringProperty("")     # a msgid saying why the printer is in error
    deny_alerts_unseen = NumericProperty(0)  # deny-list matches at the visitor screen not yet seen by staff
    clock_text = StringProperty("")
    worker_alert = StringProperty("")        # the supervised worker that last died ("" when none)
    worker_alert_state = StringProperty("")  # "restarting", then "running" once it is back
    worker_restarts = NumericProperty(0)
    arrival_alert = StringProperty("")      # an expected visitor arrived: whom to fetch, on which extension
    use_kivy_settings = False               # Kivy's own panel (fullscreen, rotation, log level) is not for visitors

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
        self._jobs = None        # kiosk.core.jobs.BackgroundJobs, once something needed it
        self._unsubscribe: list = []
        self._exception_handler = DeskExceptionHandler(self.report_failure)

    # --- building -----------------------------------------------------------------------------
    def build(self):
        from kivy.base import ExceptionManager
        ExceptionManager.add_handler(self._exception_handler)
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
        self.duty_prompt = None  # the quiet complaints prompt, built when first needed
        self.refresh_site_name()
        Window.bind(on_touch_down=self._touched, on_key_down=self._touched)
        Clock.schedule_interval(self._tick, 1.0)
        self._tick(0)
        return root

    def on_start(self) -> None:
        # The call prompt and the devices come after the first frame has been drawn, so the home
        # screen never waits for them (importing the printer stack alone takes a second on a Pi);
        # the background jobs start on first use.
        Window.bind(on_flip=self._after_first_frame)
        Clock.schedule_once(self._housekeeping, 2)
        Clock.schedule_interval(self._housekeeping, 60)
        Clock.schedule_interval(self.check_duties, 30)

    def check_duties(self, dt=None) -> list:
        """The quiet complaints prompt (screens.complaints.duty_prompt): built on first use."""
        if self.user is None and self.duty_prompt is None:
            return []
        if self.duty_prompt is None:
            from screens.complaints.duty_prompt import DutyPrompt
            self.duty_prompt = DutyPrompt()
        return self.duty_prompt.check(self)

    def _after_first_frame(self, *args) -> None:
        Window.unbind(on_flip=self._after_first_frame)
        Clock.schedule_once(lambda dt: self._build_call_prompt(), 0)
        if self.start_hardware:
            Clock.schedule_once(lambda dt: self._start_hardware(), 0.3)

    @property
    def jobs(self):
        """The background worker (kiosk.core.jobs) for slow work; started on first use."""
        if self._jobs is None:
            from kiosk.core.jobs import BackgroundJobs
            self._jobs = BackgroundJobs(self.ctx.bus, on_thread_exit=self.ctx.close,
                                        monotonic=self.ctx.clock.monotonic).start()
        return self._jobs

    def _housekeeping(self, dt=None) -> int | None:
        """Queue automatic sign-out and the daily anonymisation of old visits (kiosk.visitors.housekeeping)
        on the background worker; never stacked: one already queued or running makes this a no-op."""
        ctx = self.ctx

        def job(progress):
            from kiosk.complaints import housekeeping as complaints_housekeeping
            from kiosk.visitors import housekeeping
            tz = ctx.config.get("site", "timezone")
            complaints_housekeeping.run_due(ctx.db, ctx.clock, tz)  # anonymise old complaints once a day
            return housekeeping.run_due(ctx.db, ctx.clock, tz)
        return self.jobs.submit("housekeeping", job, key="housekeeping")

    def _on_housekeeping_done(self, event) -> None:
        done = event.data["result"]
        if done.signed_out or done.anonymised:
            log.info("housekeeping: %d signed out automatically, %s anonymised", done.signed_out, done.anonymised)
        if done.signed_out and self.user is not None:
            self.toast(self.tr("{n} visitors signed out automatically", self.lang).format(n=done.signed_out))

    def on_stop(self) -> None:
        self.keyboard_dock.hide()
        if self.duty_prompt is not None:
            self.duty_prompt.later()  # off the window, which outlives the app in tests
        # First cut the workers off from the UI: what they publish while stopping would only wait in
        # Kivy's Clock, which never runs again (and keeps the app alive through its callbacks).
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self.ctx.bus.set_delivery(lambda fn: None)
        self.ctx.bus.set_error_handler(None)
        if self._jobs is not None:
            self._jobs.stop()
        if self.devices:
            from hardware import devices
            devices.stop_devices(self.devices)
        from kivy.base import ExceptionManager
        ExceptionManager.remove_handler(self._exception_handler)

    def _build_call_prompt(self) -> None:
        from screens.phone.call_prompt import CallPrompt
        from screens.phone.line_alarm import LineAlarm
        if self.call_prompt is None:
            self.call_prompt = CallPrompt(self)
            self.line_alarm = LineAlarm(self)   # "phone line not watched": every screen, both modes

    def _start_hardware(self) -> None:
        from hardware import devices  # after the first frame: the home screen does not wait for it
        self.devices.update(devices.start_devices(self.ctx))

    def _wire_events(self) -> None:
        """Worker threads publish on the bus; handlers always run here, on the main thread."""
        self.ctx.bus.set_delivery(lambda fn: Clock.schedule_once(lambda dt: fn(), 0))
        self.ctx.bus.set_error_handler(lambda kind, exc: self.report_failure(exc))
        for kind, handler in (("phone.state", self._on_phone_state), ("printer.state", self._on_printer_state),
                              ("visitor.deny_alert", self._on_deny_alert), ("worker.state", self._on_worker_state),
                              ("visitor.expected_arrived", self._on_expected_arrived),
                              ("housekeeping.finished", self._on_housekeeping_done)):
            self._unsubscribe.append(self.ctx.bus.subscribe(kind, handler))

    def _on_worker_state(self, event) -> None:
        """A supervised worker died (restarting) or came back (running after restarts): the status bar
        says so until staff tap it; staff at the desk also get a toast when one dies."""
        state, restarts = event.data.get("state"), int(event.data.get("restarts", 0))
        if state == "restarting" or (state == "running" and restarts and self.worker_alert == event.data["name"]):
            self.worker_alert, self.worker_alert_state = event.data["name"], state
            self.worker_restarts = restarts
            if state == "restarting" and self.user is not None:
                from screens.status import worker_text
                self.toast(worker_text(self, self.worker_alert, state, restarts, self.lang))

    def acknowledge_worker_alert(self) -> None:
        """Staff saw the alert (tapped it): the status bar clears it until the next death."""
        self.worker_alert, self.worker_alert_state, self.worker_restarts = "", "", 0

    def report_failure(self, exc: BaseException) -> None:
        """An exception nobody caught (UI handler, bus handler): staff see it translated; the log has it."""
        try:
            self.toast(failure_text(self, exc))
        except Exception:  # the error path must never raise into Kivy's loop
            log.exception("could not show the failure message")

    def _on_deny_alert(self, event) -> None:
        self.deny_alerts_unseen += 1

    def _on_expected_arrived(self, event) -> None:
        """An expected visitor signed in: the desk fetches the host (shown to staff only, never on the
        visitor's screen: the toast waits for the next sign-in when nobody is at the desk)."""
        host, extension = str(event.data.get("host", "")), str(event.data.get("extension", ""))
        text = self.tr("Expected visitor for {host} has arrived: call extension {extension}", self.lang)
        self.arrival_alert = text.replace("{host}", host).replace("{extension}", extension or "-")
        if self.user is not None:
            self.toast(self.arrival_alert)
            self.arrival_alert = ""

    def open_settings(self, *largs) -> bool:
        """F1 (a USB keyboard, or a scanner that sends it) opens Kivy's settings only for a signed-in
        manager; everywhere else the key does nothing."""
        if self.user is None or getattr(self.user, "role", "") != "manager":
            return False
        return super().open_settings(*largs)

    def _on_phone_state(self, event) -> None:
        self.phone_state = event.data.get("state", "error")
        self.phone_detail = str(event.data.get("detail", ""))

    def _on_printer_state(self, event) -> None:
        self.printer_state = event.data.get("state", "error")
        self.printer_detail = str(event.data.get("detail", ""))
        self.printer_queued = int(event.data.get("queued", 0))
        self.printer_attention = int(event.data.get("attention", 0))
        self.printer_reason = str(event.data.get("reason", ""))

    # --- language -----------------------------------------------------------------------------
    def tr(self, msgid: str, lang: str | None = None) -> str:
        """Translate for the screen; kv passes app.lang so text re-renders on a switch."""
        return i18n.gettext(msgid, lang or self.lang)

    def set_language(self, lang: str) -> None:
        """Switch every screen's language live."""
        self.ctx.language.set(lang)
        self.lang = lang
        self.refresh_site_name()

    def reset_visitor_language(self) -> None:
        """The next visitor starts in the site's language, whatever the last one chose."""
        default = self.ctx.config.get("site", "language")
        if self.lang != default:
            self.set_language(default)

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
        if self.arrival_alert:
            self.toast(self.arrival_alert)
            self.arrival_alert = ""

    def sign_out(self, reason: str = "tapped") -> None:
        """Back to the visitor home screen; nothing staff-only stays on screen: every popup and overlay
        is closed (their typed data goes with them), Kivy's settings panel too. Audited."""
        user = self.user
        if user is not None:
            from kiosk.core import auth
            try:
                self.desk.call(auth.sign_out, user, reason=reason)
            except Exception:  # the audit row must never keep staff data on screen
                log.exception("could not audit the sign-out")
        self.close_everything()
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

    def close_everything(self) -> None:
        """Dismiss every popup (ModalView) and remove every overlay: nothing typed survives a sign-out."""
        from kivy.uix.modalview import ModalView
        self.close_settings()
        for widget in list(Window.children):
            if isinstance(widget, ModalView):
                widget.dismiss(animation=False)
                if widget.parent is not None:
                    Window.remove_widget(widget)
        layer = getattr(self, "overlay_layer", None)
        if layer is not None:
            for widget in list(layer.children):
                if widget is not getattr(self, "_toast", None):
                    layer.remove_widget(widget)

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
            self.sign_out("idle")
        elif self.user is None and self.sm.current != "home" and idle >= ui["visitor_idle_seconds"]:
            # Privacy: a half-filled visitor form is cleared and the home screen returns.
            screen = self.sm.current_screen
            if hasattr(screen, "reset"):
                screen.reset()
            self.close_everything()
            self.reset_visitor_language()
            self.go("home")
