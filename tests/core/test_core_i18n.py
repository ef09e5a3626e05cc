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
# Refusals the counter and visitor services raise reach the screen as msgids too (app.tr_error).
ERROR_MSGID = re.compile(r"""\b(?:Counter|Visitor)Error\(\s*(?:"[a-z_]+",\s*)?(?P<q>["'])(?P<id>(?:\\.|(?!(?P=q)).)+)(?P=q)""")


def used_msgids() -> dict[str, str]:
    found = {}
    for folder in ("screens", "kiosk", "hardware"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".kv"):
                text = path.read_text("utf-8")
                for match in [*MSGID.finditer(text), *ERROR_MSGID.finditer(text)]:
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
