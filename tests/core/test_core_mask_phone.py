"""mask_phone on every form a contact number is written in: mobiles and landlines with and without +86,
area codes of two and three digits, extensions, other countries, and garbage. The rule: never more of the
subscriber's number than its last 4 digits; the head shown (network prefix, area or country code) names no
one; never raises; readable."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.core.privacy import MAX_STARS, mask_phone


@pytest.mark.parametrize("phone, masked", [
    ("+86 10 6552 9988", "+86 10 ****9988"), ("010-65529988", "010-****9988"), ("(010) 6552-9988", "010-****9988"),
    ("+86-21-5555 1234", "+86 21 ****1234"), ("0755 8888 8888", "0755-****8888"), ("+86 755 8888 8888", "+86 755 ****8888"),
    ("0571-8765432", "0571-***5432"), ("+86 (0)10 6552 9988", "+86 10 ****9988"), ("0086 10 65529988", "+86 10 ****9988"),
    ("010-65529988 ext 123", "010-****9988 ext ***"), ("010-65529988转123", "010-****9988 转***"),
    ("0755-88888888 分机 8001", "0755-****8888 分机****"), ("+1 (212) 555-0199 x12", "+1 ******0199 x **"),
    ("+86 138 0013 8000", "138****8000"), ("138-0013-8000", "138****8000"), ("１３８００１３８０００", "138****8000"),
    ("+44 20 7946 0958", "+44 ******0958"), ("65529988", "****9988"),
    ("", ""), ("abc", ""), ("+++", ""), ("转转", ""), ("8613", "****"), ("12345", "*****"), (None, ""),
])
def test_each_form_is_masked_readably(phone, masked):
    assert mask_phone(phone) == masked


def _shape(masked: str) -> str:
    """The digits and stars of a masked number, in order (spaces, dashes, '+' and markers dropped)."""
    return re.sub(r"[^\d*]", "", masked)


@settings(deadline=200, max_examples=400)
@given(st.text(max_size=120) | st.from_regex(r"\+?[0-9 ()\-.]{0,40}(转|ext|#|x)?[0-9]{0,8}", fullmatch=True))
def test_anything_masks_without_raising_and_shows_at_most_a_head_and_the_last_four(text):
    out = mask_phone(text)
    assert isinstance(out, str) and len(out) <= 40
    shape = _shape(out)
    # a head of at most 5 digits (86 + a 3-digit area), stars, at most 4 digits, and a hidden extension
    assert re.fullmatch(r"\d{0,5}\**\d{0,4}\**", shape), (text, out)
    head, tail = re.match(r"(\d*)\**(\d*)", shape).groups()
    if not head and not tail:
        return
    digits = re.sub(r"\D", "", __import__("unicodedata").normalize("NFKC", text)[:64])
    if tail:
        assert tail in digits, (text, out)  # the shown tail is the number's own digits, never made up
    if "*" not in shape:
        assert not digits.strip("0") or len(head + tail) <= 5, (text, out)


_SEPARATORS = st.sampled_from(["", " ", "-", "  ", ".", "\u3000"])


@settings(deadline=200, max_examples=300)
@given(prefix=st.sampled_from(["", "+86", "+86 ", "0086 ", "86", "+86-", "0"]), network=st.sampled_from(
    ["13", "15", "18", "19", "17"]), rest=st.text("0123456789", min_size=9, max_size=9), sep=_SEPARATORS,
    ext=st.sampled_from(["", " ext 12", "转8001", " #3"]))
def test_a_mainland_mobile_shows_its_network_prefix_and_last_four_only(prefix, network, rest, sep, ext):
    number = network + rest
    written = prefix + sep.join((number[:3], number[3:7], number[7:]))
    out = mask_phone(written + ext)
    assert out.startswith(number[:3] + "****" + number[-4:]), (written, out)
    assert _shape(out).replace("*", "") == number[:3] + number[-4:]


@settings(deadline=200, max_examples=300)
@given(area=st.sampled_from(["10", "21", "20", "755", "571", "28", "898"]),
       subscriber=st.text("0123456789", min_size=8, max_size=8).filter(lambda s: s[0] not in "01"),
       international=st.booleans(), sep=_SEPARATORS, ext=st.text("0123456789", min_size=0, max_size=5))
def test_a_landline_shows_its_area_code_and_last_four_only(area, subscriber, international, sep, ext):
    written = ("+86" + sep + area if international else "0" + area + "-") + sep + subscriber[:4] + sep + subscriber[4:]
    out = mask_phone(written + (" 转" + ext if ext else ""))
    area_shown = ("86" if international else "0") + area
    assert _shape(out).replace("*", "") == area_shown + subscriber[-4:], (written, out)
    assert subscriber[:4] not in out.replace(" ", "") or subscriber[:4] == subscriber[-4:]
    if ext:
        assert out.endswith("转" + "*" * len(ext)), "the extension is hidden whole"


def test_garbage_is_bounded():
    assert mask_phone("9" * 10_000) == "*" * MAX_STARS + "9999"
    assert len(mask_phone("+" + "1 " * 5000)) <= 40
