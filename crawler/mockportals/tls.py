"""TLS for the rehearsal portals: certificates made at start-up, and the server contexts that use them.

Real provincial portals serve HTTPS with self-signed or expired certificates and with TLS 1.0 and
RSA-only ciphers (portals.md §4). The mock server reproduces both, plus a well-configured portal
whose certificate is signed by a test CA, so a test can show that verification really verifies.

Certificates are generated with `cryptography` (a dependency of Scrapy's pyOpenSSL) when the server
starts: nothing is stored in the repository, nothing expires in a checkout. Keys are EC P-256 for
modern contexts (fast to generate) and RSA 2048 for the legacy one (TLS 1.0 RSA key exchange needs
an RSA key).
"""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

# What the legacy portal speaks: TLS 1.0 only, RSA key exchange, SHA-1 MACs (an IIS 7 default).
LEGACY_CIPHERS = "AES128-SHA:AES256-SHA:@SECLEVEL=0"


@dataclass(frozen=True, slots=True)
class Issued:
    """A certificate and its key, as PEM files in the server's scratch directory."""

    cert: Path
    key: Path


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "thidua mock portals"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _key(rsa_key: bool) -> PrivateKey:
    if rsa_key:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _write(folder: Path, stem: str, cert: x509.Certificate, key: PrivateKey) -> Issued:
    cert_path, key_path = folder / f"{stem}.crt", folder / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return Issued(cert_path, key_path)


class CertificateAuthority:
    """A throw-away CA for one server run: signs the trusted portal's certificate."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = _key(False)
        now = dt.datetime.now(dt.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name("thidua mock CA"))
            .issuer_name(_name("thidua mock CA"))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )
        self.bundle = folder / "mock-ca.pem"
        self.bundle.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))


def issue(
    folder: Path, host: str, *, ca: CertificateAuthority | None = None, rsa_key: bool = False
) -> Issued:
    """Make a server certificate for `host`: signed by `ca`, or self-signed when `ca` is None."""
    key = _key(rsa_key)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca.cert.subject if ca else _name(host))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    cert = builder.sign(ca.key if ca else key, hashes.SHA256())
    return _write(folder, host, cert, key)


def server_context(issued: Issued, *, legacy: bool = False) -> ssl.SSLContext:
    """Return the server side of a TLS connection with `issued`; `legacy`: TLS 1.0 and RSA ciphers only."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if legacy:
        ctx.set_ciphers(LEGACY_CIPHERS)
        # the deprecated names are the point here: this server imitates one stuck in 2010
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1
    ctx.load_cert_chain(issued.cert, issued.key)
    return ctx
