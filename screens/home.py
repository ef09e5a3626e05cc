"""The visitor home screen: greeting, language switch, visitor flows, a discreet staff entry."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

from screens import sections
from screens.widgets import BigButton

Builder.load_file(str(Path(__file__).with_name("home.kv")))


class HomeScreen(Screen):
    """What a visitor sees; never anybody's data."""

    def on_kv_post(self, base_widget) -> None:
        self.build_flows()

    def build_flows(self) -> None:
        """One big button per registered visitor flow."""
        app = App.get_running_app()
        box = self.ids.flows
        box.clear_widgets()
        for flow in sections.visitor_flows():
            button = BigButton(kind="primary", height="72dp", font_size="24sp")
            button.msgid = flow.title
            button.text = app.tr(flow.title, app.lang)
            app.bind(lang=lambda inst, lang, b=button: setattr(b, "text", app.tr(b.msgid, lang)))
            button.bind(on_release=lambda btn, name=flow.name: app.go(name))
            box.add_widget(button)
