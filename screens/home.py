"""The visitor home screen: greeting, language switch, visitor flows, a discreet staff entry."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

from screens import sections
from screens.widgets.common import NavButton
from screens.widgets.duty_notice import DutyNotice  # noqa: F401  (the home screen's kv uses it)

Builder.load_file(str(Path(__file__).with_name("home.kv")))


class HomeScreen(Screen):
    """What a visitor sees; never anybody's data."""

    def on_kv_post(self, base_widget) -> None:
        self.build_flows()
        self.bind(height=lambda _s, h: [self._size_flow(b, h) for b in self.ids.flows.children])

    def build_flows(self) -> None:
        """One big button per registered visitor flow."""
        box = self.ids.flows
        box.clear_widgets()
        for flow in sections.visitor_flows():
            button = NavButton(kind="primary", height="72dp", font_size="24sp", msgid=flow.title)
            button.flow_name = flow.name
            self._size_flow(button, self.height)
            button.bind(on_release=self._flow_pressed)
            box.add_widget(button)

    @staticmethod
    def _size_flow(button, height: float) -> None:
        """Bigger screens get bigger buttons (1280x800 left two small bars in an empty screen)."""
        from kivy.metrics import dp, sp
        button.height = max(dp(72), height * 0.15)
        button.font_size = max(sp(24), button.height * 0.3)

    def _flow_pressed(self, button) -> None:
        App.get_running_app().go(button.flow_name)
