"""Every on-screen text has a Simplified-Chinese translation, and the font has every character."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.core import fonts
from kiosk.core import i18n

ROOT = Path(__file__).resolve().parents[2]
# tr("...") / app.tr('...') / _("...") with a literal msgid, in Python and kv files.
MSGID = re.compile(r"""(?:\btr|\b_)\(\s*(?P<q>["'])(?P<id>(?:\\.|(?!(?P=q)).)+)(?P=q)""")
# Refusals (kiosk.core.errors.Refusal and its subclasses) are checked from the syntax tree below.


def used_msgids() -> dict[str, str]:
    found = {}
    for folder in ("screens", "kiosk", "hardware"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".kv"):
                text = path.read_text("utf-8")
                for match in MSGID.finditer(text):
                    found.setdefault(match.group("id").encode().decode("unicode_escape")
                                     if "\\" in match.group("id") else match.group("id"), str(path.relative_to(ROOT)))
    from screens import sections, status
    for section in sections.STAFF_SECTIONS + sections.VISITOR_FLOWS:
        found.setdefault(section.title, "screens/sections.py")
    for text in status.STATE_TEXT.values():
        found.setdefault(text, "screens/status.py")
    return found


def test_every_screen_text_is_translated():
    catalogue = i18n.catalogue("zh_CN")
    missing = {msgid: where for msgid, where in used_msgids().items() if msgid not in catalogue}
    assert not missing, "untranslated msgids (add them to data/locale/zh_CN/LC_MESSAGES/<area>.po):\n" + \
        "\n".join(f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda kv: kv[1]))


def test_placeholders_survive_translation():
    for msgid, text in i18n.catalogue("zh_CN").items():
        assert set(re.findall(r"\{\w*\}", msgid)) == set(re.findall(r"\{\w*\}", text)), msgid


@pytest.mark.parametrize("bold", [False, True])
def test_font_has_every_character_of_the_chinese_catalogue(bold):
    charset = fonts.font_charset(fonts.sc_font_path(bold=bold))
    needed = {ch for text in i18n.catalogue("zh_CN").values() for ch in text if not ch.isspace()}
    missing = sorted(ch for ch in needed if ord(ch) not in charset)
    assert not missing, f"glyphs missing from the SC font: {''.join(missing)}"


def test_font_is_the_simplified_chinese_face():
    from fontTools.ttLib import TTFont
    with TTFont(str(fonts.sc_font_path())) as font:
        assert font["name"].getDebugName(1) == fonts.SC_FAMILY
        # A single face, not a collection whose first face is Japanese.
    assert fonts.sc_font_path().read_bytes()[:4] != b"ttcf"


def test_english_needs_no_catalogue_and_switch_notifies():
    lang = i18n.Language("zh_CN")
    heard = []
    lang.on_change(heard.append)
    assert lang._("Welcome") == "欢迎光临"
    lang.set("en")
    assert lang._("Welcome") == "Welcome" and heard == ["en"]
    with pytest.raises(ValueError):
        lang.set("fr")


def test_no_two_catalogues_translate_one_msgid_differently():
    from babel.messages.pofile import read_po
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in i18n.catalogue_files("zh_CN"):
        with path.open("rb") as fh:
            for message in read_po(fh):
                if not message.id or not message.string:
                    continue
                earlier = seen.setdefault(message.id, (message.string, path.name))
                if earlier[0] != message.string:
                    clashes.append(f"{message.id!r}: {earlier[1]} says {earlier[0]!r}, {path.name} says {message.string!r}")
    assert not clashes, "\n".join(clashes)


def test_no_catalogue_defines_a_msgid_twice():
    """babel keeps the last of two definitions silently (msgfmt refuses the file): one msgid, one entry."""
    twice = []
    for path in i18n.catalogue_files("zh_CN"):
        ids = re.findall(r'^msgid ((?:"(?:[^"\\]|\\.)*"\s*)+)', path.read_text("utf-8"), re.M)
        counted: dict[str, int] = {}
        for raw in ids:
            counted[raw.strip()] = counted.get(raw.strip(), 0) + 1
        twice += [f"{path.name}: {raw}" for raw, n in counted.items() if n > 1 and raw != '""']
    assert not twice, "\n".join(twice)


def test_font_has_every_symbol_the_screens_draw():
    """Literal symbols in screen code (arrows, ticks, minus signs) must exist in the SC font, or they
    render as empty boxes on the kiosk."""
    charset = fonts.font_charset(fonts.sc_font_path())
    missing = {}
    for path in sorted((ROOT / "screens").rglob("*")):
        if path.suffix not in (".py", ".kv"):
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            code = line.split("#", 1)[0] if path.suffix == ".kv" else line
            if path.suffix == ".py" and code.lstrip().startswith(('"""', "#")):
                continue
            for ch in code:
                if ord(ch) > 127 and ord(ch) not in charset:
                    missing.setdefault(ch, f"{path.relative_to(ROOT)}:{number}")
    assert not missing, f"symbols the SC font cannot draw: {missing}"


# --- refusals -----------------------------------------------------------------------------------------
# Text checkers compose their msgid from a field label ("{label} is required"); every composed msgid is
# checked by calling the checker at each of its call sites (test_every_composed_refusal_is_translated).
COMPOSED = {("kiosk.visitors.service", "clean_text"), ("kiosk.lostfound.service", "_text"),
            ("kiosk.phone.calllog", "_clean"), ("kiosk.counter.sales", "counter_text"),
            ("kiosk.complaints.service", "_clean")}
# A checker called from other modules of its package (the counter's fields sit in fees, shifts, stock counts).
COMPOSED_CALLERS = {"counter_text": "kiosk/counter"}


def _kiosk_modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted((ROOT / "kiosk").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out.append((".".join(parts[:-1] if parts[-1] == "__init__" else parts), path))
    return out


def refusal_classes() -> dict[str, type]:
    """Every Refusal subclass defined in kiosk/, by class name."""
    import importlib
    from kiosk.core.errors import Refusal
    for name, _ in _kiosk_modules():
        importlib.import_module(name)
    found, todo = {"Refusal": Refusal}, [Refusal]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("kiosk."):
                found[sub.__name__] = sub
                todo.append(sub)
    return found


def raised_refusals() -> list[tuple[str, str, str | None]]:
    """(where, kind, msgid) for every `raise <Refusal subclass>(...)` in kiosk/.

    kind: "literal" (msgid known), "composed" (an f-string inside a COMPOSED checker), "fstring" (an
    f-string anywhere else: values belong in params) or "unknown" (a msgid the test cannot resolve).
    """
    import ast
    classes = refusal_classes()
    out = []
    for module, path in _kiosk_modules():
        tree = ast.parse(path.read_text("utf-8"))
        constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                     and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
                     for t in n.targets if isinstance(t, ast.Name)}
        tables = {t.id: [v.value for v in n.value.values] for n in tree.body if isinstance(n, ast.Assign)
                  and isinstance(n.value, ast.Dict) and n.value.values
                  and all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in n.value.values)
                  for t in n.targets if isinstance(t, ast.Name)}  # module-level {key: msgid} tables
        functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        for function in functions.values():
            for node in ast.walk(function):
                if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                    continue
                func = node.exc.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name not in classes:
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                arg = node.exc.args[0] if node.exc.args else next(
                    (k.value for k in node.exc.keywords if k.arg == "msgid"), None)
                if arg is None:  # the class's default msgid
                    import inspect
                    default = inspect.signature(classes[name].__init__).parameters.get("msgid")
                    out.append((where, "literal" if default and isinstance(default.default, str) else "unknown",
                                default.default if default else None))
                elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    out.append((where, "literal", arg.value))
                elif isinstance(arg, ast.JoinedStr):
                    out.append((where, "composed" if (module, function.name) in COMPOSED else "fstring", None))
                elif (isinstance(arg, ast.Subscript) and isinstance(arg.value, ast.Name)
                      and arg.value.id in tables):
                    out.extend((where, "literal", msgid) for msgid in tables[arg.value.id])
                elif isinstance(arg, ast.Name) and arg.id in constants:
                    out.append((where, "literal", constants[arg.id]))
                elif isinstance(arg, ast.Name) and arg.id in [a.arg for a in function.args.args]:
                    # a msgid handed in by the caller: check the literal at every call site in the module
                    position = [a.arg for a in function.args.args].index(arg.id)
                    for call in ast.walk(tree):
                        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                                and call.func.id == function.name and len(call.args) > position):
                            given = call.args[position]
                            out.append((f"{path.relative_to(ROOT)}:{call.lineno}",
                                        "literal" if isinstance(given, ast.Constant) else "unknown",
                                        given.value if isinstance(given, ast.Constant) else None))
                else:
                    out.append((where, "unknown", None))
    return out


def test_every_refusal_raised_in_kiosk_has_a_chinese_translation():
    catalogue = i18n.catalogue("zh_CN")
    found = raised_refusals()
    assert len(found) > 140, "the scan found too few refusals to be looking in the right place"
    assert {n for n in refusal_classes()} >= {"CounterError", "VisitorError", "LostFoundError", "CallLogError",
                                              "AuthError", "LockedOut", "SettingError", "AmountError",
                                              "ExportError", "RangeError", "ImportError_"}
    bad = [f"{where}: {kind} {msgid!r}" for where, kind, msgid in found
           if kind in ("fstring", "unknown") or (kind == "literal" and msgid not in catalogue)]
    assert not bad, "refusals need a literal msgid (values as params) with a zh_CN translation:\n" + "\n".join(bad)


def test_every_composed_refusal_is_translated():
    """The text checkers build "<label> is required" and the like: call each at each of its call sites."""
    import ast
    import importlib
    import inspect
    from kiosk.core.errors import Refusal
    catalogue = i18n.catalogue("zh_CN")
    checked, missing = 0, []
    for module, function in sorted(COMPOSED):
        checker = getattr(importlib.import_module(module), function)
        own = ROOT / (module.replace(".", "/") + ".py")
        paths = sorted((ROOT / COMPOSED_CALLERS[function]).glob("*.py")) if function in COMPOSED_CALLERS else [own]
        calls = [(path, call) for path in paths for call in ast.walk(ast.parse(path.read_text("utf-8")))]
        for path, call in calls:
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == function):
                continue
            args = [a.value if isinstance(a, ast.Constant) else None for a in call.args[1:]]
            kwargs = {k.arg: k.value.value for k in call.keywords if isinstance(k.value, ast.Constant)}
            if None in args:
                continue  # the checker's own recursive or generic use
            default_limit = inspect.signature(checker).parameters.get("limit")
            limit = kwargs.get("limit", default_limit.default if default_limit and isinstance(
                default_limit.default, int) else 200)
            for value in (["", "x" * (limit + 1), "a\x01b"] + (["a\U0001F600"] if function == "clean_text" else [])):
                try:
                    checker(value, *args, **kwargs)
                except Refusal as exc:
                    checked += 1
                    if exc.msgid not in catalogue:
                        missing.append(f"{path.relative_to(ROOT)}:{call.lineno}: {exc.msgid!r}")
                    assert exc.field, f"{exc.msgid!r} names no field"
    assert checked > 40 and not missing, "\n".join(missing)


def test_refusal_shape_message_and_params():
    from kiosk.core.errors import Refusal, message_of
    from kiosk.counter.sales import CounterError
    from kiosk.lostfound.service import LostFoundError
    exc = CounterError("only {stock} in stock; cannot take out {quantity}", field="quantity", stock=2, quantity=5)
    assert isinstance(exc, Refusal) and isinstance(exc, ValueError)
    assert (exc.msgid, exc.field, exc.params) == ("only {stock} in stock; cannot take out {quantity}", "quantity",
                                                  {"stock": 2, "quantity": 5})
    assert str(exc) == "only 2 in stock; cannot take out 5" == exc.message("en")
    assert "2" in exc.message("zh_CN") and "5" in exc.message("zh_CN") and exc.message("zh_CN") != str(exc)
    # values are never parsed back out of text, and a value that looks like a placeholder stays a value
    odd = LostFoundError("no item {ref}", field="ref", ref="{quantity}")
    assert odd.message("en") == "no item {quantity}" and "{quantity}" in odd.message("zh_CN")
    assert Refusal("no item {ref}").message("zh_CN") == "没有编号为 {ref} 的物品"  # no params: text as is
    # a param the sentence does not name cannot hide the refusal
    assert Refusal("no item {ref}", other=1).message("zh_CN").startswith("no item {ref} other=1")
    # anything that is not a refusal shows its kind only: raw text may be English or personal data
    shown = message_of(ValueError("Welcome 王小明"), "zh_CN")
    assert "ValueError" in shown and "Welcome" not in shown and "王小明" not in shown and shown != message_of(
        ValueError("x"), "en")
    with pytest.raises(TypeError):
        Refusal("")


def test_storage_faults_read_as_what_they_mean_in_the_screens_language():
    import errno

    from kiosk.core.errors import message_of
    from kiosk.reports.files import ExportError
    from kiosk.core.errors import os_reason
    full = OSError(errno.ENOSPC, "No space left on device")
    assert "已满" in message_of(full, "zh_CN") and "No space" not in message_of(full, "zh_CN")
    assert "full" in message_of(full, "en")
    refusal = ExportError("cannot create {folder}: {reason}", folder="/media/x", reason=os_reason(
        OSError(errno.EROFS, "Read-only file system")))
    assert refusal.message("zh_CN").endswith("磁盘或 U 盘为只读") and "Read-only" not in refusal.message("zh_CN")
    assert "read-only" in str(refusal)
