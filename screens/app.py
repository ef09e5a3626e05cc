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
import time
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import FadeTransition, ScreenManager

from kiosk.core import gcpolicy
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
    drill_active = BooleanProperty(False)  # a roll call is open on the visitors screen: no idle sign-out
    site_name = StringProperty("")
    phone_state = StringProperty("off")
    phone_detail = StringProperty("")
    printer_state = StringProperty("off")
    printer_detail = StringProperty("")
    printer_queued = NumericProperty(0)
    printer_attention = NumericProperty(0)  # held or unconfirmed print jobs
    printer_reason = StringProperty("")     # a msgid saying why the printer is in error
    deny_alerts_unseen = NumericProperty(0)  # deny-list matches at the visitor screen not yet seen by staff
    duties_waiting = NumericProperty(0)      # complaint deadlines about to be missed, told to the home screen as a count
    clock_text = StringProperty("")
    worker_alert = StringProperty("")        # the supervised worker that last died ("" when none)
    worker_alert_state = StringProperty("")  # "restarting", then "running" once it is back
    worker_restarts = NumericProperty(0)
    arrival_alert = StringProperty("")      # an expected visitor arrived: whom to fetch, on which extension
    db_problem = StringProperty("")         # what the start-up quick check found ("" when sound)
    storage_fault = ObjectProperty(None, allownone=True)  # the StorageFault the fault screen shows (None: desk)
    storage_retry_seconds = NumericProperty(5.0)           # how often the fault screen tries the database again
    use_kivy_settings = False               # Kivy's own panel (fullscreen, rotation, log level) is not for visitors

    def __init__(self, ctx: Context, *, demo: bool = False, start_hardware: bool = True, prewarm: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.prewarm = prewarm   # build section screens ahead on idle moments (screens/section_pool.py)
        self.ctx = ctx
        self.desk = Desk(ctx)  # what screens call services through; follows app.user (on_user)
        self.desk.on_session_ended = self._session_ended
        self.demo = demo
        self.start_hardware = start_hardware
        self.title = "Front Desk Kiosk"
        self.lang = ctx.language.code
        self._last_activity = ctx.clock.monotonic()
        self.devices: dict = {}  # "phone" / "printer" handles, once started
        self._jobs = None        # kiosk.core.jobs.BackgroundJobs, once something needed it
        self.call_prompt = self.duty_prompt = self.keyboard_dock = None  # built with the desk (not on the fault screen)
        self._printer_count_event, self._printer_queued_next = None, 0   # see _on_printer_state
        self._housekeeping_jobs = None  # its own worker: a retention catch-up never queues an export behind it
        self._collected_on = None    # the local day of the last nightly full collection (kiosk.core.gcpolicy)
        self.retention_state = None  # the last housekeeping run's kiosk.core.retention.Status (the settings screen)
        self._unsubscribe: list = []
        self._exception_handler = DeskExceptionHandler(self.report_failure)
        from kiosk.core.notify import Notifier
        self.notifier = Notifier()  # sd_notify to systemd; a no-op without $NOTIFY_SOCKET

    # --- building -----------------------------------------------------------------------------
    def build(self):
        from kivy.base import ExceptionManager
        ExceptionManager.add_handler(self._exception_handler)
        from screens.fonts_setup import register_fonts
        register_fonts()
        for name in ("app.kv",):
            # Once per process: a second load applies its rules twice (two language switches, doubled
            # buttons), as when an app is built again in the same process.
            if str(KV_DIR / name) not in Builder.files:
                Builder.load_file(str(KV_DIR / name))
        self.storage_fault = self._storage_problem()
        if self.storage_fault is not None:
            return self._build_fault_view()
        return self._build_desk()

    # --- a database that cannot be used -------------------------------------------------------
    def _storage_problem(self):
        """The storage fault that keeps the desk from working (kiosk.core.storage.StorageFault), or None.

        Opening is not enough: a WAL database whose -wal and -shm exist opens on a full disk or a
        read-only folder without writing a byte, and the first visitor's form would be the one to fail."""
        import sqlite3

        from kiosk.core import storage
        try:
            self.ctx.db  # noqa: B018  (this thread's connection: opening, migrating, mirroring the config)
            fault = None if str(self.ctx.db_path) == ":memory:" else storage.write_fault(self.ctx.db_path)
        except (storage.StorageFault, sqlite3.Error, OSError) as exc:
            fault = storage.classify(exc, self.ctx.db_path)
            if fault is None:
                raise
        if fault is not None:
            self.ctx.close()  # a half-usable connection is not kept: the next try opens afresh
            log.error("storage fault at start-up: %s", fault)
        return fault

    def on_site_while_faulty(self) -> int | None:
        """How many people are in the building, read read-only from a database that cannot be written
        (full or read-only card); None when it cannot be read either. A count only: the fault screen is
        in front of visitors, and nobody's name is shown to them (the list: kiosk visitors onsite)."""
        import sqlite3

        from kiosk.core import db as db_mod
        from kiosk.core import storage
        from kiosk.visitors import service as visitors
        try:
            database = db_mod.connect(self.ctx.db_path, create=False, read_only=True)
        except (storage.StorageFault, sqlite3.Error, OSError):
            return None
        try:
            return visitors.on_site_count(database)
        except sqlite3.Error:
            return None
        finally:
            database.close()

    def _on_site_text(self) -> str:
        count = self.on_site_while_faulty()
        return "" if count is None else str(count)

    def _build_fault_view(self):
        """The whole window says what is wrong with which file and what to do, and keeps trying."""
        from screens.storage_fault import StorageFaultView
        self._fault_view = StorageFaultView(fault=self.storage_fault, people_on_site=self._on_site_text())
        self._retry_event = Clock.schedule_interval(self.retry_storage, self.storage_retry_seconds)
        return self._fault_view

    def retry_storage(self, dt=None) -> bool:
        """One more try at the database (every storage_retry_seconds, or the button). When it works, the
        desk replaces the fault screen, as if the app had just started. Returns whether to keep trying."""
        if self.storage_fault is None:
            return False
        from kiosk.core.clock import local_now
        fault = self._storage_problem()
        self._fault_view.last_try = local_now(self.ctx.clock, self.ctx.config.get("site", "timezone")).strftime("%H:%M:%S")
        if fault is not None:
            self.storage_fault = self._fault_view.fault = fault  # it may have changed (full, then read-only)
            self._fault_view.people_on_site = self._on_site_text()
            return True
        log.info("the database at %s can be used again: opening the desk", self.ctx.db_path)
        self._retry_event.cancel()
        self.storage_fault = None
        root = self._build_desk()
        Window.remove_widget(self._fault_view)
        self._fault_view = None
        self.root = root
        Window.add_widget(root)
        self._start_desk()
        Clock.schedule_once(lambda dt: self._desk_after_first_frame(), 0)
        return False

    def _build_desk(self):
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
        from screens.section_pool import SectionPool
        self.section_pool = SectionPool(self)  # section screens built ahead on idle moments (issue 18)
        self.duty_prompt = None  # the quiet complaints prompt, built when first needed
        self.refresh_site_name()
        Window.bind(on_touch_down=self._touched, on_key_down=self._touched)
        # Escape (a USB keyboard, a scanner's stray code) must never close the kiosk, whatever Kivy's
        # exit_on_escape says in the config file in use: only the service stops it.
        Window.bind(on_request_close=self._refuse_keyboard_close)
        Clock.schedule_interval(self._tick, 1.0)
        self._tick(0)
        return root

    def on_start(self) -> None:
        # The call prompt and the devices come after the first frame has been drawn, so the home
        # screen never waits for them (importing the printer stack alone takes a second on a Pi);
        # the background jobs start on first use.
        Window.bind(on_flip=self._after_first_frame)
        self._start_watchdog()
        if self.storage_fault is None:
            self._start_desk()

    def _start_desk(self) -> None:
        """The desk's timers (housekeeping, export warm-up, duties): not while the database is unusable."""
        Clock.schedule_once(self._housekeeping, 2)
        Clock.schedule_interval(self._housekeeping, 60)
        Clock.schedule_interval(self.check_duties, 30)

    def check_duties(self, dt=None) -> int | None:
        """Queue the check behind the quiet complaints prompt on the background worker (it reads every open
        complaint: never on the UI thread); the answer comes back as "duties.finished" on the bus. Returns
        the job's number, None when a check is already queued. It runs with nobody signed in too: the home
        screen then says how many deadlines need staff (a count only, nothing about a customer)."""
        if (self.user is None or self.visitor_mode) and self.duty_prompt is not None:
            self.duty_prompt.hide()
        ctx = self.ctx

        def job(progress):
            import sqlite3
            from kiosk.reports import duties
            try:
                return duties.check(ctx.db, ctx.clock)
            except sqlite3.OperationalError as exc:  # busy or locked: the next check, 30 s on, will see
                log.warning("duty check skipped: %s", exc)
                return None
        return self.jobs.submit("duties", job, key="duties")

    def _on_duties_checked(self, event) -> None:
        """The background check's answer, here on the main thread: show or hide the quiet prompt."""
        result = event.data.get("result")
        if result is None:
            return
        due = result.prompts
        if self.user is None or self.visitor_mode:  # a visitor may be looking: the count alone, no refs or names
            self.duties_waiting = result.waiting
            if self.duty_prompt is not None:
                self.duty_prompt.hide()
            return
        self.duties_waiting = 0
        if self.duty_prompt is None:
            if not due:
                return
            from screens.complaints.duty_prompt import DutyPrompt
            self.duty_prompt = DutyPrompt()
        self.duty_prompt.show(self, due)

    def _start_watchdog(self) -> None:
        """systemd's watchdog (deploy/kiosk.service): pinged from this UI loop while every supervised worker
        lives; a hung loop or a dead worker stops the pings and systemd restarts the app (kiosk.core.notify)."""
        if self.notifier.enabled:
            Clock.schedule_interval(self.watchdog_tick, self.notifier.ping_interval())

    def watchdog_tick(self, dt=None) -> bool:
        """One ping, unless a worker is dead (then systemd's timer runs out)."""
        from kiosk.core import notify
        from kiosk.core.supervisor import started
        return notify.tick(self.notifier, started())

    def _after_first_frame(self, *args) -> None:
        Window.unbind(on_flip=self._after_first_frame)
        # The first frame is on screen: the service is up — the fault screen too (a fault is not a
        # failed start: systemd must not restart it into StartLimitBurst and a black screen).
        self.notifier.ready("front desk open" if self.storage_fault is None else "storage fault shown")
        if self.storage_fault is None:
            self._desk_after_first_frame()

    def _desk_after_first_frame(self) -> None:
        """What the desk starts once its first frame is drawn: the call prompt, the devices, the quick check."""
        Clock.schedule_once(lambda dt: self._build_call_prompt(), 0)
        if self.prewarm:
            # The collector off the screen's way (kiosk.core.gcpolicy) from here on: the bulk loads below (the
            # pinyin index) pause it and freeze what they made, so no later pass walks them again.
            gcpolicy.manage()
        if self.start_hardware:
            Clock.schedule_once(lambda dt: self._start_hardware(), 0.3)
            # the name keyboard ready before the first visitor taps "sign in": the pinyin index and
            # Zinnia's model load on their own thread now, not when the sign-in screen is built
            Clock.schedule_once(self._warm_up_input, 1.5)
        Clock.schedule_once(self._quick_check, 1.0)   # a bound method: the Clock holds it weakly (no lambda
        # outliving the app in tests)
        Clock.schedule_once(self._start_section_pool, 3.0)   # after the start-up work above

    def _start_section_pool(self, dt=None) -> None:
        if self.prewarm:   # UI tests turn it off (their clock decides "idle"); tests/shell drives it by hand
            self.section_pool.start()
            gcpolicy.settle()   # what start-up made lives as long as the app: frozen (kiosk.core.gcpolicy)

    def _warm_up_input(self, dt=None) -> None:
        """Start loading the pinyin engine (and, once it is loaded, the handwriting recogniser) on a
        daemon thread; the keyboard finds them ready (kiosk.input)."""
        from kiosk.input import pinyin

        def then_handwriting(engine) -> None:
            try:
                from kiosk.input.handwriting import shared_recognizer
                shared_recognizer()
            except Exception:  # noqa: BLE001 - no Zinnia here: the pad says so when opened
                pass
        engine = pinyin.shared_engine()
        engine.load_in_background(then_handwriting)
        try:
            # this desk's visitors' name characters (counts only, from the visits on record)
            from kiosk.visitors import service as visitors
            engine.learn(self.desk.visitor_call(visitors.name_character_counts))
        except Exception:  # noqa: BLE001 - a ranking nicety: the keyboard works without it
            log.warning("name character counts not read", exc_info=True)

    def _quick_check(self, dt=None) -> int | None:
        """The bounded database check (kiosk.core.dbcheck.quick, about a second) on the housekeeping
        worker after start-up; a problem is told to staff (`_on_quick_check`)."""
        ctx = self.ctx

        def job(progress):
            from kiosk.core import dbcheck
            return dbcheck.quick(ctx.db, ctx.db_path)
        return self.housekeeping_jobs.submit("dbcheck", job, key="dbcheck")

    def _on_quick_check(self, event) -> None:
        result = event.data.get("result")
        if result is None or result.ok:
            self.db_problem = ""
            return
        log.error("database quick check: %s", result.line())
        self.db_problem = self.tr("The database check found a problem: call for support (kiosk db check)", self.lang)
        if self.user is not None:
            self.toast(self.db_problem)

    @property
    def jobs(self):
        """The background worker (kiosk.core.jobs) for slow work; started on first use."""
        if self._jobs is None:
            from kiosk.core.jobs import BackgroundJobs
            self._jobs = BackgroundJobs(self.ctx.bus, on_thread_exit=self.ctx.close,
                                        monotonic=self.ctx.clock.monotonic).start()
        return self._jobs

    @property
    def stick_watcher(self):
        """The USB stick watcher (kiosk.core.sticks.MountWatcher), started on first use (the export screen)."""
        if getattr(self, "_stick_watcher", None) is None:
            from kiosk.core.sticks import MountWatcher
            from kiosk.reports.usb import destinations
            folder = self.ctx.config.get("export", "folder") or None
            self._stick_watcher = MountWatcher(self.ctx.bus, lambda: destinations(folder)).start()
        return self._stick_watcher

    @property
    def housekeeping_jobs(self):
        """The housekeeping worker, apart from `jobs`: a retention catch-up of a million visits (batched,
        tens of seconds) must not hold up an export or a roll call's direct print queued behind it."""
        if self._housekeeping_jobs is None:
            from kiosk.core.jobs import BackgroundJobs
            self._housekeeping_jobs = BackgroundJobs(self.ctx.bus, name="housekeeping", on_thread_exit=self.ctx.close,
                                                     monotonic=self.ctx.clock.monotonic).start()
        return self._housekeeping_jobs

    def _housekeeping(self, dt=None) -> int | None:
        """Queue automatic sign-out and the daily anonymisation of old visits (kiosk.visitors.housekeeping)
        on the housekeeping worker; never stacked: one already queued or running makes this a no-op.
        Nothing of it runs on the UI thread; a catch-up reports its progress on the bus."""
        ctx = self.ctx
        from kiosk.core import compact
        # Decided here, on the UI thread that sees the screen: the one-off conversion VACUUM (it holds the
        # write lock for seconds on a big file) runs only with nobody signed in and the screen untouched.
        quiet = self.user is None and self.idle_seconds() >= compact.QUIET_IDLE_S
        self._collect_when_quiet(quiet)

        def job(progress):
            from kiosk.complaints import housekeeping as complaints_housekeeping
            from kiosk.core.clock import local_now
            from kiosk.visitors import housekeeping
            tz = ctx.config.get("site", "timezone")
            complaints_housekeeping.run_due(ctx.db, ctx.clock, tz)  # anonymise old complaints once a day
            done = housekeeping.run_due(ctx.db, ctx.clock, tz, progress=_coalesced(progress, 0.5))
            if done.retention is not None and done.retention.ok and done.anonymised is not None \
                    and str(ctx.db_path) != ":memory:":
                # the day's retention went through: backups and receipt pictures follow the same periods
                from kiosk.core.paths import state_dir
                from kiosk.privacy import receipts, retention as beyond
                beyond.run(ctx.db, ctx.db_path, ctx.clock, backup_folder=ctx.config.get("backup", "folder") or "",
                           receipt_folder=receipts.receipt_folder(ctx.config.get("printer", "output_dir") or "",
                                                                  state_dir()))
            compact.convert_when_quiet(ctx.db, ctx.db_path, local_now(ctx.clock, tz), quiet=quiet)
            return done
        number = self.housekeeping_jobs.submit("housekeeping", job, key="housekeeping")
        self._nightly_backup()
        return number

    def _collect_when_quiet(self, quiet: bool) -> None:
        """Once a night, with nobody at the desk: the collector's full pass over the frozen heap too (here, on
        the UI thread: it holds the interpreter lock wherever it runs), freeing what was garbage when frozen."""
        from kiosk.core import compact
        from kiosk.core.clock import local_now
        now = local_now(self.ctx.clock, self.ctx.config.get("site", "timezone"))
        if not quiet or not gcpolicy.managed() or not compact.in_quiet_window(now) \
                or self._collected_on == now.date():
            return
        self._collected_on = now.date()
        log.info("nightly full collection: %.0f ms", gcpolicy.collect_when_quiet() * 1000)

    def _nightly_backup(self) -> int | None:
        """The nightly backup ([backup] at, to [backup] folder) as a background job: the job itself asks
        whether one is due (kiosk.core.backup.due: once a night, a failure retried hourly), so the UI thread
        never touches the database for it."""
        ctx = self.ctx
        if not ctx.config.get("backup", "folder") or not ctx.config.get("backup", "at"):
            return None

        def job(progress):
            from kiosk.core import backup
            if not backup.due(ctx.db, ctx.clock, ctx.config.get("site", "timezone"), ctx.config.get("backup", "at")):
                return None
            return backup.nightly(ctx, progress)
        return self.housekeeping_jobs.submit("backup", job, key="backup")

    def _on_housekeeping_done(self, event) -> None:
        done = event.data["result"]
        if getattr(done, "retention", None) is not None:
            # kept for the manager's screen: a blocked run may not have been able to write its status
            self.retention_state = done.retention
        if done.signed_out or done.anonymised:
            log.info("housekeeping: %d signed out automatically, %s anonymised", done.signed_out, done.anonymised)
        if done.signed_out and self.user is not None:
            self.toast(self.tr("{n} visitors signed out automatically", self.lang).format(n=done.signed_out))

    def on_stop(self) -> None:
        self._end_animations_and_popups()
        if getattr(self, "section_pool", None) is not None:  # none while the fault screen was up
            self.section_pool.stop()
        Window.unbind(on_request_close=self._refuse_keyboard_close)
        self.notifier.stopping()
        gcpolicy.release()   # what this app froze is ordinary garbage again once it has stopped
        if getattr(self, "_retry_event", None) is not None:
            self._retry_event.cancel()
        if getattr(self, "_printer_count_event", None) is not None:
            self._printer_count_event.cancel()
            self._printer_count_event = None
        if getattr(self, "keyboard_dock", None) is not None:  # none while the fault screen was up
            self.keyboard_dock.hide()
        if getattr(self, "duty_prompt", None) is not None:
            self.duty_prompt.hide()
        # First cut the workers off from the UI: what they publish while stopping would only wait in
        # Kivy's Clock, which never runs again (and keeps the app alive through its callbacks).
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self.ctx.bus.set_delivery(lambda fn: None)
        self.ctx.bus.set_error_handler(None)
        for worker in (self._jobs, self._housekeeping_jobs):
            if worker is not None:
                worker.stop()
        if getattr(self, "_stick_watcher", None) is not None:
            self._stick_watcher.stop()
        if self.devices:
            from hardware import devices
            devices.stop_devices(self.devices)
        from kivy.base import ExceptionManager
        ExceptionManager.remove_handler(self._exception_handler)
        # Kivy keeps unused recycled rows in one module-wide cache; rows built under this app are bound
        # to it (its language among them) and must not be handed to a later app in the same process.
        from kivy.uix.recycleview import views
        views._cached_views.clear()
        views._cache_count = 0

    @staticmethod
    def _end_animations_and_popups() -> None:
        """Kivy keeps running animations in one process-wide set, freed only when they finish on the
        Clock; an app that stops mid-fade (a popup closing, a toast) would stay alive through them. Stop
        every animation and close every popup at once, while the desk still works for their handlers."""
        from kivy.animation import Animation
        for child in list(Window.children):
            for widget in child.walk(restrict=True):
                Animation.cancel_all(widget)
        _dismiss_popups(force=True)

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
                              ("housekeeping.finished", self._on_housekeeping_done),
                              ("dbcheck.finished", self._on_quick_check),
                              ("duties.finished", self._on_duties_checked)):
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

    @staticmethod
    def _popup_open() -> bool:
        from kivy.uix.modalview import ModalView
        return any(isinstance(w, ModalView) for w in Window.children)

    @staticmethod
    def _refuse_keyboard_close(window, *args, source=None, **kwargs) -> bool:
        """True (close refused) when the request comes from a key (Escape, Alt+F4 through SDL)."""
        return source == "keyboard"

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
        """The printer's state for the status bar. A change of state, reason or attention count shows at once;
        while only the queued count moves (a burst of receipts: one event a job) the bar follows at most every
        PRINTER_COUNT_EVERY_S: each new text is a label re-rendered on the UI thread (issue 18: 100 receipts
        re-rendered it 100 times, 250 ms each on this box's software GL)."""
        state, detail = event.data.get("state", "error"), str(event.data.get("detail", ""))
        queued, attention = int(event.data.get("queued", 0)), int(event.data.get("attention", 0))
        reason = str(event.data.get("reason", ""))
        self._printer_queued_next = queued
        count_only = ((state, detail, attention, reason) ==
                      (self.printer_state, self.printer_detail, self.printer_attention, self.printer_reason))
        if count_only and queued and self.printer_queued:   # a burst going on: from or to zero shows at once
            if self._printer_count_event is None:
                self._printer_count_event = Clock.schedule_once(self._show_printer_count, PRINTER_COUNT_EVERY_S)
            return
        if self._printer_count_event is not None:
            self._printer_count_event.cancel()
            self._printer_count_event = None
        self.printer_state, self.printer_detail = state, detail
        self.printer_queued, self.printer_attention, self.printer_reason = queued, attention, reason

    def _show_printer_count(self, dt=None) -> None:
        self._printer_count_event = None
        self.printer_queued = self._printer_queued_next

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
        if self.storage_fault is not None:  # no database to read it from (the fault screen names none)
            return
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
        if getattr(user, "role", "") == "manager":
            self._remind_manager()
        self.check_duties()  # whoever signs in sees a duty about to be missed now, not 30 s later
        from screens.visitors.rollcall_prompt import offer_open_rollcall
        offer_open_rollcall(self)  # a roll call left open by a sign-out, crash or restart is offered
        if self.arrival_alert:
            self.toast(self.arrival_alert)
            self.arrival_alert = ""
        elif self.db_problem:
            self.toast(self.db_problem)

    def _remind_manager(self) -> None:
        """A manager signing in is told when last month's complaints report waits to be exported (from the
        1st; overdue after the report day) — every sign-in until it is exported. One indexed lookup."""
        import sqlite3
        from kiosk.complaints import monthly
        try:
            reminder = self.desk.call(monthly.reminder)
        except sqlite3.Error:
            log.warning("complaints report reminder skipped", exc_info=True)
            return
        if reminder is not None:
            msgid = ("The complaints report for {month} is overdue: it was due by {due}" if reminder.overdue
                     else "The complaints report for {month} is ready: export it by {due}")
            self.toast(self.tr(msgid, self.lang).format(month=f"{reminder.year}-{reminder.month:02d}",
                                                        due=reminder.due.isoformat()))

    def sign_out(self, reason: str = "tapped") -> None:
        """Back to the visitor home screen; nothing staff-only stays on screen: every popup and overlay
        is closed (their typed data goes with them), Kivy's settings panel too. Audited."""
        user = self.user
        if user is not None and self.sm.has_screen("desk"):
            self.sm.get_screen("desk").leave_sections()  # as the user still: a roll call keeps its marks
        if user is not None:
            from kiosk.core import auth
            try:
                self.desk.unchecked_call(auth.sign_out, user, reason=reason)
            except Exception:  # the audit row must never keep staff data on screen
                log.exception("could not audit the sign-out")
        self.close_everything()
        self.user = None
        self.keyboard_dock.hide()
        dock_keyboard = getattr(self.keyboard_dock, "_keyboard", None)
        if dock_keyboard is not None:  # the next person at the desk gets no half-typed pinyin either
            dock_keyboard.reset_input()
        if self.sm.has_screen("desk"):
            self.sm.get_screen("desk").clear_sections()
        self.section_pool.clear()   # nothing built during this session outlives it
        self.go("home")
        self.check_duties()         # the home screen's count of deadlines needing staff, now, not 30 s later

    def _session_ended(self) -> None:
        """A call found this session ended (the account deactivated or its PIN reset by a manager): signed
        out on the next frame, after the refusal that says why."""
        Clock.schedule_once(lambda _dt: self.sign_out("account_changed") if self.user is not None else None)

    def require_manager(self, callback, reason: str = "") -> None:
        """Ask a manager's PIN, then call callback(manager)."""
        ManagerApproval(callback, reason).open()

    def field_focused(self, field, focused: bool) -> None:
        """A form field gained or lost focus: staff screens get the on-screen keyboard."""
        self.keyboard_dock.field_focused(field, focused)

    def close_everything(self) -> None:
        """Dismiss every popup (ModalView) and remove every overlay: nothing typed survives a sign-out."""
        self.close_settings()
        _dismiss_popups(force=False)
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
        if getattr(self, "_toast", None) is None:  # the fault screen has no toasts: it is the message
            log.warning("toast without a desk: %s", text)
            return
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
        # A warden counting people at the assembly point stops tapping for minutes: a drill keeps the desk.
        if self.user is not None and idle >= ui["staff_idle_seconds"] and not self.drill_active:
            log.info("staff idle for %.0f s: signing out", idle)
            self.sign_out("idle")
        elif (self.user is None and idle >= ui["visitor_idle_seconds"] and self.sm.current == "home"
              and (self.lang != self.ctx.config.get("site", "language") or self._popup_open())):
            # the last visitor's language, chosen at home, is not the next one's; and a popup opened over
            # home (the call banner's staff PIN) does not stay there for ever
            self.close_everything()
            self.reset_visitor_language()
        elif self.user is None and self.sm.current != "home" and idle >= ui["visitor_idle_seconds"]:
            # Privacy: a half-filled visitor form is cleared and the home screen returns.
            screen = self.sm.current_screen
            if hasattr(screen, "reset"):
                screen.reset()
            self.close_everything()
            self.reset_visitor_language()
            self.go("home")


PRINTER_COUNT_EVERY_S = 1.0   # the status bar's queued count follows a burst of print jobs this often


def _coalesced(progress, every_s: float):
    """A retention progress callback that reports at most once every `every_s` seconds: a catch-up of a million
    visits runs a thousand batches, and each report is a bus event the UI thread handles."""
    last = [float("-inf")]

    def report(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= every_s:
            last[0] = now
            progress(0.5, f"{done} visits anonymised")
    return report


def _dismiss_popups(*, force: bool) -> None:
    """Close every popup (ModalView) on the window without its fade; force overrides a popup that refuses."""
    from kivy.uix.modalview import ModalView
    for widget in list(Window.children):
        if isinstance(widget, ModalView):
            widget.dismiss(animation=False, force=force)
            if widget.parent is not None:
                Window.remove_widget(widget)
