"""On-screen keyboard (中 pinyin / EN / 123) and a numeric pad, for a touchscreen with no keys.

The keyboard types into `target` (a TextInput), or into the TextInput last focused inside the
widgets given to `watch()`. It never asks for the system keyboard. kiosk.input.pinyin is imported only
when the first keyboard is created, and its index loads on a background thread; until it is ready
the candidate bar says so and the typed letters wait in the composition.
"""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.textinput import TextInput

Builder.load_file(str(Path(__file__).with_name("keyboard.kv")))

LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
SYMBOL_ROWS = ("1234567890", "-/:;()@.,", "#&+_?!'")
CANDIDATE_FETCH = None  # every candidate is fetched (a few ms): paging goes on, no cut-off
CANDIDATES_PER_PAGE = 6
KEY_MIN = 48            # px: the smallest key a finger hits reliably at 800 x 480
# candidate bar + 4 key rows of KEY_MIN, with the spacing and padding of keyboard.kv
KEYBOARD_MIN_HEIGHT = KEY_MIN * 5 + 4 * 5 + 8


def _tr(msgid: str) -> str:
    app = App.get_running_app()
    return app.tr(msgid, app.lang) if app is not None and hasattr(app, "tr") else msgid


class KeyButton(Button):
    """One key: `key` is what it sends (a character or a command such as "backspace")."""

    key = StringProperty("")
    kind = StringProperty("char")  # char | command | active


class CandidateButton(Button):
    """A candidate in the bar; `index` is its place in the fetched list."""

    index = NumericProperty(0)


class _TargetMixin:
    """Tracks the TextInput to type into."""

    def watch(self, root) -> None:
        """Follow focus among the TextInputs inside root (call again after adding fields)."""
        for widget in root.walk(restrict=True):
            if isinstance(widget, TextInput) and not getattr(widget, "_kiosk_kb_watched", False):
                widget._kiosk_kb_watched = True
                widget.bind(focus=self._on_field_focus)

    def _on_field_focus(self, field, focused) -> None:
        if focused:
            self.target = field

    def _field(self) -> TextInput | None:
        if self.target is not None:
            return self.target
        window = self.get_root_window()
        for widget in (window.walk(restrict=False) if window is not None else ()):
            if isinstance(widget, TextInput) and widget.focus:
                self.target = widget
                return widget
        return None

    def _refocus(self, field: TextInput) -> None:
        # A tap on a key takes focus away from the field; give it back so the cursor stays visible.
        field.focus = True


PINYIN_READY = "input.pinyin_ready"


class OnScreenKeyboard(_TargetMixin, BoxLayout):
    """Docked keyboard with modes 中 (pinyin + candidate bar), EN (letters, shift) and 123."""

    target = ObjectProperty(None, allownone=True)
    mode = OptionProperty("zh", options=("zh", "en", "num", "write"))
    shift = BooleanProperty(False)
    composition = StringProperty("")
    candidates = ListProperty([])
    page = NumericProperty(0)
    engine_ready = BooleanProperty(False)
    engine_failed = BooleanProperty(False)
    page_label = StringProperty("")
    handwriting_failed = BooleanProperty(False)
    # the pinyin being composed when the Write key (or, in a name field, EN/123) was tapped: shown in the bar
    # as a reminder, never typed as letters; dropped by a pick on the pad (or letters typed in EN/123),
    # given back to the composition on 中
    pad_context = StringProperty("")

    __events__ = ("on_enter", "on_close")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._engine = None
        self._start_engine()
        Clock.schedule_once(lambda dt: self._build_keys())
        self.bind(mode=lambda *a: self._build_keys(), shift=lambda *a: self._build_keys())

    # --- engine --------------------------------------------------------------------------------
    def _start_engine(self) -> None:
        from kiosk.input import pinyin  # lazy: never at import time of screens
        self._engine = pinyin.shared_engine()
        # The loader thread reaches this widget the one way workers reach the UI: an event on the bus.
        bus = App.get_running_app().ctx.bus
        self._unsubscribe_engine = bus.subscribe(PINYIN_READY, lambda event: self._engine_loaded())
        self._engine.load_in_background(lambda engine: bus.publish(PINYIN_READY, failed=engine.error is not None))

    def _engine_loaded(self) -> None:
        self._unsubscribe_engine()
        self.engine_failed = self._engine.error is not None
        self.engine_ready = not self.engine_failed
        self._refresh_candidates()

    # --- keys ----------------------------------------------------------------------------------
    def _build_keys(self) -> None:
        rows = self.ids.rows
        rows.clear_widgets()
        if self.mode == "write":
            self._build_pad(rows)
            return
        if self.mode == "num":
            char_rows = SYMBOL_ROWS
        elif self.mode == "en" and self.shift:
            char_rows = tuple(r.upper() for r in LETTER_ROWS)
        else:
            char_rows = LETTER_ROWS
        for i, chars in enumerate(char_rows):
            row = BoxLayout(spacing=self.key_spacing)
            if i == 2:
                if self.mode == "en":
                    row.add_widget(self._key("⇧", "shift", "active" if self.shift else "command", 1.5))
                elif self.mode == "zh":
                    row.add_widget(self._key("'", "'", "command", 1.5))
            elif i == 1 and self.mode != "num":
                row.padding = (self.width * 0.05, 0)  # staggered like a real keyboard
            for ch in chars:
                row.add_widget(self._key(ch, ch))
            if i == 2:
                row.add_widget(self._key("←", "backspace", "command", 1.5))
            rows.add_widget(row)
        bottom = BoxLayout(spacing=self.key_spacing)
        for label, key, width in (("123", "mode:num", 1.2), ("中", "mode:zh", 1.0), ("EN", "mode:en", 1.0)):
            bottom.add_widget(self._key(label, key, "active" if key == f"mode:{self.mode}" else "command", width))
        # handwriting: for a name nobody can spell in pinyin (or a visitor who does not use it)
        bottom.add_widget(self._key(_tr("Write"), "mode:write", "command", 1.2, word="Write"))
        bottom.add_widget(self._key(_tr("Space"), "space", "char", 2.4, word="Space"))
        bottom.add_widget(self._key(_tr("Next"), "enter", "command", 1.6, word="Next"))
        bottom.add_widget(self._key(_tr("Hide"), "close", "command", 1.4, word="Hide"))
        rows.add_widget(bottom)

    def _build_pad(self, rows) -> None:
        from screens.widgets.keyboard_write import WritingPad
        if getattr(self, "_pad", None) is None:
            self._pad = WritingPad()
            self._pad.bind(on_strokes=lambda pad, strokes: self._recognise(strokes))
        if self._pad.parent is not None:
            self._pad.parent.remove_widget(self._pad)
        rows.add_widget(self._pad)
        bottom = BoxLayout(spacing=self.key_spacing, size_hint_y=None, height=max(KEY_MIN, self.height / 5 - 8))
        bottom.add_widget(self._key("中", "mode:zh", "command", 1.0))
        bottom.add_widget(self._key("EN", "mode:en", "command", 1.0))
        bottom.add_widget(self._key(_tr("Undo stroke"), "undo_stroke", "command", 2.0, word="Undo stroke"))
        bottom.add_widget(self._key(_tr("Clear"), "clear_pad", "command", 1.6, word="Clear"))
        # the last character of the field: a wrong pick is fixed without leaving the pad
        bottom.add_widget(self._key("←", "backspace", "command", 1.2))
        bottom.add_widget(self._key(_tr("Hide"), "close", "command", 1.4, word="Hide"))
        rows.add_widget(bottom)
        self.candidates = []
        self._show_page()

    def _recognise(self, strokes) -> None:
        """Recognise what is on the pad (on the main thread: Zinnia takes ~10 ms)."""
        if not strokes:
            self.candidates = []
            self._show_page()
            return
        try:
            from kiosk.input.handwriting import shared_recognizer
            guesses = shared_recognizer().classify(strokes, 18)
        except Exception:  # noqa: BLE001 - no Zinnia on this box: the pad says so, keys still work
            import logging
            logging.getLogger(__name__).exception("handwriting unavailable")
            self.handwriting_failed = True
            guesses = []
        from kiosk.input.pinyin import Candidate
        self.candidates = [Candidate(g.text, 0, g.score) for g in guesses]
        self.page = 0
        self._show_page()

    def _key(self, label: str, key: str, kind: str = "char", width: float = 1.0, word: str = "") -> KeyButton:
        button = KeyButton(text=label, key=key, kind=kind, size_hint_x=width)
        if word:
            button.msgid = word  # re-translated on a language switch (relabel())
        button.bind(on_release=lambda b: self.press(b.key))
        return button

    def relabel(self) -> None:
        """Re-translate the word keys (the app calls nothing; the kv binds app.lang to this)."""
        for row in self.ids.rows.children:
            for key in row.children:
                msgid = getattr(key, "msgid", "")
                if msgid:
                    key.text = _tr(msgid)

    def reset_input(self, mode: str | None = None) -> None:
        """Nothing of the last person's typing survives: the half-typed pinyin, its candidate bar, the page
        and shift, and the handwriting pad's strokes (which the next stroke would be recognised with)."""
        self.composition = ""
        self.pad_context = ""
        self.candidates = []
        self.page, self.shift = 0, False
        pad = getattr(self, "_pad", None)
        if pad is not None:
            pad.strokes = []
            paint = getattr(pad, "_paint", None)
            if callable(paint):
                paint()
        if mode is not None:
            self.mode = mode

    def press(self, key: str) -> None:
        """Handle one key: a character, or "backspace", "space", "enter", "close", "shift", "mode:X"."""
        if key.startswith("mode:"):
            new = key[5:]
            if new == self.mode:
                pass  # 中 tapped in 中: the composition goes on (it typed the pinyin as letters)
            elif new == "write" and self.mode != "write":
                # the half-typed pinyin is why the visitor reached for the pad (the hint says so):
                # set aside as the pad's context, never typed into the name as Latin letters
                self.pad_context, self.composition = self.composition or self.pad_context, ""
            elif self.mode in ("write", "en", "num") and self.pad_context and new != self.mode:
                # back to 中 before picking a character: the pinyin is still there to go on with
                context, self.pad_context = self.pad_context, ""
                if new == "zh":
                    self.composition = context
                elif self.mode != "write":
                    self.pad_context = context  # from EN/123 on to 123/EN/Write: still set aside
            elif self.mode == "zh" and new != "zh" and self.composition and self._in_name_field():
                # a name is characters: EN/123 sets the half-typed pinyin aside (shown in the bar, back on
                # 中, and Continue asks for its characters), never types it into the name as letters
                self.pad_context, self.composition = self.composition, ""
            else:
                self._commit_raw()
            self.mode = new
            self.shift = False
            if self.mode != "write":
                self._refresh_candidates()
            return
        if key == "shift":
            self.shift = not self.shift
            return
        if key in ("undo_stroke", "clear_pad"):
            pad = getattr(self, "_pad", None)
            if pad is not None:
                pad.undo() if key == "undo_stroke" else pad.clear()
            return
        if key == "close":
            if self.mode == "write" or not self._in_name_field():
                self.pad_context = ""  # the pad's context is no text of the field's
            if not (self.composition and self._in_name_field()):
                self._commit_raw()
            # in a name field the pinyin stays composed (its candidates come back with the keys, and
            # Continue asks for its characters): hiding the keys is no choice of letters for a name
            self.dispatch("on_close")
            return
        if self.mode == "zh" and len(key) == 1 and (key.isascii() and key.isalpha() or (key == "'" and self.composition)):
            self.composition += key.lower()
            return
        if self.mode == "zh" and self.composition and len(key) == 1 and (key in "12345:" or key in "üÜ"):
            # a tone number ends its syllable (zhang1), ü / u: is v: the engine reads them as such
            if len(self.composition) < 64:
                self.composition += "v" if key in "üÜ" else key
            return
        if key == "backspace":
            if self.composition:
                self.composition = self.composition[:-1]
            else:
                self._with_field(lambda f: f.do_backspace())
            return
        if key == "space":
            if self.composition:
                if self.candidates:
                    self.pick(0)
                return
            self._insert(" ")
            return
        if key == "enter":
            if self.composition:
                if not self._in_name_field():
                    self._commit_raw()  # a general field: Enter types the letters, as Sogou's does
                # a name field: keep composing. Never the letters, and never a first candidate guessed
                # for the visitor: which character is in their name is theirs to pick
                return
            self._enter()
            return
        if self.pad_context and self.mode in ("en", "num"):
            self.pad_context = ""  # typed on in letters: the visitor chose letters over the pinyin set aside
        self._insert(key)
        if self.mode == "en" and self.shift:
            self.shift = False  # one capital, like a phone keyboard

    def _insert(self, text: str) -> None:
        self._with_field(lambda f: f.insert_text(text))

    def _with_field(self, action) -> None:
        field = self._field()
        if field is None:
            return
        self._refocus(field)
        action(field)

    def _commit_raw(self) -> None:
        """Type the pending pinyin as plain letters (Enter, mode switch or close while composing)."""
        if self.composition:
            text, self.composition = self.composition.replace("'", ""), ""
            self._insert(text)

    def _enter(self) -> None:
        field = self._field()
        self.dispatch("on_enter", field)
        if field is None:
            return
        if field.multiline:
            self._insert("\n")
            return
        field.dispatch("on_text_validate")
        following = field.get_focus_next()
        if isinstance(following, TextInput):
            self.target = following
            following.focus = True

    def on_height(self, *args) -> None:
        # never so short that a key falls under 48 px (the host and sign-out steps squeezed it to 41)
        if self.height < KEYBOARD_MIN_HEIGHT:
            self.height = KEYBOARD_MIN_HEIGHT

    def on_enter(self, field) -> None:
        """Enter/Next was pressed on `field` (before focus moves on)."""

    def on_close(self) -> None:
        """The Hide key: the owner removes or hides the keyboard."""

    # --- candidates ----------------------------------------------------------------------------
    def on_composition(self, *args) -> None:
        self.page = 0
        self._refresh_candidates()

    def _refresh_candidates(self) -> None:
        if self.mode == "write":
            return  # the pad fills the bar
        if not self.composition or not self.engine_ready:
            self.candidates = []
        else:
            kind = self._field_kind()
            self.candidates = self._engine.candidates(self.composition, CANDIDATE_FETCH, kind,
                                                      before=self._text_before() if kind == "given" else "")
        self._show_page()

    def _field_kind(self) -> str:
        """"surname"/"given" in a name field (input_kind: "name" in kv), else "general"."""
        field = self.target
        if field is None or getattr(field, "input_kind", "") != "name":
            return "general"
        before = field.text[:field.cursor_index()] if hasattr(field, "cursor_index") else field.text
        return "given" if before.strip() else "surname"

    def unfinished(self) -> str:
        """What was typed but not yet picked: "pinyin" (composed, or set aside), "written" (a character on the
        pad, shown in the bar, not picked), else "". A screen refuses to go on with either."""
        if self.composition.strip("' ") or self.pad_context:
            return "pinyin"
        pad = getattr(self, "_pad", None)
        if self.mode == "write" and pad is not None and pad.strokes:
            return "written"
        return ""

    def _in_name_field(self) -> bool:
        """The target is a name field (its text must be characters the visitor picked, never pinyin)."""
        return self._field_kind() != "general"

    def _text_before(self) -> str:
        """What the field holds before the cursor (the name so far)."""
        field = self.target
        if field is None:
            return ""
        return field.text[:field.cursor_index()] if hasattr(field, "cursor_index") else field.text

    def on_page(self, *args) -> None:
        self._show_page()

    def _show_page(self) -> None:
        bar = self.ids.candidate_row
        bar.clear_widgets()
        start = self.page * CANDIDATES_PER_PAGE
        for i, cand in enumerate(self.candidates[start:start + CANDIDATES_PER_PAGE], start):
            button = CandidateButton(text=cand.text, index=i, size_hint_x=len(cand.text) + 1.5)
            button.bind(on_release=lambda b: self.pick(b.index))
            bar.add_widget(button)
        pages = (len(self.candidates) + CANDIDATES_PER_PAGE - 1) // CANDIDATES_PER_PAGE
        self.page_label = f"{self.page + 1}/{pages}" if pages > 1 else ""

    def turn_page(self, step: int) -> None:
        """Show the next (+1) or previous (-1) page of candidates."""
        last = max(0, (len(self.candidates) - 1) // CANDIDATES_PER_PAGE)
        self.page = min(last, max(0, self.page + step))

    def pick(self, index: int) -> None:
        """Type candidate `index`; the pinyin it covers leaves the composition, the rest stays."""
        cand = self.candidates[index]
        rest = self.composition[cand.consumed:].lstrip("' 12345:")
        self._insert(cand.text)
        if self.mode == "write":
            self.pad_context = ""  # the character written stands for the pinyin set aside
            self._pad.clear()  # ready for the next character
            return
        self.composition = rest

    @property
    def key_spacing(self) -> float:
        from kivy.metrics import dp
        return dp(4)


class NumPad(_TargetMixin, BoxLayout):
    """Digits and backspace for phone numbers; `decimal=True` adds "." for money amounts."""

    target = ObjectProperty(None, allownone=True)
    decimal = BooleanProperty(False)
    ok_key = BooleanProperty(False)   # a "Done" key under the digits (the staff dock's numpad)

    __events__ = ("on_enter", "on_typed")

    def press(self, key: str) -> None:
        """Type a digit or ".", or "backspace" / "enter"."""
        if key == "backspace":
            self._with_field(lambda f: f.do_backspace())
        elif key == "enter":
            self.dispatch("on_enter", self._field())
            return
        elif key == "." and not self.decimal:
            return
        else:
            self._with_field(lambda f: f.insert_text(key))
        field = self._field()
        self.dispatch("on_typed", field.text if field is not None else "")

    def _with_field(self, action) -> None:
        field = self._field()
        if field is not None:
            self._refocus(field)
            action(field)

    def on_enter(self, field) -> None:
        """OK was pressed."""

    def on_typed(self, text: str) -> None:
        """A key changed the field (its text now): a screen may go on by itself when it is complete."""
