"""The visitor home screen: greeting, language switch, visitor flows, a discreet staff entry."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

from screens import sections
from screens.widgets.common import NavButton

Builder.load_file(str(Path(__file__).with_name("home.kv")))


class HomeScreen(Screen):
    """What a visitor sees; never anybody's data."""

    def on_kv_post(self, base_widget) -> None:
        self.build_flows()

    def build_flows(self) -> None:
        """One big button per registered visitor flow."""
        box = self.ids.flows
        box.clear_widgets()
        for flow in sections.visitor_flows():
            button = NavButton(kind="primary", height="72dp", font_size="24sp", msgid=flow.title)
            button.flow_name = flow.name
            button.bind(on_release=self._flow_pressed)
            box.add_widget(button)

    def _flow_pressed(self, button) -> None:
        App.get_running_app().go(button.flow_name)
