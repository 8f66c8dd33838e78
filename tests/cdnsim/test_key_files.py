"""Key and certificate files are checked when the command starts: a file that is not what
its flag says is one line naming the flag, never a traceback at start-up (TLS) or a 500 on
every admin request later (an RS256 key read only when the first token came)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cdnsim.commands.origin import add_arguments
from cdnsim.origin_config import origin_settings_from_args
from cdnsim.tls import check_pair, self_signed
from cdnsim.usage import Parser, UsageError


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path, ["localhost"])


def test_a_certificate_and_its_own_key_pass(pair: tuple[Path, Path]) -> None:
    check_pair(*pair)


def test_a_file_that_is_no_certificate_is_named(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    not_pem = tmp_path / "cert.json"
    not_pem.write_text("{}")
    with pytest.raises(ValueError, match=r"^--tls-cert .*cert\.json: not a certificate in PEM"):
        check_pair(not_pem, pair[1])
    with pytest.raises(ValueError, match=r"^--tls-key .*cert\.json: not the unencrypted PEM key"):
        check_pair(pair[0], not_pem)


def test_another_certificates_key_is_refused(tmp_path: Path, pair: tuple[Path, Path]) -> None:
    other = tmp_path / "other"
    other.mkdir()
    _, other_key = self_signed(other, ["localhost"])
    with pytest.raises(ValueError, match="another certificate's"):
        check_pair(pair[0], other_key)


def test_an_encrypted_key_is_refused_without_asking_for_a_passphrase(
    tmp_path: Path, pair: tuple[Path, Path]
) -> None:
    key = serialization.load_pem_private_key(pair[1].read_bytes(), password=None)
    encrypted = tmp_path / "encrypted.pem"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    with pytest.raises(ValueError, match="it is encrypted"):
        check_pair(pair[0], encrypted)


def _settings(*flags: str) -> object:
    parser = Parser(prog="cdnsim origin")
    add_arguments(parser)
    return origin_settings_from_args(parser.parse_args(list(flags)))


def _rsa_pem(tmp_path: Path, *, private: bool) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / ("private.pem" if private else "public.pem")
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        if private
        else key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def test_an_rsa_public_key_is_taken(tmp_path: Path) -> None:
    public = _rsa_pem(tmp_path, private=False)
    settings = _settings("--jwt-public-key-file", str(public))
    assert settings.auth.jwt_public_key == public.read_text()  # type: ignore[attr-defined]


@pytest.mark.parametrize("content", ["not a key", "private"])
def test_what_is_no_rsa_public_key_is_refused_at_start(tmp_path: Path, content: str) -> None:
    path = _rsa_pem(tmp_path, private=True) if content == "private" else tmp_path / "key.pem"
    if content != "private":
        path.write_text(content)
    with pytest.raises(UsageError, match=r"^--jwt-public-key-file .*: not an RSA public key"):
        _settings("--jwt-public-key-file", str(path))


def test_tls_flags_are_checked_with_the_settings(tmp_path: Path) -> None:
    not_pem = tmp_path / "x.pem"
    not_pem.write_text("x")
    with pytest.raises(UsageError, match="--tls-cert .*: not a certificate in PEM form"):
        _settings("--tls-cert", str(not_pem), "--tls-key", str(not_pem))
