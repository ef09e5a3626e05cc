"""The staff desk: status bar, section navigation, and the open section."""
from __future__ import annotations

import logging
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.screenmanager import NoTransition, Screen

from screens import sections
from screens.widgets.common import NavButton

Builder.load_file(str(Path(__file__).with_name("desk.kv")))
log = logging.getLogger(__name__)

class DeskScreen(Screen):
    """Navigation on the left, the chosen section on the right."""

    current_section = StringProperty("")

    def on_kv_post(self, base_widget) -> None:
        self.ids.content.transition = NoTransition()
        self.ids.nav.parent.bind(height=lambda *a: self._fit_navigation())

    def _fit_navigation(self) -> None:
        """Share the column's height among the section buttons (48-72 px each), so every section,
        Reports included, is on screen at 1024×600 and 1280×800 uses its height; below 48 px the
        column scrolls."""
        from kivy.metrics import dp
        nav = self.ids.nav
        buttons = list(nav.children)
        if not buttons:
            return
        count = len(buttons)
        # Tight (eight staff sections at 800×480): the gaps shrink before any button drops under 48 px.
        room = nav.parent.height - count * dp(48)
        gap = dp(6) if room >= dp(6) * (count + 1) else max(dp(1), room / (count + 1))
        nav.padding, nav.spacing = gap, gap
        free = nav.parent.height - gap * (count + 1)
        height = max(dp(48), min(dp(72), free / count))
        for button in buttons:
            button.height = height

    def rebuild_navigation(self) -> None:
        """Buttons for the sections this user may open (managers see Reports)."""
        app = App.get_running_app()
        nav = self.ids.nav
        nav.clear_widgets()
        is_manager = app.user is not None and app.user.role == "manager"
        for section in sections.staff_sections(is_manager):
            button = NavButton(kind="quiet", font_size="17sp", msgid=section.title)
            button.section_name = section.name
            button.bind(on_release=self._nav_pressed)
            nav.add_widget(button)
        self._fit_navigation()
        visible = sections.staff_sections(is_manager)
        if visible:
            self.open_section(visible[0])

    def _nav_pressed(self, button) -> None:
        self.open_section(sections.find(button.section_name))

    def open_section(self, section: sections.Section) -> None:
        """Show a section, creating its screen on first use."""
        content = self.ids.content
        if not content.has_screen(section.name):
            # Built ahead on an idle moment when it could be (screens/section_pool.py), else now.
            pool = getattr(App.get_running_app(), "section_pool", None)
            screen = pool.take(section.name) if pool is not None else None
            content.add_widget(screen if screen is not None else section.load()(name=section.name))
        content.current = section.name
        self.current_section = section.name
        for button in self.ids.nav.children:
            button.kind = "primary" if button.section_name == section.name else "quiet"

    def open_printer(self) -> None:
        """The printer popup: queue, failures, reprints, no-sale drawer opening."""
        from screens.printing.printer_status import PrinterStatus
        PrinterStatus().open()

    def open_phone(self) -> None:
        section = sections.find("phone")
        if section is not None:
            self.open_section(section)

    def leave_sections(self) -> None:
        """Before a sign-out, while the user is still signed in: each section that keeps work (a roll
        call's pending marks) writes it or keeps it on disk. A section's trouble never stops the sign-out."""
        for screen in list(self.ids.content.screens):
            leaving = getattr(screen, "before_sign_out", None)
            if leaving is not None:
                try:
                    leaving()
                except Exception:
                    log.exception("section %s: could not finish before sign-out", screen.name)

    def clear_sections(self) -> None:
        """On sign-out: drop every section screen so no staff data stays in memory or on screen."""
        content = self.ids.content
        for screen in list(content.screens):
            if screen.name != "desk_empty":
                content.remove_widget(screen)
        content.current = "desk_empty"
        self.ids.nav.clear_widgets()
        self.current_section = ""
