"""The late-answer rule: rings -> which opening, with its thresholds from the box configuration."""
from __future__ import annotations

import pytest

from kiosk.core import config
from kiosk.phone.apology import Apology, apology_for


@pytest.mark.parametrize("rings, expected", [(0, Apology.NONE), (1, Apology.NONE), (3, Apology.NONE),
                                             (4, Apology.OPTIONAL), (5, Apology.MANDATORY),
                                             (6, Apology.MANDATORY), (99, Apology.MANDATORY)])
def test_the_default_rule_three_rings_then_apology_mandatory_from_five(rings, expected):
    assert apology_for(rings) is expected


def test_thresholds_come_from_the_caller():
    assert apology_for(4, rings_before_prompt=2, mandatory_rings=6) is Apology.OPTIONAL
    assert apology_for(6, rings_before_prompt=2, mandatory_rings=6) is Apology.MANDATORY
    assert apology_for(2, rings_before_prompt=2, mandatory_rings=6) is Apology.NONE
    # a pair that overlaps (the config refuses it) still answers, the stricter way
    assert apology_for(3, rings_before_prompt=4, mandatory_rings=3) is Apology.MANDATORY


@pytest.mark.parametrize("bad", [-1, 2.5, "4", None, True])
def test_rings_must_be_a_count(bad):
    with pytest.raises(ValueError):
        apology_for(bad)


def test_the_threshold_is_box_configuration_and_validated():
    assert config.validate({}).get("phone", "apology_mandatory_rings") == 5
    assert config.validate({"phone": {"apology_mandatory_rings": 7}}).get("phone", "apology_mandatory_rings") == 7
    for bad in ({"apology_mandatory_rings": 3}, {"apology_mandatory_rings": 1},
                {"apology_mandatory_rings": "5"}, {"rings_before_prompt": 6, "apology_mandatory_rings": 5}):
        with pytest.raises(config.ConfigError, match="apology_mandatory_rings"):
            config.validate({"phone": bad})


def test_the_example_configuration_names_the_threshold():
    from pathlib import Path
    example = Path(__file__).resolve().parents[2] / "deploy" / "kiosk.example.toml"
    assert config.load(example).get("phone", "apology_mandatory_rings") == 5


def test_a_later_prompt_without_an_apology_key_still_starts():
    """rings_before_prompt = 6 alone was valid before the apology key existed: the default follows it."""
    from kiosk.core import config
    checked = config.validate({"phone": {"rings_before_prompt": 6}}, "<test>")
    assert checked.get("phone", "apology_mandatory_rings") == 7
    assert config.validate({}, "<test>").get("phone", "apology_mandatory_rings") == 5
    with pytest.raises(config.ConfigError, match="apology_mandatory_rings"):
        config.validate({"phone": {"rings_before_prompt": 6, "apology_mandatory_rings": 6}}, "<test>")
