"""Test signers for ESIA ``client_secret`` values, independent of the stand's code:
RSA with ``cryptography`` (raw PKCS#1 v1.5 and detached CMS, with or without signed
attributes) and GOST R 34.10-2012-256 with OpenSSL's gost engine (Debian
``libengine-gost-openssl``), raw and CMS."""

from __future__ import annotations

import atexit
import base64
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID


def b64url(data: bytes, *, pad: bool = False) -> str:
    text = base64.urlsafe_b64encode(data).decode()
    return text if pad else text.rstrip("=")


def esia_timestamp(shift: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + shift).strftime("%Y.%m.%d %H:%M:%S %z")


@cache
def gost_engine_available() -> bool:
    try:
        result = subprocess.run(["openssl", "engine", "gost"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and "gost" in result.stdout.lower()


@dataclass(frozen=True)
class RsaSigner:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @classmethod
    def create(cls, name: str = "test RSA system") -> RsaSigner:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .sign(key, hashes.SHA256())
        )
        return cls(key, cert)

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    def raw(self, text: str) -> bytes:
        return self.key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())

    def cms(self, text: str, *, attributes: bool = True) -> bytes:
        options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
        if not attributes:
            options.append(pkcs7.PKCS7Options.NoAttributes)
        builder = pkcs7.PKCS7SignatureBuilder().set_data(text.encode()).add_signer(self.cert, self.key, hashes.SHA256())
        return builder.sign(serialization.Encoding.DER, options)


def _openssl(*args: str, data: bytes | None = None) -> bytes:
    result = subprocess.run(["openssl", *args], input=data, capture_output=True, timeout=30, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)}: {result.stderr.decode()}")
    return result.stdout


@dataclass(frozen=True)
class GostSigner:
    """A GOST key and self-signed certificate made by ``openssl req -engine gost``."""

    directory: Path

    @classmethod
    def create(cls, name: str = "test GOST system", paramset: str = "A") -> GostSigner:
        directory = Path(tempfile.mkdtemp(prefix="esia-gost-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)  # a test key never outlives the run
        _openssl(
            "req", "-engine", "gost", "-x509", "-newkey", "gost2012_256", "-pkeyopt", f"paramset:{paramset}",
            "-nodes", "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem"),
            "-subj", f"/CN={name}", "-days", "30",
        )  # fmt: skip
        return cls(directory)

    @property
    def cert_pem(self) -> bytes:
        return (self.directory / "cert.pem").read_bytes()

    @property
    def cert_der(self) -> bytes:
        return _openssl("x509", "-engine", "gost", "-in", str(self.directory / "cert.pem"), "-outform", "DER")

    def raw(self, text: str) -> bytes:
        """64 bytes as OpenSSL writes them (s||r)."""
        key = str(self.directory / "key.pem")
        return _openssl("dgst", "-engine", "gost", "-md_gost12_256", "-sign", key, data=text.encode())

    def cms(self, text: str, *, attributes: bool = True) -> bytes:
        extra = [] if attributes else ["-noattr"]
        return _openssl(
            "cms", "-engine", "gost", "-sign", "-binary", *extra, "-signer", str(self.directory / "cert.pem"),
            "-inkey", str(self.directory / "key.pem"), "-outform", "DER", data=text.encode(),
        )  # fmt: skip

    def verify_jws(self, token: str, cert_pem: bytes) -> bool:
        """Verify a GOST3410_2012_256 JWS with ``openssl dgst -verify`` (the stand's certificate)."""
        head, body, sig = token.split(".")
        (self.directory / "stand.pem").write_bytes(cert_pem)
        pub = _openssl("x509", "-engine", "gost", "-in", str(self.directory / "stand.pem"), "-noout", "-pubkey")
        (self.directory / "stand.pub").write_bytes(pub)
        (self.directory / "sig.bin").write_bytes(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
        result = subprocess.run(
            ["openssl", "dgst", "-engine", "gost", "-md_gost12_256", "-verify", str(self.directory / "stand.pub"),
             "-signature", str(self.directory / "sig.bin")],
            input=f"{head}.{body}".encode(), capture_output=True, timeout=30, check=False,
        )  # fmt: skip
        return result.returncode == 0 and b"Verified OK" in result.stdout
