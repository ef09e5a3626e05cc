"""The late-answer rule: how many rings the caller waited decides how the call must open.

Domain rule (docs/shared domain brief): every call is answered within three rings; a call picked up
later opens with an apology for the wait, and after five rings the apology is mandatory. Both numbers
are box configuration: ``[phone] rings_before_prompt`` and ``[phone] apology_mandatory_rings``.
Pure: rings in, script out; the call prompt (screens/phone/call_prompt.py) only shows the answer.
"""
from __future__ import annotations

from enum import Enum


class Apology(str, Enum):
    """Which opening the desk owes the caller."""

    NONE = "none"            # answered within the rule: the normal greeting
    OPTIONAL = "optional"    # late: start with an apology for the wait
    MANDATORY = "mandatory"  # very late: the apology must come first


def apology_for(rings: int, *, rings_before_prompt: int = 3, mandatory_rings: int = 5) -> Apology:
    """The apology a call that has rung ``rings`` times calls for.

    ``rings`` up to ``rings_before_prompt`` need none; from ``mandatory_rings`` on it is mandatory
    (today's rule: "after five rings", counted from the fifth ring heard); in between it is expected.
    A misconfigured pair (mandatory at or below the prompt) still answers: mandatory wins.
    """
    if not isinstance(rings, int) or isinstance(rings, bool) or rings < 0:
        raise ValueError(f"rings must be a whole number of rings, not {rings!r}")
    if rings >= mandatory_rings:
        return Apology.MANDATORY
    if rings > rings_before_prompt:
        return Apology.OPTIONAL
    return Apology.NONE
