"""The storage fault screen: what the app shows instead of the desk when its database cannot be used.

A full disk, a read-only card, a damaged or missing file used to end `kiosk run` with a message on a
console nobody sees; systemd restarted it ten times and gave up (StartLimitBurst), leaving a black
screen. Now the app starts anyway, says which file and what to do (in the box's language, English on
demand), tries again every few seconds, and opens the desk by itself when the fault clears
(screens.app.KioskApp.retry_storage).
"""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class StorageFaultView(FloatLayout):
    """The whole window while the database is unusable. fault: the kiosk.core.storage.StorageFault;
    last_try: the local time of the last attempt (HH:MM:SS), shown so staff see it is still trying."""

    fault = ObjectProperty(None, allownone=True)
    last_try = StringProperty("")
    people_on_site = StringProperty("")  # people in the building, read read-only ("" when unreadable)

    def fault_text(self, lang: str, fault) -> str:
        """The fault's sentence (file named, what to do) in lang."""
        return fault.message(lang) if fault is not None else ""

    def retry_text(self, lang: str, seconds: float, last_try: str) -> str:
        """The line that says the kiosk keeps trying, and when it last did."""
        from kiosk.core.i18n import gettext
        text = gettext("The kiosk tries again every {seconds} seconds and opens the desk by itself once this is"
                       " fixed (last try {time}).", lang)
        return text.replace("{seconds}", f"{seconds:g}").replace("{time}", last_try or "-")

    def roll_call_text(self, lang: str, on_site: str) -> str:
        """The fire roll call's count, when the file can still be read (names only at the command line)."""
        if not on_site:
            return ""
        from kiosk.core.i18n import gettext
        return gettext("On site now: {n} people (the list: kiosk visitors onsite)", lang).replace("{n}", on_site)
