"""Regions and federal districts from ``config/regions.toml``, read by the RP itself.

The RP is a separate service from the IdP, so it reads the shared file format on its own
rather than importing the IdP's code. Only what the access rules need is kept: each region's
district and its regional support contact.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gosid_config import SettingsError


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    district: str
    support_contact: str


@dataclass(frozen=True)
class RegionDirectory:
    regions: Mapping[str, Region]
    district_names: Mapping[str, str]

    def find(self, code: str | None) -> Region | None:
        return self.regions.get(code) if code else None

    def district_of(self, code: str | None) -> str | None:
        region = self.find(code)
        return region.district if region else None


def load_regions(path: Path) -> RegionDirectory:
    """Read the regions file; :class:`SettingsError` names the file and the problem."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the regions file ({exc})") from exc
    return parse_regions(data, source=str(path))


def parse_regions(data: Mapping[str, Any], *, source: str) -> RegionDirectory:
    districts = data.get("districts")
    entries = data.get("regions")
    if not isinstance(districts, dict) or not isinstance(entries, dict):
        raise SettingsError(f"{source}: needs [districts.*] and [regions.*] tables")
    district_of: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, district in districts.items():
        names[code] = str(district.get("name", code))
        for region_code in district.get("regions", []):
            district_of[str(region_code)] = code
    regions: dict[str, Region] = {}
    for code, entry in entries.items():
        if code not in district_of:
            raise SettingsError(f'{source}: [regions."{code}"] is in no federal district')
        regions[code] = Region(
            code=code,
            name=str(entry.get("name", code)),
            district=district_of[code],
            support_contact=str(entry.get("support_contact", "")),
        )
    return RegionDirectory(regions=MappingProxyType(regions), district_names=MappingProxyType(names))
