"""WebAuthn verification with a software authenticator: success and every refusal of §2."""

from __future__ import annotations

import json

import pytest

from idp.factors import webauthn_ceremony as w
from tests.support.soft_webauthn import SoftAuthenticator

RP = w.RelyingParty(id="localhost", name="gosid", origins=("http://localhost:8000",))


def _register(device: SoftAuthenticator) -> w.NewCredential:
    options = w.registration_options(RP, user_id=b"user-1", user_name="+79161234501", display_name="И. М.", exclude=[])
    return w.check_registration(RP, response=device.create(options.json), challenge=options.challenge)


def _assert(device: SoftAuthenticator, cred: w.NewCredential, *, sign_count: int | None = None, require_uv: bool = True,
            **get_kwargs: object) -> w.Assertion:  # fmt: skip
    options = w.authentication_options(RP, allow=[cred.credential_id], require_uv=require_uv)
    return w.check_assertion(
        RP,
        response=device.get(options.json, **get_kwargs),  # type: ignore[arg-type]
        challenge=options.challenge,
        public_key=cred.public_key,
        sign_count=cred.sign_count if sign_count is None else sign_count,
        require_uv=require_uv,
    )


def test_register_and_assert() -> None:
    device = SoftAuthenticator()
    cred = _register(device)
    assert cred.user_verified and cred.transports == ["internal"]
    found = _assert(device, cred)
    assert found.user_verified and found.new_sign_count == 1 and found.credential_id == cred.credential_id


def test_challenge_is_at_least_64_bits_and_fresh() -> None:
    a = w.authentication_options(RP, allow=[], require_uv=True)
    b = w.authentication_options(RP, allow=[], require_uv=True)
    assert a.challenge != b.challenge and len(a.challenge) * 6 >= 64
    assert json.loads(a.json)["userVerification"] == "required"


def test_registration_without_user_verification_is_refused() -> None:
    with pytest.raises(w.CeremonyFailed):
        _register(SoftAuthenticator(user_verified=False))


def test_registration_from_another_origin_is_refused() -> None:
    device = SoftAuthenticator()
    options = w.registration_options(RP, user_id=b"u", user_name="n", display_name="d", exclude=[])
    with pytest.raises(w.CeremonyFailed):
        w.check_registration(RP, response=device.create(options.json, origin="https://evil.example"),
                             challenge=options.challenge)  # fmt: skip


def test_wrong_origin_is_refused() -> None:
    device = SoftAuthenticator()
    cred = _register(device)
    with pytest.raises(w.CeremonyFailed, match="origin"):
        _assert(device, cred, origin="http://localhost.evil.example")


def test_wrong_rp_id_is_refused() -> None:
    device = SoftAuthenticator()
    cred = _register(device)
    with pytest.raises(w.CeremonyFailed, match="RP ID"):
        _assert(device, cred, rp_id="evil.example")


def test_missing_user_verification_is_refused_when_required() -> None:
    device = SoftAuthenticator()
    cred = _register(device)
    device.user_verified = False
    with pytest.raises(w.CeremonyFailed, match="verif"):
        _assert(device, cred)
    assert not _assert(device, cred, require_uv=False).user_verified  # fine as a second factor


def test_missing_user_presence_is_refused() -> None:
    device = SoftAuthenticator()
    cred = _register(device)
    device.user_present = False
    with pytest.raises(w.CeremonyFailed):
        _assert(device, cred, require_uv=False)


def test_bogus_signature_is_refused() -> None:
    device = SoftAuthenticator()
    cred = _register(device)
    with pytest.raises(w.CeremonyFailed, match="signature"):
        _assert(device, cred, bogus_signature=True)


def test_sign_count_regression_is_refused() -> None:
    device = SoftAuthenticator()
    cred = _register(device)
    first = _assert(device, cred)
    device.sign_count = 0  # a cloned authenticator replays an old counter
    with pytest.raises(w.CeremonyFailed, match="sign count"):
        _assert(device, cred, sign_count=first.new_sign_count)


def test_an_answer_to_another_challenge_is_refused() -> None:
    device = SoftAuthenticator()
    cred = _register(device)
    old = w.authentication_options(RP, allow=[], require_uv=True)
    answer = device.get(old.json)
    new = w.authentication_options(RP, allow=[], require_uv=True)
    with pytest.raises(w.CeremonyFailed, match="challenge"):
        w.check_assertion(RP, response=answer, challenge=new.challenge, public_key=cred.public_key,
                          sign_count=cred.sign_count, require_uv=True)  # fmt: skip


def test_malformed_answers_are_refused() -> None:
    with pytest.raises(w.CeremonyFailed):
        w.credential_id_of("not json")
    with pytest.raises(w.CeremonyFailed):
        w.check_assertion(RP, response="{}", challenge="AAAA", public_key="AAAA", sign_count=0, require_uv=True)
