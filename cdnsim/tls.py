"""TLS for the origin: a configured certificate, or a self-signed development one."""

from __future__ import annotations

import datetime
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed(directory: Path, host_names: list[str]) -> tuple[Path, Path]:
    """Write a development certificate for ``host_names`` (and 127.0.0.1) and its key."""
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host_names[0])])
    now = datetime.datetime.now(datetime.UTC)
    alt_names: list[x509.GeneralName] = [x509.DNSName(h) for h in host_names]
    alt_names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "dev-cert.pem", directory / "dev-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def check_pair(cert: Path, key: Path) -> None:
    """Refuse, before anything starts, a certificate and key that TLS cannot serve: a file
    that is not PEM, a key of another certificate, an encrypted key (it would otherwise
    wait for a passphrase on the terminal)."""
    try:
        x509.load_pem_x509_certificates(cert.read_bytes())
    except (OSError, ValueError):
        raise ValueError(f"--tls-cert {cert}: not a certificate in PEM form") from None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key, password=_no_passphrase)
    except _EncryptedKey:
        reason = "it is encrypted"
    except ssl.SSLError as exc:
        reason = _REASONS.get(getattr(exc, "reason", None) or "", "not readable as PEM")
    else:
        return
    raise ValueError(f"--tls-key {key}: not the unencrypted PEM key of {cert} ({reason})")


_REASONS = {"KEY_VALUES_MISMATCH": "it is another certificate's"}


class _EncryptedKey(Exception):
    pass


def _no_passphrase() -> bytes:
    raise _EncryptedKey


def server_context(
    cert: Path | None, key: Path | None, self_signed_hosts: list[str] | None
) -> ssl.SSLContext | None:
    if cert is None and not self_signed_hosts:
        return None
    if cert is None or key is None:
        cert, key = self_signed(
            Path(tempfile.mkdtemp(prefix="cdnsim-tls-")), self_signed_hosts or ["localhost"]
        )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
