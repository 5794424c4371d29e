"""Loading the regional rules: the shipped file, support contacts, and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gosid_config import SettingsError
from relying_party_demo.access.regions import RegionDirectory, load_regions
from relying_party_demo.access.rules import RequirementKind, load_rules

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="module")
def regions() -> RegionDirectory:
    return load_regions(CONFIG / "regions.toml")


def test_shipped_rules_name_the_three_regional_requirements(regions: RegionDirectory) -> None:
    rules = load_rules(CONFIG / "regional_rules.toml", regions)
    kinds = {r.kind: r for r in rules.requirements}
    assert kinds[RequirementKind.FIRST_LOGIN_DOCUMENTS].regions == {"77", "78"}
    assert kinds[RequirementKind.DOCTOR_CERTIFICATE].districts == {"NCFD"}
    assert kinds[RequirementKind.DATA_TRANSFER_CONSENT].districts == {"UFD", "SibFD"}
    assert rules.two_factor_amr == {"mfa"}
    assert rules.region_required and rules.refuse_on_region_change


def test_support_contact_comes_from_the_region(regions: RegionDirectory) -> None:
    rules = load_rules(CONFIG / "regional_rules.toml", regions)
    assert rules.support_contact("05") == "+7 800 000-05-05, support05@egisz.example"
    assert rules.support_contact(None) == rules.default_support_contact
    assert rules.support_contact("99") == rules.default_support_contact
    assert regions.district_of("66") == "UFD"


GOOD = """
default_support_contact = "+7 800 000-00-00"
[two_factor]
amr = ["mfa"]
acr = []
[address_region]
required = true
[[requirement]]
id = "x"
kind = "data_transfer_consent"
districts = ["UFD"]
"""


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (GOOD.replace('kind = "data_transfer_consent"', 'kind = "blood_test"'), "kind must be one of"),
        (GOOD.replace('districts = ["UFD"]', 'regions = ["99"]'), "unknown region(s) 99"),
        (GOOD.replace('districts = ["UFD"]', 'districts = ["Urals"]'), "unknown district(s) Urals"),
        (GOOD.replace('districts = ["UFD"]', 'districts = ["UFD"]\nroles = ["nurse"]'), "unknown role(s) nurse"),
        (GOOD.replace('districts = ["UFD"]', ""), "say where it applies"),
        (GOOD + '[[requirement]]\nid = "x"\nkind = "doctor_certificate"\neverywhere = true\n', "must be unique"),
        (GOOD.replace("[two_factor]", "[two_factors]"), "[two_factor] table is missing"),
        (GOOD.replace('amr = ["mfa"]', 'amr = "mfa"'), "'amr' must be a list"),
        (GOOD.replace('default_support_contact = "+7 800 000-00-00"', ""), "default_support_contact"),
        ("not = [toml", "cannot read"),
    ],
)
def test_malformed_rules_are_refused_naming_the_problem(
    regions: RegionDirectory, tmp_path: Path, text: str, complaint: str
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_rules(path, regions)
    assert complaint in str(caught.value)
    assert "rules.toml" in str(caught.value)


def test_good_small_file_loads(regions: RegionDirectory, tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(GOOD, encoding="utf-8")
    rules = load_rules(path, regions)
    assert [r.id for r in rules.requirements_for(region="89", role="doctor")] == ["x"]
    assert rules.requirements_for(region="77", role="doctor") == ()
