"""Who may do what in the EGISZ service. Pure functions: no Flask, no database, no I/O.

One question, one answer: :func:`decide` takes who is asking (:class:`Subject`, from the access
token's claims), what the service remembers about them (:class:`PersonState`), the action, the
thing it is done to (:class:`Target`) and the configuration (:class:`PolicyConfig`: the regional
rules and the acr levels), and returns a :class:`Decision`. The checks run in a fixed order, so a
refusal always names the first thing to fix:

1. scope (SMART on FHIR v2 style: ``medcard.rs`` read/search, ``medcard.cu`` create/update);
2. two-factor authentication, everywhere (``amr``/``acr``);
3. the address region: missing, or changed since the person's first login;
4. the identity: a SNILS the IdP has not confirmed, or a confirmed SNILS other than the one the
   service linked, refuses whatever matches the person by SNILS or touches medical cards;
5. role and relation (own card, same organization, own schedule; the own ones by the linked SNILS);
6. regional requirements of the region and the acting role (documents, consent, certificate);
7. the authentication level (``acr``) for edits of medical cards: step up when too low.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from relying_party_demo.access.rules import RegionalRules, Requirement, RequirementKind

READ_SCOPE = "medcard.rs"
EDIT_SCOPE = "medcard.cu"
ANY_ROLE = "*"


class Action(enum.StrEnum):
    SEARCH_DIRECTORY = "search_directory"
    VIEW_SCHEDULES = "view_schedules"
    LIST_PATIENTS = "list_patients"
    READ_CARD = "read_card"
    ADD_ENTRY = "add_entry"
    READ_APPOINTMENTS = "read_appointments"
    READ_APPOINTMENT = "read_appointment"
    BOOK_SLOT = "book_slot"
    CANCEL_APPOINTMENT = "cancel_appointment"
    MARK_ATTENDANCE = "mark_attendance"
    MANAGE_SCHEDULE = "manage_schedule"
    READ_INBOX = "read_inbox"


class Identity(enum.StrEnum):
    """How the person's SNILS stands (guard.caller_for works it out from the IdP's claims)."""

    VERIFIED = "verified"  # a SNILS the IdP confirmed, linked to ``sub``
    NOT_VERIFIED = "not_verified"  # the IdP released a SNILS it has not confirmed (typed only)
    SNILS_CHANGED = "snils_changed"  # a confirmed SNILS other than the one linked to ``sub``
    NO_SNILS = "no_snils"  # no SNILS was released (none in the account, or no snils scope)


class Relation(enum.Enum):
    ANY = "any"
    OWN_RECORD = "own_record"  # the target patient is the person (matched by SNILS)
    SAME_ORGANIZATION = "same_organization"  # the target belongs to the person's organization
    OWN_SCHEDULE = "own_schedule"  # the target appointment is with the person as the doctor


class Reason(enum.StrEnum):
    """Stable reason codes; they appear in API bodies and on refusal pages."""

    INSUFFICIENT_SCOPE = "insufficient_scope"
    TWO_FACTOR_REQUIRED = "two_factor_required"
    REGION_MISSING = "region_missing"
    REGION_CHANGED = "region_changed"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    NO_MEDICAL_RECORD = "no_medical_record"
    IDENTITY_NOT_VERIFIED = "identity_not_verified"
    SNILS_CHANGED = "snils_changed"
    NOT_OWN_RECORD = "not_own_record"
    OTHER_ORGANIZATION = "other_organization"
    NOT_OWN_SCHEDULE = "not_own_schedule"
    DOCUMENTS_REQUIRED = "first_login_documents_required"
    CONSENT_REQUIRED = "data_transfer_consent_required"
    DOCTOR_CERTIFICATE_MISSING = "regional_doctor_certificate_missing"
    STEP_UP_REQUIRED = "step_up_required"


@dataclass(frozen=True)
class Grant:
    role: str
    relation: Relation


@dataclass(frozen=True)
class ActionSpec:
    scope: str
    grants: tuple[Grant, ...]
    personal: bool = True  # regional onboarding rules apply (not to public directories)
    touches_cards: bool = False  # patients' medical cards: the doctor certificate rule applies
    card_edit: bool = False  # needs the edit authentication level


_ANYONE = (Grant(ANY_ROLE, Relation.ANY),)
_CARD_READERS = (Grant("patient", Relation.OWN_RECORD), Grant("doctor", Relation.SAME_ORGANIZATION))

ACTIONS: dict[Action, ActionSpec] = {
    Action.SEARCH_DIRECTORY: ActionSpec(READ_SCOPE, _ANYONE, personal=False),
    Action.VIEW_SCHEDULES: ActionSpec(READ_SCOPE, _ANYONE, personal=False),
    Action.LIST_PATIENTS: ActionSpec(
        READ_SCOPE, (Grant("patient", Relation.ANY), Grant("doctor", Relation.ANY)), touches_cards=True
    ),
    Action.READ_CARD: ActionSpec(READ_SCOPE, _CARD_READERS, touches_cards=True),
    Action.ADD_ENTRY: ActionSpec(
        EDIT_SCOPE, (Grant("doctor", Relation.SAME_ORGANIZATION),), touches_cards=True, card_edit=True
    ),
    Action.READ_APPOINTMENTS: ActionSpec(READ_SCOPE, _ANYONE),
    Action.READ_APPOINTMENT: ActionSpec(
        READ_SCOPE,
        (
            Grant("patient", Relation.OWN_RECORD),
            Grant("doctor", Relation.OWN_SCHEDULE),
            Grant("registrar", Relation.SAME_ORGANIZATION),
        ),
    ),
    Action.BOOK_SLOT: ActionSpec(EDIT_SCOPE, (Grant("patient", Relation.OWN_RECORD),)),
    Action.CANCEL_APPOINTMENT: ActionSpec(
        EDIT_SCOPE, (Grant("patient", Relation.OWN_RECORD), Grant("registrar", Relation.SAME_ORGANIZATION))
    ),
    Action.MARK_ATTENDANCE: ActionSpec(EDIT_SCOPE, (Grant("doctor", Relation.OWN_SCHEDULE),)),
    Action.MANAGE_SCHEDULE: ActionSpec(EDIT_SCOPE, (Grant("registrar", Relation.SAME_ORGANIZATION),)),
    Action.READ_INBOX: ActionSpec(READ_SCOPE, _ANYONE),
}

_RELATION_REFUSAL = {
    Relation.OWN_RECORD: Reason.NOT_OWN_RECORD,
    Relation.SAME_ORGANIZATION: Reason.OTHER_ORGANIZATION,
    Relation.OWN_SCHEDULE: Reason.NOT_OWN_SCHEDULE,
}

_SNILS_RELATIONS = frozenset({Relation.OWN_RECORD, Relation.OWN_SCHEDULE})
_IDENTITY_REFUSAL = {Identity.NOT_VERIFIED: Reason.IDENTITY_NOT_VERIFIED, Identity.SNILS_CHANGED: Reason.SNILS_CHANGED}

_REQUIREMENT_REFUSAL = {
    RequirementKind.FIRST_LOGIN_DOCUMENTS: Reason.DOCUMENTS_REQUIRED,
    RequirementKind.DATA_TRANSFER_CONSENT: Reason.CONSENT_REQUIRED,
    RequirementKind.DOCTOR_CERTIFICATE: Reason.DOCTOR_CERTIFICATE_MISSING,
}


@dataclass(frozen=True)
class Subject:
    """The person behind a token: its claims, plus the SNILS the service linked to ``sub``.

    ``snils`` is set only when ``identity`` is :attr:`Identity.VERIFIED`: a typed or changed
    SNILS never reaches the policy's relations."""

    sub: str
    scopes: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    region: str | None = None
    acr: str | None = None
    amr: frozenset[str] = frozenset()
    organization_oid: str | None = None
    regional_doctor_certificate: bool = False
    snils: str | None = None
    identity: Identity = Identity.NO_SNILS


@dataclass(frozen=True)
class PersonState:
    """What the service recorded about the person: the region accepted at the first login and
    the once-only requirements completed, as ``(requirement id, region code)`` pairs."""

    accepted_region: str | None = None
    completed: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Target:
    """The thing acted on, described by the people and organization it belongs to."""

    patient_snils: str | None = None
    doctor_snils: str | None = None
    organization_oid: str | None = None


@dataclass(frozen=True)
class PolicyConfig:
    rules: RegionalRules
    acr_levels: tuple[str, ...]
    edit_acr: str

    def acr_satisfies(self, acr: str | None, required: str) -> bool:
        if acr not in self.acr_levels:
            return False
        return self.acr_levels.index(acr) >= self.acr_levels.index(required)


@dataclass(frozen=True)
class Decision:
    reason: Reason | None
    region: str | None
    required_scope: str | None = None
    required_acr: str | None = None
    requirement_id: str | None = None
    details: dict[str, str] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.reason is None


def decide(subject: Subject, action: Action, *, target: Target, state: PersonState, config: PolicyConfig) -> Decision:
    """Whether ``subject`` may perform ``action`` on ``target``; the first unmet check wins."""
    spec = ACTIONS[action]
    region = subject.region or state.accepted_region
    if spec.scope not in subject.scopes:
        return Decision(Reason.INSUFFICIENT_SCOPE, region, required_scope=spec.scope)
    if not two_factor(subject, config.rules):
        return Decision(Reason.TWO_FACTOR_REQUIRED, region)
    if spec.personal and (refusal := _region_refusal(subject, state, config.rules)) is not None:
        return refusal
    if (reason := _identity_refusal(subject, spec)) is not None:
        return Decision(reason, region)
    allowed, roles, relation_refusal = _acting_roles(subject, spec, target)
    if not allowed:
        return Decision(relation_refusal or Reason.ROLE_NOT_ALLOWED, region)
    if spec.personal:
        for requirement in _requirements(config.rules, subject.region, roles):
            if not _requirement_met(requirement, subject, state, spec):
                return Decision(_REQUIREMENT_REFUSAL[requirement.kind], region, requirement_id=requirement.id)
    if spec.card_edit and not config.acr_satisfies(subject.acr, config.edit_acr):
        return Decision(Reason.STEP_UP_REQUIRED, region, required_acr=config.edit_acr)
    return Decision(None, region)


def two_factor(subject: Subject, rules: RegionalRules) -> bool:
    return bool(subject.amr & rules.two_factor_amr) or subject.acr in rules.two_factor_acr


def _identity_refusal(subject: Subject, spec: ActionSpec) -> Reason | None:
    """A SNILS that is typed only, or changed since it was linked, refuses the actions that find
    the person by SNILS (their card, appointments, schedule) or open medical cards."""
    reason = _IDENTITY_REFUSAL.get(subject.identity)
    if reason is None:
        return None
    by_snils = any(g.relation in _SNILS_RELATIONS and g.role in subject.roles for g in spec.grants)
    return reason if by_snils or spec.touches_cards else None


def _region_refusal(subject: Subject, state: PersonState, rules: RegionalRules) -> Decision | None:
    if subject.region is None:
        return Decision(Reason.REGION_MISSING, state.accepted_region) if rules.region_required else None
    changed = state.accepted_region is not None and state.accepted_region != subject.region
    if changed and rules.refuse_on_region_change:
        details = {"previous_region": state.accepted_region or ""}
        return Decision(Reason.REGION_CHANGED, subject.region, details=details)
    return None


def _acting_roles(
    subject: Subject, spec: ActionSpec, target: Target
) -> tuple[bool, tuple[str | None, ...], Reason | None]:
    """Whether a grant allows the action, the roles whose regional rules then apply, and
    otherwise the reason. An action open to everyone brings the rules of all the person's roles."""
    refusal: Reason | None = None
    for grant in spec.grants:
        if grant.role != ANY_ROLE and grant.role not in subject.roles:
            continue
        failed = _relation_refusal(grant.relation, subject, target)
        if failed is None:
            return True, _roles_of(subject) if grant.role == ANY_ROLE else (grant.role,), None
        refusal = refusal or failed
    return False, (), refusal


def _roles_of(subject: Subject) -> tuple[str | None, ...]:
    return tuple(sorted(subject.roles)) or (None,)


def _requirements(rules: RegionalRules, region: str | None, roles: tuple[str | None, ...]) -> list[Requirement]:
    found: list[Requirement] = []
    for role in roles:
        found += [r for r in rules.requirements_for(region=region, role=role) if r not in found]
    return found


def _relation_refusal(relation: Relation, subject: Subject, target: Target) -> Reason | None:
    if relation is Relation.ANY:
        return None
    if relation is Relation.OWN_RECORD:
        if subject.snils is None or target.patient_snils is None:
            return Reason.NO_MEDICAL_RECORD
        holds = subject.snils == target.patient_snils
    elif relation is Relation.SAME_ORGANIZATION:
        holds = subject.organization_oid is not None and subject.organization_oid == target.organization_oid
    else:
        holds = subject.snils is not None and subject.snils == target.doctor_snils
    return None if holds else _RELATION_REFUSAL[relation]


def _requirement_met(requirement: Requirement, subject: Subject, state: PersonState, spec: ActionSpec) -> bool:
    if requirement.kind is RequirementKind.DOCTOR_CERTIFICATE:
        return not spec.touches_cards or subject.regional_doctor_certificate
    return (requirement.id, subject.region or "") in state.completed


def pending_requirements(subject: Subject, state: PersonState, rules: RegionalRules) -> list[Requirement]:
    """The once-only requirements (documents, consent) the person still has to complete in their
    region, for any of their roles: what the service asks for right after the login."""
    if subject.region is None:
        return []
    return [
        requirement
        for requirement in _requirements(rules, subject.region, _roles_of(subject))
        if requirement.completed_once and (requirement.id, subject.region) not in state.completed
    ]


def region_problem(subject: Subject, state: PersonState, rules: RegionalRules) -> Decision | None:
    """A missing or changed address region, if there is one (shown right after the login)."""
    return _region_refusal(subject, state, rules)
