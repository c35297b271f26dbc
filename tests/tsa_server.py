"""A tiny RFC 3161 timestamp authority on 127.0.0.1, for tests only.

``LocalTSA`` makes at start a self-signed CA and a TSA certificate issued by it (critical
extendedKeyUsage timeStamping, as OpenSSL demands), then answers every POSTed ``TimeStampReq``
with a ``TimeStampResp`` signed the way real TSAs sign: CMS SignedData over a TSTInfo, signed
attributes contentType, messageDigest and signingCertificateV2. Fault modes make it lie in one
precise way each, so tests can prove the client and the verifier notice.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Literal

from asn1crypto import algos, cms, core, tsp  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

POLICY_OID = "1.3.6.1.4.1.99999.1"
OTHER_POLICY_OID = "1.3.6.1.4.1.99999.2"
# A KeyPurposeId no library knows by name: OpenSSL's timestamp purpose lets it through.
UNKNOWN_PURPOSE_OID = "1.3.6.1.4.1.99999.7"
REJECT_TEXT = "request rejected by the test TSA: policy not accepted"

KeyKind = Literal["ec", "rsa"]
# The TSA certificate's extendedKeyUsage: as RFC 3161 2.3 wants it, or wrong in one way.
EkuKind = Literal[
    "time_stamping", "code_signing", "absent", "non_critical", "extra_known", "extra_unknown"
]
# The signed ESS signingCertificateV2 attribute: right, naming another certificate, or missing.
EssKind = Literal["v2", "mismatch", "absent"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class TimeStampResp(core.Sequence):  # type: ignore[misc]
    """RFC 3161 TimeStampResp with the token optional (asn1crypto's requires it)."""

    _fields: ClassVar[list[Any]] = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cancelscout tests"),
        ]
    )


def new_key(kind: KeyKind = "ec") -> PrivateKey:
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _usage(*, sign_certs: bool, wide: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not sign_certs,
        content_commitment=not sign_certs,
        key_encipherment=wide,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=sign_certs,
        crl_sign=sign_certs,
        encipher_only=False,
        decipher_only=False,
    )


def make_ca(
    common_name: str = "cancelscout test CA", kind: KeyKind = "ec"
) -> tuple[PrivateKey, x509.Certificate]:
    """A self-signed CA certificate valid from a week ago until tomorrow."""
    key = new_key(kind)
    now = datetime.now(timezone.utc)
    name = _name(common_name)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=7))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(sign_certs=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _purposes(eku: EkuKind) -> list[x509.ObjectIdentifier]:
    stamping = ExtendedKeyUsageOID.TIME_STAMPING
    return {
        "code_signing": [ExtendedKeyUsageOID.CODE_SIGNING],
        "extra_known": [stamping, ExtendedKeyUsageOID.CODE_SIGNING],
        "extra_unknown": [stamping, x509.ObjectIdentifier(UNKNOWN_PURPOSE_OID)],
    }.get(eku, [stamping])


def make_tsa_cert(
    ca_key: PrivateKey,
    ca_cert: x509.Certificate,
    common_name: str = "cancelscout test TSA",
    kind: KeyKind = "ec",
    *,
    eku: EkuKind = "time_stamping",
    expired: bool = False,
    wide_usage: bool = False,
) -> tuple[PrivateKey, x509.Certificate]:
    """A TSA certificate issued by the CA: critical extendedKeyUsage timeStamping alone, unless
    ``eku`` says otherwise; keyUsage digitalSignature and nonRepudiation, plus keyEncipherment
    if ``wide_usage``; valid from an hour ago for a day, or, ``expired``, from two days ago
    until yesterday."""
    key = new_key(kind)
    now = datetime.now(timezone.utc)
    start, end = (
        (now - timedelta(days=2), now - timedelta(days=1))
        if expired
        else (now - timedelta(hours=1), now + timedelta(days=1))
    )
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign_certs=False, wide=wide_usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
    )
    if eku != "absent":
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(_purposes(eku)), critical=eku != "non_critical"
        )
    return key, builder.sign(ca_key, hashes.SHA256())


class LocalTSA:
    """An RFC 3161 TSA on 127.0.0.1 at a free port, serving from a daemon thread.

    Fault modes: ``reject`` answers status rejection with :data:`REJECT_TEXT`; ``corrupt`` flips
    a byte of the signature; ``wrong_nonce`` echoes another nonce; ``bad_digest`` signs a
    messageDigest that is not the TSTInfo's; ``eku`` signs with a certificate whose
    extendedKeyUsage is wrong in that way (see :data:`EkuKind`); ``expired`` signs with a
    certificate that expired before genTime; ``wide_usage`` with one whose keyUsage also
    allows key encipherment; ``clock`` shifts genTime by that much; ``ess`` makes the
    signingCertificateV2 attribute name the CA's certificate (``mismatch``) or leaves it out
    (``absent``); ``policy`` is the TSA policy the tokens name; ``http_status`` answers that
    HTTP error; ``garbage`` answers bytes that are not ASN.1; ``delay_s`` waits that long
    before answering.
    """

    def __init__(
        self,
        *,
        kind: KeyKind = "ec",
        reject: bool = False,
        corrupt: bool = False,
        wrong_nonce: bool = False,
        bad_digest: bool = False,
        eku: EkuKind = "time_stamping",
        expired: bool = False,
        wide_usage: bool = False,
        clock: timedelta = timedelta(0),
        ess: EssKind = "v2",
        policy: str = POLICY_OID,
        http_status: int | None = None,
        garbage: bool = False,
        delay_s: float = 0.0,
    ) -> None:
        self.kind: KeyKind = kind
        self.reject = reject
        self.corrupt = corrupt
        self.wrong_nonce = wrong_nonce
        self.bad_digest = bad_digest
        self.clock = clock
        self.ess = ess
        self.policy = policy
        self.http_status = http_status
        self.garbage = garbage
        self.delay_s = delay_s
        self._lock = threading.Lock()
        self._requests = 0
        self._serial = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.ca_key, self.ca_cert = make_ca(kind=kind)
        self.tsa_key, self.tsa_cert = make_tsa_cert(
            self.ca_key, self.ca_cert, kind=kind, eku=eku, expired=expired, wide_usage=wide_usage
        )
        self._tsa_der = self.tsa_cert.public_bytes(Encoding.DER)
        self._tsa_asn1 = asn1_x509.Certificate.load(self._tsa_der)

    # -- properties ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("LocalTSA is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/tsa"

    @property
    def ca_cert_pem(self) -> bytes:
        return self.ca_cert.public_bytes(Encoding.PEM)

    @property
    def tsa_cert_pem(self) -> bytes:
        return self.tsa_cert.public_bytes(Encoding.PEM)

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> LocalTSA:
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, content_type, answer = tsa._answer(
                    body, self.headers.get("Content-Type", "")
                )
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests): nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="local-tsa", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> LocalTSA:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- the protocol -------------------------------------------------------------------------

    def _answer(self, body: bytes, content_type: str) -> tuple[int, str, bytes]:
        with self._lock:
            self._requests += 1
            self._serial += 1
            serial = self._serial
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.http_status is not None:
            return self.http_status, "text/plain", b"test TSA error\n"
        if self.garbage:
            return 200, "application/timestamp-reply", b"<html>not a timestamp</html>"
        if content_type.split(";")[0].strip().lower() != "application/timestamp-query":
            return 415, "text/plain", b"expected application/timestamp-query\n"
        try:
            request = tsp.TimeStampReq.load(body, strict=True)
            request.native  # noqa: B018 - parse it all now
        except ValueError:
            return 200, "application/timestamp-reply", self._refusal("bad_data_format", "bad")
        if self.reject:
            return (
                200,
                "application/timestamp-reply",
                self._refusal("unaccepted_policy", REJECT_TEXT),
            )
        return 200, "application/timestamp-reply", self._grant(request, serial)

    def _refusal(self, failure: str, text: str) -> bytes:
        status = tsp.PKIStatusInfo(
            {"status": "rejection", "status_string": [text], "fail_info": {failure}}
        )
        return bytes(TimeStampResp({"status": status}).dump())

    def _grant(self, request: Any, serial: int) -> bytes:
        gen_time = (datetime.now(timezone.utc) + self.clock).replace(microsecond=0)
        fields: dict[str, Any] = {
            "version": "v1",
            "policy": self.policy,
            "message_imprint": request["message_imprint"],
            "serial_number": serial,
            "gen_time": gen_time,
            "accuracy": {"seconds": 1},
        }
        nonce = request["nonce"].native
        if nonce is not None:
            fields["nonce"] = nonce + 1 if self.wrong_nonce else nonce
        tst_info = tsp.TSTInfo(fields)
        tst_der = tst_info.dump()

        digested = tst_der + b"x" if self.bad_digest else tst_der
        named = self.ca_cert.public_bytes(Encoding.DER) if self.ess == "mismatch" else self._tsa_der
        ess = {
            "certs": [
                {
                    "cert_hash": hashlib.sha256(named).digest(),
                    "issuer_serial": {
                        "issuer": [
                            asn1_x509.GeneralName(
                                name="directory_name", value=self._tsa_asn1.issuer
                            )
                        ],
                        "serial_number": self._tsa_asn1.serial_number,
                    },
                }
            ]
        }
        attributes = [
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "signing_time", "values": [cms.Time({"utc_time": gen_time})]},
            {"type": "message_digest", "values": [hashlib.sha256(digested).digest()]},
        ]
        if self.ess != "absent":
            attributes.append({"type": "signing_certificate_v2", "values": [ess]})
        signed_attrs = cms.CMSAttributes(attributes)
        to_sign = signed_attrs.dump()
        if isinstance(self.tsa_key, rsa.RSAPrivateKey):
            signature = self.tsa_key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
            signature_algorithm = "rsassa_pkcs1v15"  # rsaEncryption; hash from digestAlgorithm
        else:
            signature = self.tsa_key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
            signature_algorithm = "sha256_ecdsa"
        if self.corrupt:
            # The last byte: still well-formed DER for ECDSA, just the wrong number.
            signature = signature[:-1] + bytes([signature[-1] ^ 0x01])

        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    name="issuer_and_serial_number",
                    value={
                        "issuer": self._tsa_asn1.issuer,
                        "serial_number": self._tsa_asn1.serial_number,
                    },
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "signed_attrs": signed_attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm(
                    {"algorithm": signature_algorithm}
                ),
                "signature": signature,
            }
        )
        signed_data: dict[str, Any] = {
            "version": "v3",
            "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
            "encap_content_info": {"content_type": "tst_info", "content": tst_info},
            "signer_infos": [signer_info],
        }
        if request["cert_req"].native:
            signed_data["certificates"] = [self._tsa_asn1]
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        reply = TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})
        return bytes(reply.dump())
