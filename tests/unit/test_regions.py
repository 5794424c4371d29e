"""The regions directory (config/regions.toml) and region code validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from idp.accounts.regions import RegionDirectory, RegionsFileError, load_regions
from idp.accounts.validation import (
    REGION_FORMAT,
    REGION_UNKNOWN,
    FieldError,
    ValidationError,
    validate_region_code,
)

REGIONS_FILE = Path(__file__).resolve().parents[2] / "config" / "regions.toml"


@pytest.fixture(scope="module")
def regions() -> RegionDirectory:
    return load_regions(REGIONS_FILE)


def test_all_85_subjects_in_eight_federal_districts(regions: RegionDirectory) -> None:
    assert len(regions.regions) == 85
    assert set(regions.districts) == {"CFD", "NWFD", "SFD", "NCFD", "VFD", "UFD", "SibFD", "FEFD"}
    sizes = {code: len(d.region_codes) for code, d in regions.districts.items()}
    assert sizes == {
        "CFD": 18, "NWFD": 11, "SFD": 8, "NCFD": 7, "VFD": 14, "UFD": 6, "SibFD": 10, "FEFD": 11,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("code", "name", "district"),
    [
        ("77", "Москва", "CFD"),
        ("78", "Санкт-Петербург", "NWFD"),
        ("05", "Республика Дагестан", "NCFD"),
        ("66", "Свердловская область", "UFD"),
        ("54", "Новосибирская область", "SibFD"),
        ("91", "Республика Крым", "SFD"),
        ("92", "Севастополь", "SFD"),
        ("03", "Республика Бурятия", "FEFD"),  # moved from Siberian to Far Eastern in 2018
        ("86", "Ханты-Мансийский автономный округ — Югра", "UFD"),
    ],
)
def test_regions_have_their_names_and_districts(regions: RegionDirectory, code: str, name: str, district: str) -> None:
    region = regions.region(code)
    assert (region.code, region.name, region.district_code) == (code, name, district)
    assert regions.district_of(code).code == district


def test_north_caucasian_district_lists_its_republics(regions: RegionDirectory) -> None:
    district = regions.districts["NCFD"]
    assert district.name == "Северо-Кавказский федеральный округ"
    codes = [region.code for region in regions.regions_in("NCFD")]
    assert codes == ["05", "06", "07", "09", "15", "20", "26"]


def test_regions_are_listed_by_code(regions: RegionDirectory) -> None:
    codes = [region.code for region in regions.all_regions()]
    assert codes == sorted(codes)
    assert codes[0] == "01" and codes[-1] == "92"


def test_support_contacts_are_visibly_fictional(regions: RegionDirectory) -> None:
    assert regions.region("05").support_contact == "+7 800 000-05-05, support05@egisz.example"
    assert all("@egisz.example" in r.support_contact for r in regions.all_regions())


def test_unknown_code_is_not_found(regions: RegionDirectory) -> None:
    assert regions.find_region("99") is None
    assert regions.find_region("5") is None


def test_directory_cannot_be_changed_by_callers(regions: RegionDirectory) -> None:
    with pytest.raises(TypeError):
        regions.regions["99"] = regions.region("77")  # type: ignore[index]


# --- validate_region_code ---------------------------------------------------------------------


def test_region_code_must_be_a_known_two_digit_code(regions: RegionDirectory) -> None:
    assert validate_region_code(" 05 ", regions=regions) == "05"
    for typed, message in [("5", REGION_FORMAT), ("Москва", REGION_FORMAT), ("99", REGION_UNKNOWN)]:
        with pytest.raises(ValidationError) as exc:
            validate_region_code(typed, regions=regions)
        assert exc.value.errors == [FieldError("region_code", message)]


# --- malformed files --------------------------------------------------------------------------

GOOD = """
[districts.NCFD]
name = "Северо-Кавказский федеральный округ"
regions = ["05", "06"]

[regions."05"]
name = "Республика Дагестан"
support_contact = "+7 800 000-05-05"

[regions."06"]
name = "Республика Ингушетия"
support_contact = "+7 800 000-06-06"
"""


def load_text(tmp_path: Path, text: str) -> RegionDirectory:
    path = tmp_path / "regions.toml"
    path.write_text(text, encoding="utf-8")
    return load_regions(path)


def test_small_well_formed_file_loads(tmp_path: Path) -> None:
    assert [r.name for r in load_text(tmp_path, GOOD).all_regions()] == [
        "Республика Дагестан",
        "Республика Ингушетия",
    ]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (
            GOOD + '[districts.SFD]\nname = "Южный"\nregions = ["05"]\n',
            "region 05 is already listed in district NCFD",
        ),
        (GOOD.replace('["05", "06"]', '["05", "06", "07"]'), 'region 07 has no [regions."07"]'),
        (GOOD.replace('["05", "06"]', '["05"]'), '[regions."06"]: the region is not listed'),
        (GOOD.replace('["05", "06"]', '["05", "06", "05"]'), "listed twice"),
        (GOOD.replace('["05", "06"]', '["5", "06"]'), "'5' is not a two-digit region code"),
        (GOOD.replace('["05", "06"]', "[5, 6]"), "5 is not a two-digit region code"),
        (GOOD.replace('name = "Республика Ингушетия"\n', ""), "'name' must be a non-empty string"),
        (GOOD.replace('support_contact = "+7 800 000-06-06"', ""), "'support_contact'"),
        (GOOD.split("[regions")[0], "the [regions] tables are missing"),
        ("", "the [districts] tables are missing"),
        (GOOD + "[regions\n", "not valid TOML"),
    ],
)
def test_malformed_files_are_refused_with_a_clear_reason(tmp_path: Path, text: str, complaint: str) -> None:
    with pytest.raises(RegionsFileError) as exc:
        load_text(tmp_path, text)
    assert complaint in str(exc.value)
    assert "regions.toml" in str(exc.value)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RegionsFileError, match="cannot read the regions file"):
        load_regions(tmp_path / "absent.toml")
