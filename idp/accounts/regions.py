"""Subjects of the Russian Federation and federal districts, loaded from `config/regions.toml`.

The file lists each federal district with the codes of its regions, and each region with its
Russian name and a (fictional) regional support contact. Loading checks that every region belongs
to exactly one district, so lookups never have to handle a half-consistent directory.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

_REGION_CODE = re.compile(r"[0-9]{2}")


class RegionsFileError(Exception):
    """The regions file is missing, not TOML, or inconsistent; the message names the problem."""


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    district_code: str
    support_contact: str


@dataclass(frozen=True)
class FederalDistrict:
    code: str
    name: str
    region_codes: tuple[str, ...]


@dataclass(frozen=True)
class RegionDirectory:
    """Read-only lookups over a consistent set of regions and districts."""

    regions: Mapping[str, Region]
    districts: Mapping[str, FederalDistrict]

    def find_region(self, code: str) -> Region | None:
        """The region with this two-digit code, or None."""
        return self.regions.get(code)

    def region(self, code: str) -> Region:
        """The region with this code; KeyError if there is none (for codes already validated)."""
        return self.regions[code]

    def district_of(self, region_code: str) -> FederalDistrict:
        """The federal district a (known) region belongs to."""
        return self.districts[self.regions[region_code].district_code]

    def regions_in(self, district_code: str) -> tuple[Region, ...]:
        """The regions of a district in the order the file lists them."""
        return tuple(self.regions[code] for code in self.districts[district_code].region_codes)

    def all_regions(self) -> tuple[Region, ...]:
        """Every region, ordered by code (the order of a region picker)."""
        return tuple(self.regions[code] for code in sorted(self.regions))


def load_regions(path: Path) -> RegionDirectory:
    """Load and cross-check a regions file; `RegionsFileError` describes the first problem."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise RegionsFileError(f"{path}: cannot read the regions file ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RegionsFileError(f"{path}: not valid TOML ({exc})") from exc
    return parse_regions(data, source=str(path))


def parse_regions(data: Mapping[str, Any], *, source: str) -> RegionDirectory:
    """Build a directory from already-parsed TOML data; `source` names it in error messages."""
    raw_districts = _table(data, "districts", source)
    raw_regions = _table(data, "regions", source)
    district_of_region: dict[str, str] = {}
    districts: dict[str, FederalDistrict] = {}
    for district_code, entry in raw_districts.items():
        where = f"{source}: [districts.{district_code}]"
        codes = _region_code_list(entry, where)
        for code in codes:
            if code in district_of_region:
                raise RegionsFileError(
                    f"{where}: region {code} is already listed in district "
                    f"{district_of_region[code]}; a region belongs to exactly one district"
                )
            if code not in raw_regions:
                raise RegionsFileError(f'{where}: region {code} has no [regions."{code}"] table')
            district_of_region[code] = district_code
        districts[district_code] = FederalDistrict(
            code=district_code, name=_text(entry, "name", where), region_codes=codes
        )
    regions: dict[str, Region] = {}
    for code, entry in raw_regions.items():
        where = f'{source}: [regions."{code}"]'
        if code not in district_of_region:
            raise RegionsFileError(f"{where}: the region is not listed in any district")
        regions[code] = Region(
            code=code,
            name=_text(entry, "name", where),
            district_code=district_of_region[code],
            support_contact=_text(entry, "support_contact", where),
        )
    return RegionDirectory(regions=MappingProxyType(regions), districts=MappingProxyType(districts))


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        raise RegionsFileError(f"{source}: the [{key}] tables are missing or empty")
    for name, entry in value.items():
        if not isinstance(entry, dict):
            raise RegionsFileError(f"{source}: {key}.{name} must be a table")
    return value


def _region_code_list(entry: Mapping[str, Any], where: str) -> tuple[str, ...]:
    codes = entry.get("regions")
    if not isinstance(codes, list) or not codes:
        raise RegionsFileError(f"{where}: 'regions' must be a non-empty list of region codes")
    for code in codes:
        if not isinstance(code, str) or not _REGION_CODE.fullmatch(code):
            raise RegionsFileError(f"{where}: {code!r} is not a two-digit region code in quotes")
    if len(set(codes)) != len(codes):
        raise RegionsFileError(f"{where}: a region code is listed twice")
    return tuple(codes)


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RegionsFileError(f"{where}: '{key}' must be a non-empty string")
    return value
