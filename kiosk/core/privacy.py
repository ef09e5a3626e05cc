"""Personal data rules shared by the registers: identity documents checked and stored masked, and the
normalised forms that matching (deny list, recognition) compares, so spacing or full-width digits do
not dodge a rule."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from kiosk.core.errors import Refusal
from kiosk.core.namefold import HAN, NAME_DOTS, t2s_text

_ID_CLEAN = re.compile(r"[\s\-]")
# GB 11643-1999 (ISO 7064 MOD 11-2): weights of the first 17 digits and the check character by remainder.
_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10X98765432"
# Formats by document type. HK/Macao: the 港澳居民来往内地通行证 (H/M + 8 or 10 digits) or the mainland-issued
# 往来港澳通行证 (C + letter-or-digit + 7 digits); Taiwan: 台湾居民来往大陆通行证 (8 digits; the old ones 10).
_FORMATS = {
    "hk_macao": re.compile(r"^(?:[HM]\d{8}(?:\d{2})?|C[A-Z0-9]\d{7})$"),
    "taiwan": re.compile(r"^(?:\d{8}|\d{10})$"),
    "passport": re.compile(r"^(?=.*\d)[A-Z0-9]{5,9}$"),
    "other": re.compile(r"^[A-Z0-9]{4,30}$"),
}
ID_DOCUMENT_TYPES = ("id_card", "hk_macao", "taiwan", "passport", "other")
_FORMAT_MESSAGES = {"hk_macao": "this is not the format of a Hong Kong/Macao travel permit",
                    "taiwan": "this is not the format of a Taiwan travel permit",
                    "passport": "a passport number has 5 to 9 letters and digits",
                    "other": "an identity number has 4 to 30 letters and digits"}


class IdDocumentError(Refusal, ValueError):
    """An identity number that cannot be right for its document type (field "id_number")."""


def _fold(text: str) -> str:
    """Full-width to half-width, upper case, spaces and dashes dropped."""
    return _ID_CLEAN.sub("", unicodedata.normalize("NFKC", text or "")).upper()


def gb11643_check_char(first17: str) -> str:
    """The check character of a mainland resident ID from its first 17 digits."""
    return _GB11643_CHECK[sum(int(d) * w for d, w in zip(first17, _GB11643_WEIGHTS)) % 11]


def check_id_document(id_type: str, number: str, *, today: date | None = None) -> str:
    """The document number in its normal form (half-width, upper case), or an IdDocumentError saying what
    is wrong: an 18-character resident ID with a right GB 11643 check digit and a real birth date; the
    travel permits and passports by their formats."""
    if id_type not in ID_DOCUMENT_TYPES:
        raise IdDocumentError("choose the type of identity document", field="id_type")
    value = _fold(number)
    if not value:
        raise IdDocumentError("id_number is required", field="id_number")
    if id_type == "id_card":
        if not re.fullmatch(r"\d{17}[\dX]", value):
            raise IdDocumentError("a resident ID has 18 characters: 17 digits and a digit or X", field="id_number")
        try:
            born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError:
            born = None
        if born is None or born.year < 1900 or born > (today or date.today()):
            raise IdDocumentError("the birth date in this resident ID is not a real date", field="id_number")
        if gb11643_check_char(value[:17]) != value[17]:
            raise IdDocumentError("this resident ID number is mistyped: its check digit does not match",
                                  field="id_number")
        return value
    if not _FORMATS[id_type].match(value):
        raise IdDocumentError(_FORMAT_MESSAGES[id_type], field="id_number")
    return value


def mask_document(id_type: str, number: str) -> str:
    """Masked per type: a resident ID keeps its first 6 and last 4 (110101********1234); any other
    document only its last 4 (*****5678)."""
    value = _fold(number)
    if id_type == "id_card" and len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def id_consistent(stored: str, typed: str, *, least: int = 4) -> bool:
    """Whether two identity numbers, either of them masked (``*`` for a hidden character), can be the same
    document: the same length and, where both show a character, the same one - with at least ``least``
    characters visible in both (``****`` matches nothing: it says nothing). A full number against a
    stored mask (110101********1234) is consistent when its first 6 and last 4 are those; so is a mask
    typed as staff read it off an old record."""
    a, b = _fold(stored), _fold(typed)
    if not a or len(a) != len(b):
        return False
    shown = 0
    for x, y in zip(a, b):
        if x == "*" or y == "*":
            continue
        if x != y:
            return False
        shown += 1
    return shown >= least


def mask_id_number(number: str) -> str:
    """A number of unknown type: 18 characters masked as a resident ID, anything else down to its last 4."""
    value = _fold(number)
    return mask_document("id_card" if len(value) == 18 else "other", value)


# What may stand between the digits of one phone number in typed text: any punctuation, symbol or space
# (NFKC first: full-width digits and slashes, the ideographic space) - the dashes a Chinese IME types
# (—, –, ／), dots, brackets, underscores. Used by the erasure's search in free text: up to three of them
# between two digits ("139 - 8765", "(0)"), never a letter or another digit.
PHONE_SEPARATOR = r"[^\w+]|_"
PHONE_GAP = rf"(?:{PHONE_SEPARATOR}){{0,3}}"


def legacy_normalise_phone(phone: str) -> str:
    """The phone normalisation before outside attack 16 (only spaces, dashes, dots, brackets dropped): an
    erasure ledger's older hashes were made with it (kiosk.core.erasure_ledger compares both)."""
    value = re.sub(r"[\s\-.()（）]", "", unicodedata.normalize("NFKC", phone or ""))
    return _strip_country(value)


def normalise_phone(phone: str) -> str:
    """The digits a phone number is compared by: NFKC (full-width digits), every separator dropped (spaces,
    any dash, dots, slashes, brackets: PHONE_SEPARATOR), a leading +86 or 0086 removed
    (+86 138 0013 8000 == 139—8765—4321's 13987654321 form). Letters stay (an extension word)."""
    text = unicodedata.normalize("NFKC", phone or "").strip()
    plus = "+" if text.startswith("+") else ""
    return _strip_country(plus + re.sub(PHONE_SEPARATOR + r"|\+", "", text))


def _strip_country(value: str) -> str:
    for prefix in ("+86", "0086"):
        if value.startswith(prefix) and len(value) > len(prefix) + 6:
            value = value[len(prefix):]
            break
    # The country code typed without "+" (the visitor numpad has no "+"), or the trunk 0 written as
    # "+86 (0)139…": a mainland mobile is its 11 digits however it was written, so the deny list and an
    # erasure cannot be dodged by "86" in front.
    mobile = re.fullmatch(r"(?:86|0|860)(1[3-9]\d{9})", value)
    return mobile.group(1) if mobile else value


def legacy_fold_name(name: str) -> str:
    """The name folding before outside attack 16 (no traditional-to-simplified step): the erasure ledger's
    older hashes were made with it."""
    value = unicodedata.normalize("NFKC", name or "").casefold()
    return re.sub(r"[\s·・.\u00b7\u30fb]", "", value)


# NAME_GAP: any run of the marks typed between the parts of a name (namefold.NAME_DOTS) or of spaces.
NAME_GAP = rf"[\s{NAME_DOTS}]"
_NAME_GAP = re.compile(NAME_GAP)
# A letter of an alphabet (Latin with any diacritics - Vietnamese ễ -, Greek, Cyrillic...): a Unicode
# letter that is not Han. A Latin name is matched on these boundaries ("Li Na" is not in "Carolina").
LETTER = rf"[^\W\d_{HAN}]"


def fold_name(name: str) -> str:
    """A name as compared: full-width folded, case-folded, spaces and middle dots dropped (王 小明 == 王小明,
    any of NAME_DOTS), traditional characters made simplified one for one (張偉明 == 张伟明,
    kiosk.core.namefold.t2s_text: the deny list's OpenCC tables), so an erasure by either form finds both."""
    return t2s_text(_NAME_GAP.sub("", legacy_fold_name(name)))


def mask_name(name: str) -> str:
    """王*明 / W*** style hint (staff screens only: visitors are never shown a stored name)."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


MAX_PHONE_TEXT = 64   # characters of a contact read for masking (a pasted page is not a number)
MAX_STARS = 12        # a run of stars no longer than a real number's hidden part (garbage stays readable)
_EXTENSION = re.compile(r"(?:\b(?:ext|extn|extension|x)\.?|转|分机|#)\s*(\d{1,8})\s*$", re.IGNORECASE)
_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_CN_TWO_DIGIT_AREAS = ("10", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29")


def _hide(digits: str) -> str:
    """All but the last 4 digits as stars (a number of 6 or fewer digits is all stars: its last 4 would be
    most of it)."""
    if len(digits) < 7:
        return "*" * min(len(digits), MAX_STARS)
    return "*" * min(len(digits) - 4, MAX_STARS) + digits[-4:]


def mask_phone(phone: str) -> str:
    """A contact number as a slip or a staff screen may show it: never more of the subscriber's number than
    its last 4 digits. What is shown at the head identifies no one: a mainland mobile's network prefix
    (138****8000, however +86 / 0086 / spaces were written), a landline's area code (010-****9988,
    "+86 10 6552 9988" -> "+86 10 ****9988"), another country's code ("+44 ******0958"). An extension is
    hidden whole ("转***", "ext ***"). Anything else (garbage, a short code) keeps at most its last 4 digits
    of 7 or more; no digits, "". Never raises."""
    text = unicodedata.normalize("NFKC", str(phone or ""))[:MAX_PHONE_TEXT].strip()
    extension = ""
    ext = _EXTENSION.search(text)
    if ext and re.search(r"\d", text[:ext.start()]):
        marker = text[ext.start():ext.start(1)].strip()
        extension = (" " + marker + " " if marker.isascii() else " " + marker) + "*" * len(ext.group(1))
        text = text[:ext.start()]
    digits = re.sub(r"\D", "", text)
    if not digits:
        return extension.strip() if extension else ""
    groups = re.findall(r"\d+", text)
    country = ""
    if not text.startswith("+") and _CN_MOBILE.fullmatch(digits.lstrip("0")):  # "0013800138000": a trunk slip
        mobile = digits.lstrip("0")
        return mobile[:3] + "****" + mobile[-4:] + extension
    if text.startswith("+") or digits.startswith("00"):
        rest = digits[2:] if not text.startswith("+") else digits
        if rest.startswith("86"):
            country = "86"
        elif groups and len(groups) > 1 and len(groups[0].lstrip("0") if not text.startswith("+") else groups[0]) <= 3:
            country = groups[0].lstrip("0") if not text.startswith("+") else groups[0]
        else:
            country = rest[:1] if rest[:1] in ("1", "7") else rest[:2]
        national = rest[len(country):]
    elif digits.startswith("86") and _CN_MOBILE.fullmatch(digits[2:]):  # the country code without its "+"
        country, national = "86", digits[2:]
    else:
        national = digits
    if country and country != "86":
        return ("+" + country + " " + _hide(national)).rstrip() + extension
    trunk = national.startswith("0")
    core = national.lstrip("0") if country else national[1:] if trunk else national
    if _CN_MOBILE.fullmatch(core if (country or trunk) else national):
        mobile = core if (country or trunk) else national
        return mobile[:3] + "****" + mobile[-4:] + extension
    if (country or trunk) and len(core) >= 9:  # a landline: area code, then 7 or 8 digits
        area_len = 2 if core[:2] in _CN_TWO_DIGIT_AREAS else 3
        area, subscriber = core[:area_len], core[area_len:]
        if 5 <= len(subscriber) <= 8:
            head = "+86 " + area + " " if country else "0" + area + "-"
            return head + _hide(subscriber) + extension
    return ("+86 " if country else "") + _hide(core if country else national) + extension
