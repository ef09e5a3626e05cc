"""Business settings for managers: site name, greeting and apology (both languages), the visitors'
privacy notice and retention, the lost-and-found handover period, callback time, ID storage, the
automatic sign-out time, the reorder par level, how long an open roll call may be resumed and the complaint register's deadlines. Every change
goes through kiosk.core.settings or kiosk.complaints.rules (checked first, all of them, then audited)."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

import screens.counter.catalogue_section  # noqa: F401  (CatField and CatInput)
from kiosk.complaints import rules
from kiosk.core import settings
from screens.widgets.common import BigButton, show_refusal

Builder.load_file(str(Path(__file__).with_name("settings_section.kv")))
LANGS = ("zh_CN", "en")
CAPTIONS = {"site_name": "Site name", "greeting": "Phone greeting", "apology": "Apology after a long wait",
            "privacy_notice": "Privacy notice ({days} = days kept)",
            "visitor_retention_days": "Keep visitor details (days)",
            "lostfound_retention_days": "Keep lost-and-found names and contacts (days)",
            "call_note_retention_days": "Keep callers' names, numbers and notes (days)",
            "lostfound_handover_days": "Hand over unclaimed items after (days)",
            "callback_due_minutes": "Call back within (minutes)",
            "auto_signout_time": "Sign everyone out at (HH:MM, empty: never)",
            "reorder_par_percent": "Reorder up to (% of the reorder level)",
            "rollcall_resume_hours": "Resume an open roll call for (hours after it started)",
            **{f"complaint_rules.{key}": caption for key, caption in rules.RULE_CAPTIONS.items()}}  # msgids


class RuleChoice(BigButton):
    """A rule with a few values (working or calendar days): a tap moves to the next; the label is the
    value's msgid in the screen's language."""

    value = StringProperty("")
    error = StringProperty("")

    def __init__(self, choices: tuple[str, ...], labels: dict[str, str], **kwargs) -> None:
        super().__init__(kind="quiet", size_hint_y=None, height="48dp", font_size="14sp", **kwargs)
        self.choices, self.labels = choices, labels
        self.value = choices[0]

    def on_release(self) -> None:
        self.value = self.choices[(self.choices.index(self.value) + 1) % len(self.choices)]
        self.error = ""

    def relabel(self, *_args) -> None:
        app = App.get_running_app()
        self.text = app.tr(self.labels.get(self.value, self.value), app.lang)

    def on_value(self, *_args) -> None:
        self.relabel()


class SettingsSection(Screen):
    store_full_ids = BooleanProperty(False)
    message = StringProperty("")
    error = StringProperty("")
    backup_state = ObjectProperty(None, allownone=True)  # kiosk.core.backup.Status, None when unreadable
    target_unmarked = BooleanProperty(False)   # the [backup] folder is there but not marked for this kiosk
    retention_state = ObjectProperty(None, allownone=True)  # kiosk.core.retention.Status, None before a run

    def on_kv_post(self, base_widget) -> None:
        app = App.get_running_app()
        self.rule_inputs: dict[str, object] = {}
        self.rule_fields: dict[str, object] = {}
        for key in rules.RULE_KEYS:
            field = Factory.CatField()
            if key in rules.RULE_CHOICES:
                box = RuleChoice(rules.RULE_CHOICES[key], rules.DAY_MODE_LABELS)
                app.bind(lang=box.relabel)
            else:
                box = Factory.CatInput(input_filter=None if key in rules.RULE_TIMES else "int")
            field.add_widget(box)
            self.ids.rules_grid.add_widget(field)
            self.rule_inputs[key], self.rule_fields[key] = box, field
        self._captions()
        app.bind(lang=lambda *a: self._captions())  # live language switch, like the .kv's app.tr(..., app.lang)
        app.bind(lang=lambda *a: setattr(self, "message", ""))  # "Saved" was said in the other language

    def _captions(self) -> None:
        app = App.get_running_app()
        for key, field in self.rule_fields.items():
            field.caption = app.tr(rules.RULE_CAPTIONS[key], app.lang)

    def on_pre_enter(self, *args) -> None:
        self.load_backup_state()
        self.load_retention_state()
        self.load()

    def load_retention_state(self) -> None:
        """The retention job's last word (kiosk.core.retention): the recorded one, or the app's own copy of
        the last run's when that is newer (a status the job could not write: the database was locked)."""
        import sqlite3
        from kiosk.core import retention
        app = App.get_running_app()
        try:
            recorded = app.desk.call(retention.status)
        except (sqlite3.Error, OSError):
            recorded = None
        latest = getattr(app, "retention_state", None)
        if latest is not None and (recorded is None or (latest.at and recorded.at and latest.at > recorded.at)):
            recorded = latest
        self.retention_state = recorded

    def retention_line(self, lang: str, state) -> str:
        """One line for the manager: when retention last ran, or that it is blocked, why, and when it retries."""
        from zoneinfo import ZoneInfo
        from kiosk.core import retention
        app = App.get_running_app()
        tr = app.tr
        if state is None:
            return tr("Retention: not run yet", lang)
        tz = app.desk.tz
        fmt = lambda moment: moment.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M") if moment else "-"  # noqa: E731
        if state.ok:
            return tr("Retention: last run {when}", lang).replace("{when}", fmt(state.at))
        reason = tr(retention.PROBLEMS.get(state.problem, retention.PROBLEMS["storage"]), lang)
        return (tr("Retention blocked since {since} (try {tries}); retrying at {next}\n{reason}", lang)
                .replace("{since}", fmt(state.since)).replace("{reason}", reason)
                .replace("{next}", fmt(state.next_try)).replace("{tries}", str(state.tries)))

    def load_backup_state(self) -> None:
        """The newest good backup (kiosk.core.backup.status); warns after [backup] warn_hours without one."""
        import sqlite3
        from kiosk.core import backup
        app = App.get_running_app()
        try:
            self.backup_state = app.desk.call(backup.status, warn_hours=app.ctx.config.get("backup", "warn_hours"))
        except (sqlite3.Error, OSError):
            self.backup_state = None
        self._check_target(app)

    def _check_target(self, app) -> None:
        """Whether the [backup] folder is there but unmarked, asked on the background worker: a stalled stick
        or share must not freeze the screen (outside tester, issue 19: 9 s on a stopped FUSE mount)."""
        from kiosk.core import backup
        source, folder = app.ctx.db_path, app.ctx.config.get("backup", "folder")
        if not folder:
            self.target_unmarked = False
            return
        if getattr(self, "_target_unsubscribe", None) is None:
            self._target_unsubscribe = app.ctx.bus.subscribe("backup_target.finished", self._on_target_checked)
        app.jobs.submit("backup_target", lambda progress: backup.target_unmarked(source, folder), key="backup_target")

    def _on_target_checked(self, event) -> None:
        self.target_unmarked = bool(event.data.get("result"))

    def mark_target(self) -> None:
        """The manager marks the configured folder as this kiosk's backup place (their PIN first)."""
        app = App.get_running_app()
        app.require_manager(self._mark_approved, app.tr("Use this folder for the nightly backup", app.lang))

    def _mark_approved(self, manager) -> None:
        import sqlite3
        from kiosk.core import backup
        from kiosk.core.errors import Refusal
        app = App.get_running_app()
        folder = app.ctx.config.get("backup", "folder")
        self.message = self.error = ""
        try:
            app.desk.call(backup.mark_target, app.ctx.db_path, folder, actor=manager.actor())
        except (Refusal, sqlite3.Error, OSError) as exc:
            self.error = show_refusal(exc)
        else:
            self.message = app.tr("Marked: the nightly backup goes to {folder}", app.lang).replace("{folder}", folder)
        self.load_backup_state()

    def backup_line(self, lang: str, state) -> str:
        """One line for the manager: when the last good backup was made, and whether that is too long ago."""
        from zoneinfo import ZoneInfo
        app = App.get_running_app()
        tr = app.tr
        if state is None:
            return tr("Backups: their record could not be read", lang)
        folder = app.ctx.config.get("backup", "folder")
        tz = app.desk.tz
        restore_note = ("\n" + state.restore_problem.message(lang)) if getattr(state, "restore_problem", None) else ""
        if state.last_ok is None:
            msgid = ("No good backup yet: set [backup] folder to a USB stick or share" if not folder
                     else "No good backup yet: check the USB stick or share at {folder}")
            return tr(msgid, lang).replace("{folder}", folder) + self._failure(lang, state, tz) + restore_note
        when = state.last_ok.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
        hours = int((app.desk.clock.now() - state.last_ok).total_seconds() // 3600)
        if state.warn:
            text = tr("No good backup for {hours} hours (last {when}): check the USB stick or share", lang)
        else:
            text = tr("Last good backup: {when}", lang)
        text = text.replace("{hours}", str(hours)).replace("{when}", when)
        if state.same_disk:
            text += " · " + tr("on the database's own disk", lang)
        return text + self._failure(lang, state, tz) + restore_note

    def _failure(self, lang: str, state, tz: str) -> str:
        """' · last attempt failed <when>: <why>' in lang, '' when none failed since the last good one."""
        from zoneinfo import ZoneInfo
        if state.last_failed is None:
            return ""
        tr = App.get_running_app().tr
        failed = state.last_failed.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M")
        text = "\n" + tr("last attempt failed {when}", lang).replace("{when}", failed)
        if state.reason is not None:
            text += ": " + state.reason.message(lang)
        return text

    def load(self) -> None:
        desk = App.get_running_app().desk
        for key in settings.TEXTS:
            value = desk.call(settings.get, key)
            for lang in LANGS:
                self.ids[f"{key}_{lang}"].text = value.get(lang, "")
        for key in (*settings.NUMBERS, *settings.PERIODS):
            self.ids[key].text = str(desk.call(settings.get, key))
        self.ids.auto_signout_time.text = desk.call(settings.get, "auto_signout_time")
        self.store_full_ids = bool(desk.call(settings.get, "store_full_id_numbers"))
        self.ids.reorder_par_percent.text = str(desk.call(settings.get, "reorder_par_percent"))
        self.ids.rollcall_resume_hours.text = str(desk.call(settings.get, "rollcall_resume_hours"))
        for key, text in desk.call(rules.rule_texts).items():
            box = self.rule_inputs[key]
            if isinstance(box, RuleChoice):
                box.value = text if text in box.choices else box.choices[0]
            else:
                box.text = text
            box.error = ""

    def save(self) -> None:
        app = App.get_running_app()
        values: dict = {key: {lang: self.ids[f"{key}_{lang}"].text for lang in LANGS} for key in settings.TEXTS}
        values.update({key: self.ids[key].text for key in (*settings.NUMBERS, *settings.PERIODS)})
        values["auto_signout_time"] = self.ids.auto_signout_time.text
        values["store_full_id_numbers"] = self.store_full_ids
        values["reorder_par_percent"] = self.ids.reorder_par_percent.text
        values["rollcall_resume_hours"] = self.ids.rollcall_resume_hours.text
        rule_texts = {key: box.value if isinstance(box, RuleChoice) else box.text
                      for key, box in self.rule_inputs.items()}
        self.message = self.error = ""
        widgets = {**{key: self.ids[key] for key in (*settings.NUMBERS, *settings.PERIODS, "auto_signout_time",
                                                     "reorder_par_percent", "rollcall_resume_hours")},
                   **{f"complaint_rules.{key}": box for key, box in self.rule_inputs.items()}}
        try:
            for key, value in values.items():  # everything is checked before anything is written
                settings.check(key, value)
            rules.check_rules(rule_texts)
            changed = app.desk.call(settings.put_checked, values)
            if app.desk.call(rules.save_rules, rule_texts):
                changed.append("complaint_rules")
        except settings.SettingError as exc:
            caption = app.tr(CAPTIONS.get(exc.key, ""), app.lang)  # the setting's caption names the field
            self.error = (f"{caption}: " if caption else "") + show_refusal(exc, widgets)
            if exc.key in widgets and self.ids.scroll.height < self.ids.scroll.children[0].height:
                self.ids.scroll.scroll_to(widgets[exc.key], padding=30, animate=False)  # the field in sight, tinted
            return
        app.refresh_site_name()
        self.message = (app.tr("Saved: {n} changed", app.lang).format(n=len(changed)) if changed
                        else app.tr("Nothing changed", app.lang))
