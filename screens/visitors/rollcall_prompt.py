"""A roll call left open (a sign-out, a crash, a restart) is offered to whoever signs in next: resume it
with its marks, or end it (a record). The same two-button popup asks before a roll call is ended.

Kept small and free of globals: the popup holds only its callbacks and is dismissed on sign-out with
every other popup (`KioskApp.close_everything`)."""
from __future__ import annotations

import logging
import sqlite3
from typing import Callable

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.modalview import ModalView

from kiosk.visitors import service as visitors
from screens.widgets.common import local_when

log = logging.getLogger(__name__)

Builder.load_string('''
#:import INK screens.theme.INK
<RollCallChoice>:
    size_hint: 0.86, None
    height: dp(260)
    auto_dismiss: False
    BoxLayout:
        orientation: "vertical"
        padding: dp(16)
        spacing: dp(12)
        canvas.before:
            Color:
                rgba: 1, 1, 1, 1
            Rectangle:
                pos: self.pos
                size: self.size
        Label:
            text: root.title
            bold: True
            color: 0.75, 0.1, 0.1, 1
            font_size: sp(20)
            size_hint_y: None
            height: dp(34)
            text_size: self.width, None
            halign: "left"
            shorten: True
        Label:
            text: root.message
            color: INK
            font_size: sp(16)
            text_size: self.width, None
            halign: "left"
            valign: "top"
        BoxLayout:
            size_hint_y: None
            height: dp(56)
            spacing: dp(12)
            BigButton:
                text: root.no_text
                kind: "quiet"
                font_size: sp(17)
                on_release: root.choose(False)
            BigButton:
                text: root.yes_text
                kind: "danger"
                font_size: sp(17)
                on_release: root.choose(True)
''')


class RollCallChoice(ModalView):
    """Two answers to one question; `on_answer(True)` for the red button, `(False)` for the other."""

    title = StringProperty("")
    message = StringProperty("")
    yes_text = StringProperty("")
    no_text = StringProperty("")

    def __init__(self, on_answer: Callable[[bool], None], **kwargs) -> None:
        self._on_answer = on_answer
        super().__init__(**kwargs)

    def choose(self, yes: bool) -> None:
        answer, self._on_answer = self._on_answer, None
        self.dismiss()
        if answer is not None:
            answer(yes)


def offer_open_rollcall(app) -> RollCallChoice | None:
    """At sign-in: a roll call still open is offered (resume / end). A database error skips the offer (it
    comes again at the next sign-in); nothing raises out of the sign-in."""
    try:
        found = app.desk.quick_call(visitors.open_rollcall)
    except (sqlite3.Error, OSError):
        log.warning("open roll call check skipped", exc_info=True)
        return None
    if found is None:
        return None
    tr = lambda s: app.tr(s, app.lang)  # noqa: E731

    def answer(resume: bool) -> None:
        section = _visitors_section(app)
        if section is None:
            return
        if resume:
            section.resume(found.id)
        else:
            section.end_rollcall(found.id)
    popup = RollCallChoice(
        answer, title=tr("A roll call is still open"),
        message=tr("Started {when} by {who}: {accounted} of {total} accounted for, {missing} still missing. Resume it with its marks, or end it now?").format(  # noqa: E501
            when=local_when(found.started_at), who=found.started_by, accounted=found.accounted,
            total=found.total, missing=found.missing),
        yes_text=tr("Resume the roll call"), no_text=tr("End it"))
    popup.open()
    return popup


def _visitors_section(app):
    """Open the visitors section on the desk and return it (None when this user has no such section)."""
    from screens import sections
    desk = app.sm.get_screen("desk")
    section = sections.find("visitors")
    if section is None or app.user is None:
        return None
    desk.open_section(section)
    return desk.ids.content.get_screen("visitors")
