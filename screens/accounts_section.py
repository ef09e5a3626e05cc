"""Staff accounts on screen (kiosk.core.auth does the work, audits every change).

A manager sees every account (active or not, locked or not) and adds one, renames, resets a PIN,
deactivates, reactivates and unlocks; each change asks a manager's PIN first (ManagerApproval), so a
manager who walked away signed in does not leave the accounts open to the next person at the counter.
Everyone, staff included, changes their own PIN here with their current one. PINs are typed on a PIN
pad (a new one twice), never into a text field a keyboard could remember; refusals are shown in the
screen's language on the field they are about: the name under the name field, a PIN on the pad.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from kivy.app import App
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from kiosk.core import auth
from kiosk.core.errors import Refusal
from screens.widgets.common import BigButton, show_refusal

Builder.load_file(str(Path(__file__).with_name("accounts_section.kv")))

ROLE_LABELS = {"staff": "Staff", "manager": "Manager"}  # msgids
NEW_PIN = ("New PIN (4 to 8 digits)", "Type the new PIN again")  # msgids
CURRENT_PIN = "Your current PIN"  # msgid


class PinEntry(ModalView):
    """A PIN typed on the pad once per prompt; `callback(pins)` gets them all. Each PIN may be checked
    as it is typed (`check(index, pin)` raises a Refusal, shown on the pad, and the same prompt stays);
    a repeated new PIN that differs starts the new PIN over."""

    prompt = StringProperty("")

    def __init__(self, prompts: tuple[str, ...], callback: Callable[[list[str]], None],
                 check: Callable[[int, str], None] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.prompts, self.callback, self.check = prompts, callback, check
        self.pins: list[str] = []
        self._show()

    def _show(self) -> None:
        app = App.get_running_app()
        self.prompt = app.tr(self.prompts[len(self.pins)], app.lang)

    def submit(self, pin: str) -> None:
        app = App.get_running_app()
        pad = self.ids.pad
        pad.pin = ""
        index = len(self.pins)
        if index and self.prompts[index] == NEW_PIN[1] and pin != self.pins[index - 1]:
            self.pins.pop()  # back to the first of the two
            pad.message = app.tr("The two PINs differ: type the new PIN again", app.lang)
            self._show()
            return
        if self.check is not None:
            try:
                self.check(index, pin)
            except auth.AuthError as exc:
                pad.message = show_refusal(exc)
                return
        pad.message = ""
        self.pins.append(pin)
        if len(self.pins) < len(self.prompts):
            self._show()
            return
        # Once only, and let go of the callback and the PINs: a closed popup may outlive the app.
        callback, pins = self.callback, self.pins
        self.callback, self.pins = None, []
        self.dismiss()
        if callback is not None:
            callback(pins)


def _new_pin_check(first_new: int) -> Callable[[int, str], None]:
    """A new PIN is checked (4 to 8 digits) as soon as it is typed, not after a manager's approval."""
    def check(index: int, pin: str) -> None:
        if index == first_new:
            auth.validate_pin(pin)
    return check


class AccountsSection(Screen):
    selected = ObjectProperty(None, allownone=True)  # an account dict from auth.all_accounts, or None: new
    is_manager = BooleanProperty(False)
    new_role = StringProperty("staff")
    message = StringProperty("")
    error = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        self.choose(None)

    # --- the list ------------------------------------------------------------------------------
    def load(self) -> None:
        app = App.get_running_app()
        self.is_manager = bool(app.user and app.user.role == "manager")
        # alternatives are screens, never stacked hidden widgets (a hidden button still takes touches)
        self.ids.views.current = "manager" if self.is_manager else "staff"
        self.ids.actions.current = "existing" if self.selected else "new"
        box = self.ids.account_list
        if not self.is_manager:
            box.clear_widgets()
            return
        box.clear_widgets()
        chosen = self.selected["id"] if self.selected else None
        for account in app.desk.call(auth.all_accounts):
            # two lines at most, whatever the name's length: the name, then role and state
            button = BigButton(text=self._label(account), font_size="14sp", height=dp(60), max_lines=2,
                               shorten=True, shorten_from="right",
                               kind="primary" if account["id"] == chosen else "quiet")
            button.bind(on_release=lambda _b, a=account: self.choose(a))
            box.add_widget(button)

    def _label(self, account: dict) -> str:
        app = App.get_running_app()
        state = (app.tr("Deactivated", app.lang) if not account["active"] else
                 app.tr("Locked for {seconds} s", app.lang).format(seconds=account["locked"]) if account["locked"]
                 else app.tr("Active", app.lang))
        name = account["name"] if len(account["name"]) <= 18 else account["name"][:17] + "…"
        return f"{name}\n{app.tr(ROLE_LABELS[account['role']], app.lang)} · {state}"

    def choose(self, account: dict | None) -> None:
        self.selected = account
        self.ids.name.text = account["name"] if account else ""
        self.ids.name.error = self.message = self.error = ""
        self.new_role = "staff"
        self.load()

    def _refresh(self, text: str) -> None:
        """After a change: the list and the chosen account re-read, and the message says what was done."""
        app = App.get_running_app()
        chosen = self.selected["id"] if self.selected else None
        account = next((a for a in app.desk.call(auth.all_accounts) if a["id"] == chosen), None)
        self.choose(account)
        self.message = text

    # --- changes, each after a manager's PIN ---------------------------------------------------
    def _approved(self, reason: str, action: Callable) -> None:
        """Ask a manager's PIN, then run action(manager); a refusal goes on the name field when it is about
        the name, else under the buttons."""
        app = App.get_running_app()

        def run(manager) -> None:
            try:
                action(manager)
            except Refusal as exc:
                text = show_refusal(exc, {"name": self.ids.name})
                if exc.field != "name":
                    self.error = text
        app.require_manager(run, app.tr(reason, app.lang))

    def _checked_name(self) -> str | None:
        try:
            return auth.clean_name(self.ids.name.text)
        except auth.AuthError as exc:
            show_refusal(exc, {"name": self.ids.name}, default=self.ids.name)
            return None

    def add(self) -> None:
        name = self._checked_name()
        if name is None:
            return
        role = self.new_role
        app = App.get_running_app()

        def with_pins(pins: list[str]) -> None:
            def act(manager) -> None:
                made = app.desk.call(auth.add_user, name, role, pins[0], actor=manager.actor())
                self.selected = {"id": made.id}
                self._refresh(app.tr("Account added: {name}", app.lang).format(name=made.name))
            self._approved("Add an account", act)
        PinEntry(NEW_PIN, with_pins, check=_new_pin_check(0)).open()

    def rename(self) -> None:
        name = self._checked_name()
        if name is None or self.selected is None:
            return
        app = App.get_running_app()
        account = self.selected

        def act(manager) -> None:
            app.desk.call(auth.rename_user, account["id"], name, actor=manager.actor())
            if app.user is not None and app.user.id == account["id"]:  # renamed themselves: the desk follows
                app.user = auth.User(app.user.id, name, app.user.role)
            self._refresh(app.tr("Renamed to {name}", app.lang).format(name=name))
        self._approved("Rename an account", act)

    def reset_pin(self) -> None:
        if self.selected is None:
            return
        app = App.get_running_app()
        account = self.selected

        def with_pins(pins: list[str]) -> None:
            def act(manager) -> None:
                app.desk.call(auth.reset_pin, account["id"], pins[0], actor=manager.actor())
                self._refresh(app.tr("New PIN set for {name}", app.lang).format(name=account["name"]))
            self._approved("Reset a PIN", act)
        PinEntry(NEW_PIN, with_pins, check=_new_pin_check(0)).open()

    def toggle_active(self) -> None:
        if self.selected is None:
            return
        app = App.get_running_app()
        account = self.selected
        active = not account["active"]

        def act(manager) -> None:
            app.desk.call(auth.set_active, account["id"], active, actor=manager.actor())
            if not active and app.user is not None and app.user.id == account["id"]:
                app.sign_out()  # deactivated themselves: their PIN no longer works, nor does this session
                return
            done = "Reactivated: {name}" if active else "Deactivated: {name}"
            self._refresh(app.tr(done, app.lang).format(name=account["name"]))
        self._approved("Reactivate an account" if active else "Deactivate an account", act)

    def unlock(self) -> None:
        if self.selected is None:
            return
        app = App.get_running_app()
        account = self.selected

        def act(manager) -> None:
            app.desk.call(auth.unlock, account["id"], actor=manager.actor())
            self._refresh(app.tr("Unlocked: {name}", app.lang).format(name=account["name"]))
        self._approved("Unlock an account", act)

    # --- everyone: their own PIN ---------------------------------------------------------------
    def change_own_pin(self) -> None:
        app = App.get_running_app()
        self.message = self.error = ""

        def with_pins(pins: list[str]) -> None:
            old, new, _ = pins
            try:
                app.desk.call(auth.change_own_pin, app.user.id, old, new)
            except Refusal as exc:
                self.error = show_refusal(exc)
                return
            self.message = app.tr("Your PIN is changed", app.lang)
        PinEntry((CURRENT_PIN, *NEW_PIN), with_pins, check=_new_pin_check(1)).open()
