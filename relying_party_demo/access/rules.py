"""The regional access rules, loaded from ``config/regional_rules.toml`` (rules are data).

The file names *where* (regions, federal districts or everywhere) and *for whom* (roles) each
requirement applies; the policy module knows what each kind of requirement means. Adding a region
to a rule, or a new rule of a known kind, is a change to the file only.
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gosid_config import SettingsError
from relying_party_demo.access.regions import RegionDirectory

KNOWN_ROLES = frozenset({"patient", "doctor", "registrar"})


class RequirementKind(enum.StrEnum):
    # Asked once per region: the OMS policy and a confirmation of the right to the card.
    FIRST_LOGIN_DOCUMENTS = "first_login_documents"
    # A doctor reaches patients' cards only with the region's doctor certificate claim.
    DOCTOR_CERTIFICATE = "doctor_certificate"
    # Consent to transfer data to the regional information system: recorded, revocable.
    DATA_TRANSFER_CONSENT = "data_transfer_consent"


@dataclass(frozen=True)
class Requirement:
    id: str
    kind: RequirementKind
    regions: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()
    everywhere: bool = False
    roles: frozenset[str] = frozenset()  # empty: every role
    trusted_account_levels: frozenset[str] = frozenset()

    def applies(self, *, region: str | None, district: str | None, role: str | None) -> bool:
        where = self.everywhere or region in self.regions or (district is not None and district in self.districts)
        return where and (not self.roles or role in self.roles)

    @property
    def completed_once(self) -> bool:
        """Whether the person completes it once (documents, consent) rather than holds a claim."""
        return self.kind is not RequirementKind.DOCTOR_CERTIFICATE


@dataclass(frozen=True)
class RegionalRules:
    regions: RegionDirectory
    default_support_contact: str
    two_factor_amr: frozenset[str]
    two_factor_acr: frozenset[str]
    region_required: bool
    refuse_on_region_change: bool
    requirements: tuple[Requirement, ...]

    def requirements_for(self, *, region: str | None, role: str | None) -> tuple[Requirement, ...]:
        district = self.regions.district_of(region)
        return tuple(r for r in self.requirements if r.applies(region=region, district=district, role=role))

    def support_contact(self, region: str | None) -> str:
        found = self.regions.find(region)
        return found.support_contact if found and found.support_contact else self.default_support_contact

    def requirement(self, requirement_id: str) -> Requirement | None:
        return next((r for r in self.requirements if r.id == requirement_id), None)


def load_rules(path: Path, regions: RegionDirectory) -> RegionalRules:
    """Read and check the rules file; :class:`SettingsError` names the file and the problem."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read the regional rules ({exc})") from exc
    return parse_rules(data, regions, source=str(path))


def parse_rules(data: Mapping[str, Any], regions: RegionDirectory, *, source: str) -> RegionalRules:
    two_factor = _table(data, "two_factor", source)
    address = _table(data, "address_region", source)
    requirements = tuple(
        _requirement(entry, regions, f"{source}: [[requirement]] #{n}")
        for n, entry in enumerate(data.get("requirement", []), start=1)
    )
    ids = [r.id for r in requirements]
    if len(set(ids)) != len(ids):
        raise SettingsError(f"{source}: requirement ids must be unique, got {ids}")
    return RegionalRules(
        regions=regions,
        default_support_contact=_text(data, "default_support_contact", source),
        two_factor_amr=_strings(two_factor, "amr", f"{source}: [two_factor]"),
        two_factor_acr=_strings(two_factor, "acr", f"{source}: [two_factor]"),
        region_required=bool(address.get("required", True)),
        refuse_on_region_change=bool(address.get("refuse_on_change", True)),
        requirements=requirements,
    )


def _requirement(entry: Any, regions: RegionDirectory, where: str) -> Requirement:
    if not isinstance(entry, dict):
        raise SettingsError(f"{where}: must be a table")
    try:
        kind = RequirementKind(str(entry.get("kind")))
    except ValueError:
        known = ", ".join(k.value for k in RequirementKind)
        raise SettingsError(f"{where}: kind must be one of {known}, not {entry.get('kind')!r}") from None
    requirement = Requirement(
        id=_text(entry, "id", where),
        kind=kind,
        regions=_strings(entry, "regions", where),
        districts=_strings(entry, "districts", where),
        everywhere=bool(entry.get("everywhere", False)),
        roles=_strings(entry, "roles", where),
        trusted_account_levels=_strings(entry, "trusted_account_levels", where),
    )
    _check_requirement(requirement, regions, where)
    return requirement


def _check_requirement(requirement: Requirement, regions: RegionDirectory, where: str) -> None:
    if not (requirement.everywhere or requirement.regions or requirement.districts):
        raise SettingsError(f"{where}: say where it applies (regions, districts or everywhere = true)")
    unknown_regions = sorted(requirement.regions - set(regions.regions))
    unknown_districts = sorted(requirement.districts - set(regions.district_names))
    unknown_roles = sorted(requirement.roles - KNOWN_ROLES)
    for label, unknown in (("region", unknown_regions), ("district", unknown_districts), ("role", unknown_roles)):
        if unknown:
            raise SettingsError(f"{where}: unknown {label}(s) {', '.join(unknown)}")


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise SettingsError(f"{source}: the [{key}] table is missing")
    return value


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"{where}: '{key}' must be a non-empty string")
    return value


def _strings(data: Mapping[str, Any], key: str, where: str) -> frozenset[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{where}: '{key}' must be a list of strings")
    return frozenset(value)
