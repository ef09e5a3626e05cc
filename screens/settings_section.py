"""Business settings for managers: site name, greeting and apology (both languages), the visitors'
privacy notice and retention, the lost-and-found handover period, callback time, ID storage and the
automatic sign-out time. Every change goes through kiosk.core.settings (checked, audited)."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

import screens.counter.catalogue_section  # noqa: F401  (CatField and CatInput)
from kiosk.core import settings
from screens.widgets.common import show_refusal

Builder.load_file(str(Path(__file__).with_name("settings_section.kv")))
LANGS = ("zh_CN", "en")
CAPTIONS = {"site_name": "Site name", "greeting": "Phone greeting", "apology": "Apology after a long wait",
            "privacy_notice": "Privacy notice ({days} = days kept)",
            "visitor_retention_days": "Keep visitor details (days)",
            "lostfound_handover_days": "Hand over unclaimed items after (days)",
            "callback_due_minutes": "Call back within (minutes)",
            "auto_signout_time": "Sign everyone out at (HH:MM, empty: never)"}  # msgids, also used by the .kv


class SettingsSection(Screen):
    store_full_ids = BooleanProperty(False)
    message = StringProperty("")
    error = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        self.load()

    def load(self) -> None:
        desk = App.get_running_app().desk
        for key in settings.TEXTS:
            value = desk.call(settings.get, key)
            for lang in LANGS:
                self.ids[f"{key}_{lang}"].text = value.get(lang, "")
        for key in settings.NUMBERS:
            self.ids[key].text = str(desk.call(settings.get, key))
        self.ids.auto_signout_time.text = desk.call(settings.get, "auto_signout_time")
        self.store_full_ids = bool(desk.call(settings.get, "store_full_id_numbers"))

    def save(self) -> None:
        app = App.get_running_app()
        values: dict = {key: {lang: self.ids[f"{key}_{lang}"].text for lang in LANGS} for key in settings.TEXTS}
        values.update({key: self.ids[key].text for key in settings.NUMBERS})
        values["auto_signout_time"] = self.ids.auto_signout_time.text
        values["store_full_id_numbers"] = self.store_full_ids
        self.message = self.error = ""
        try:
            changed = app.desk.call(settings.put_checked, values)
        except settings.SettingError as exc:
            caption = app.tr(CAPTIONS.get(exc.key, ""), app.lang)  # the setting's caption names the field
            self.error = (f"{caption}: " if caption else "") + show_refusal(exc)
            return
        app.refresh_site_name()
        self.message = (app.tr("Saved: {n} changed", app.lang).format(n=len(changed)) if changed
                        else app.tr("Nothing changed", app.lang))
