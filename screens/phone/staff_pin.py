"""The visitor banner's staff path: "I answered" behind a staff PIN.

In visitor mode nobody is signed in, so the banner's outcome button asks for a staff member's name
and PIN first (kiosk.core.auth.sign_in, audited as user.call_answer; wrong PINs count towards the
lockout like the sign-in screen's). Nothing about the caller — number, name, history — is shown here,
before or after the PIN: a visitor may be standing at the screen. The PIN signs nobody in; the
visitor's half-filled form below stays as it was. The outcome goes through the bus as
"call.staff_answered" with who confirmed it (hardware.phone.runtime stores and audits it).
"""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import ObjectProperty
from kivy.uix.modalview import ModalView

from kiosk.core import auth
from screens.widgets.pin_chooser import PinChooser

Builder.load_file(str(Path(__file__).with_name("staff_pin.kv")))


class StaffAnswerPin(PinChooser, ModalView):
    """Choose your name, type your PIN: the ringing call is marked answered by you."""

    selected = ObjectProperty(None, allownone=True)
    names_box_id = "people"

    def __init__(self, prompt, call_no: int | None, call_id: int | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.prompt, self.call_no, self.call_id = prompt, call_no, call_id
        app = App.get_running_app()
        self.fill_names(app.desk.visitor_call(auth.users), height="52dp", font_size="17sp")

    def submit(self, pin: str) -> None:
        app = App.get_running_app()
        user = self.check_pin(pin, purpose="call_answer")
        if user is None:
            return
        self.dismiss()
        app.ctx.bus.publish("call.staff_answered", call_no=self.call_no, call_id=self.call_id,
                            actor=user.name, actor_id=user.id, actor_role=user.role)
        self.prompt.answered_by_pin(self.call_no)
        app.toast(app.tr("Call marked answered by {name}", app.lang).format(name=user.name))
