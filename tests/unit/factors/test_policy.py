"""The acr/amr policy: two factors for everyone, strong factors alone, step-up."""

from __future__ import annotations

import pytest

from idp.authn import assurance as policy
from idp.authn.assurance import ACR_STRONG, ACR_TWO_FACTOR


def test_password_and_sms_is_two_factor() -> None:
    assert policy.is_complete(["password", "sms"])
    assert policy.amr_for(["password", "sms"]) == ["pwd", "sms", "mfa"]
    assert policy.acr_for(["password", "sms"]) == ACR_TWO_FACTOR


@pytest.mark.parametrize("second", ["sms", "totp", "email", "app", "card", "passkey"])
def test_every_second_factor_completes_after_the_password(second: str) -> None:
    assert policy.is_complete(["password", second])
    assert policy.acr_for(["password", second]) == ACR_TWO_FACTOR
    assert policy.amr_for(["password", second])[-1] == "mfa"


@pytest.mark.parametrize("alone", [["password"], ["sms"], ["totp"], ["passkey"], ["card"], []])
def test_one_ordinary_factor_is_never_enough(alone: list[str]) -> None:
    assert not policy.is_complete(alone)
    with pytest.raises(ValueError):
        policy.acr_for(alone)


@pytest.mark.parametrize("strong", ["passkey_uv", "qes"])
def test_a_user_verified_passkey_or_a_signature_is_strong_alone(strong: str) -> None:
    assert policy.is_complete([strong])
    assert policy.acr_for([strong]) == ACR_STRONG
    assert "mfa" in policy.amr_for([strong])
    assert policy.acr_for(["password", strong]) == ACR_STRONG


def test_amr_values() -> None:
    assert policy.amr_for(["password", "totp"]) == ["pwd", "otp", "mfa"]
    assert policy.amr_for(["password", "app"]) == ["pwd", "mca", "mfa"]
    assert policy.amr_for(["passkey_uv"]) == ["hwk", "user", "pin", "mfa"]
    assert policy.amr_for(["qes"]) == ["pop", "swk", "mfa"]


def test_step_up_offers_only_strong_factors_when_reachable() -> None:
    available = ["sms", "totp", "passkey_uv", "qes"]
    assert policy.factors_for_step("", available) == available
    assert policy.factors_for_step(ACR_TWO_FACTOR, available) == available
    assert policy.factors_for_step(ACR_STRONG, available) == ["passkey_uv", "qes"]
    # A request that accepts either level is satisfied by two factors.
    assert policy.factors_for_step(f"{ACR_TWO_FACTOR} {ACR_STRONG}", available) == available
    # Nothing strong enrolled: the login still completes at 2fa; the authorization endpoint
    # then decides (an essential acr gives unmet_authentication_requirements).
    assert policy.factors_for_step(ACR_STRONG, ["sms", "totp"]) == ["sms", "totp"]


def test_strongest_reachable() -> None:
    assert policy.strongest_reachable(["sms"]) == ACR_TWO_FACTOR
    assert policy.strongest_reachable(["sms", "qes"]) == ACR_STRONG
    assert policy.wants_strong(ACR_STRONG) and not policy.wants_strong("") and not policy.wants_strong("urn:x")


def test_acr_satisfies() -> None:
    assert policy.acr_satisfies(ACR_STRONG, (ACR_TWO_FACTOR,))
    assert not policy.acr_satisfies(ACR_TWO_FACTOR, (ACR_STRONG,))
    assert policy.acr_satisfies(ACR_TWO_FACTOR, ("urn:unknown",))
