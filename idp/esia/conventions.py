"""The strings ESIA clients sign and the conventions libraries are known to follow.

The documented ones (per endpoint) are all strict mode accepts; lenient mode accepts every
convention below and reports which one matched.
"""

from __future__ import annotations

from dataclasses import dataclass

V1 = "v1: scope+timestamp+client_id+state"
V2 = "v2: client_id+scope+scope_org+timestamp+state+redirect_uri"
V2_CODE = "v3: client_id+scope+scope_org+timestamp+state+redirect_uri+code"

CMS = "cms"
RAW_GOST = "raw-gost"
RAW_RSA = "raw-rsa"


@dataclass(frozen=True)
class SignedFields:
    """The parameters a ``client_secret`` may cover, exactly as received."""

    client_id: str
    scope: str
    scope_org: str
    timestamp: str
    state: str
    redirect_uri: str
    code: str | None = None

    def candidates(self) -> dict[str, str]:
        """Every signing string worth trying, by label (the documented one first per version)."""
        v2 = self.client_id + self.scope + self.scope_org + self.timestamp + self.state + self.redirect_uri
        found = {V1: self.scope + self.timestamp + self.client_id + self.state, V2: v2}
        if self.code:
            found = {V2_CODE: v2 + self.code, **found}
        return found


@dataclass(frozen=True)
class Convention:
    name: str
    string: str
    format: str
    versions: tuple[str, ...]  # endpoint versions where it is the documented form
    who: str

    def documented_for(self, version: str) -> bool:
        return version in self.versions

    def expects(self) -> str:
        fmt = {CMS: "a detached CMS signature", RAW_GOST: "a raw GOST R 34.10-2012-256 signature (s||r)"}.get(
            self.format, "a raw RSA PKCS#1 v1.5 SHA-256 signature"
        )
        return f"{fmt} over the {self.string} string"


KNOWN = (
    Convention("v1-cms", V1, CMS, ("ac/v1", "te/v1"), "the documented v1 form; esia-connector, oauth2-esia"),
    Convention("v2-raw", V2, RAW_GOST, ("ac/v2", "te/v3-refresh"), "the documented v2 form; ilimurzin/esia"),
    Convention("v3-raw", V2_CODE, RAW_GOST, ("te/v3",), "the documented v3 token form (v2 string + code)"),
    Convention("v1-cms-on-v2", V1, CMS, (), "fr05t1k/esia 3.x and AISGorod send the old string and CMS to v2/v3"),
    Convention("v2-cms", V2, CMS, (), "the v2 string wrapped in detached CMS"),
    Convention("v3-cms", V2_CODE, CMS, (), "the v3 string wrapped in detached CMS"),
    Convention("v3-without-code", V2, RAW_GOST, (), "the v2 string sent to the token endpoint (code left out)"),
    Convention("v1-raw", V1, RAW_GOST, (), "the old string signed raw"),
    Convention("v2-raw-rsa", V2, RAW_RSA, (), "the v2 string with a raw RSA-SHA256 signature"),
    Convention("v3-raw-rsa", V2_CODE, RAW_RSA, (), "the v3 string with a raw RSA-SHA256 signature"),
    Convention("v1-raw-rsa", V1, RAW_RSA, (), "the old string with a raw RSA-SHA256 signature"),
)


def convention_for(string: str, fmt: str, version: str) -> Convention:
    """The known convention of a (string, format) pair; the documented one wins a tie."""
    matching = [c for c in KNOWN if c.string == string and c.format == fmt]
    # documented here first; then a convention named for this misuse over one documented elsewhere
    matching.sort(key=lambda c: (not c.documented_for(version), bool(c.versions)))
    return matching[0]


def documented(version: str) -> Convention:
    return next(c for c in KNOWN if c.documented_for(version))


def closest(version: str, fmt: str | None, key_algorithm: str | None) -> Convention:
    """The convention nearest to what was received, for diagnostics when nothing matched."""

    def score(c: Convention) -> int:
        points = 4 if fmt and c.format == fmt else 0
        points += 2 if c.documented_for(version) else 0
        if key_algorithm == "rsa":
            points += 1 if c.format in (CMS, RAW_RSA) else 0
        elif key_algorithm:
            points += 1 if c.format in (CMS, RAW_GOST) else 0
        return points

    return max(KNOWN, key=score)
