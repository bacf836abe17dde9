"""TLS policy of the crawler: verify certificates, except for portals whose registry entry says not to.

Scrapy's own default accepts any certificate without a word. thidua verifies every HTTPS
certificate (system trust store, plus THIDUA_CRAWL_CA_BUNDLE when set) and the host name, and
speaks only TLS 1.2+ with OpenSSL's default ciphers. Many Vietnamese government portals have
broken TLS (self-signed or expired certificates, TLS 1.0 with RSA-only ciphers), so a portal's
entry in crawler/portals/*.toml may say, with notes saying who checked the site:

    tls_verify = false   accept its certificate without verifying it
    tls_legacy = true    allow TLS 1.0/1.1 and legacy ciphers (OpenSSL security level 0)

Each connection made under one of these flags counts as a warning of that portal
(`thidua/portal/<name>/warnings/<text>`, shown in the run report and logged once per crawl):
the content is still fetched, but the operator sees that it came over a channel anyone on the
path could have tampered with. A portal without the flags whose TLS is broken fails each fetch
with a `TlsError` message naming the flag that would let it through (`describe_tls_failure`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, cast

from OpenSSL import SSL

# Scrapy 2.19 deprecates DOWNLOADER_CLIENTCONTEXTFACTORY and its public factories; the download
# handler below installs this factory itself, built on the class Scrapy uses internally
from scrapy.core.downloader.contextfactory import _get_creator_context, _ScrapyClientContextFactory
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

# the interface of Twisted's trust roots (public in spirit: optionsForClientTLS takes one)
from twisted.internet._sslverify import IOpenSSLTrustRoot
from twisted.internet.interfaces import IOpenSSLClientConnectionCreator
from twisted.internet.ssl import TLSVersion, optionsForClientTLS
from twisted.web.iweb import IPolicyForHTTPS
from zope.interface import implementer

from crawler import registry

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

WARN_UNVERIFIED = "TLS certificate not verified (registry tls_verify = false)"
WARN_LEGACY = "legacy TLS allowed (registry tls_legacy = true)"
# OpenSSL 3 refuses TLS 1.0/1.1 and SHA-1 signatures above security level 0
_LEGACY_CIPHERS = b"DEFAULT:@SECLEVEL=0"
# "[('SSL routines', '', 'certificate verify failed')]" as OpenSSL errors print
_SSL_TEXT = re.compile(r"\('[^']*', '[^']*', '([^']+)'\)")


class TlsError(Exception):
    """A portal's TLS could not be used; the message says why and which registry flag would help."""


@implementer(IOpenSSLTrustRoot)
class _SystemPlusBundle:
    """Trust the system's CA store plus the certificates of one PEM bundle."""

    def __init__(self, bundle: Path | None) -> None:
        self.bundle = bundle

    def _addCACertsToContext(self, context: SSL.Context) -> None:
        context.set_default_verify_paths()
        if self.bundle is not None:
            context.load_verify_locations(str(self.bundle))


def _loosen(context: SSL.Context) -> None:
    """Allow TLS 1.0 and the ciphers of OpenSSL's security level 0 on `context`."""
    context.set_cipher_list(_LEGACY_CIPHERS)
    context.set_min_proto_version(SSL.TLS1_VERSION)


class PortalTlsContextFactory(_ScrapyClientContextFactory):
    """Scrapy's DOWNLOADER_CLIENTCONTEXTFACTORY for thidua: verify unless the portal's entry says not to."""

    def __init__(
        self, *args: Any, ca_bundle: Path | None = None, owner: Crawler | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.trust = _SystemPlusBundle(ca_bundle)
        # the base class's path is taken only for portals with tls_verify = false
        self._verify_certificates = False
        self.crawler = owner  # for the warning counters
        self._warned: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        bundle = crawler.settings.get("THIDUA_CRAWL_CA_BUNDLE")
        kwargs.setdefault("ca_bundle", Path(bundle) if bundle else None)
        kwargs.setdefault("owner", crawler)
        return super().from_crawler(crawler, *args, **kwargs)

    def _warn(self, portal: str, text: str) -> None:
        if self.crawler is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"thidua/portal/{portal}/warnings/{text}")
        if (portal, text) not in self._warned:
            self._warned.add((portal, text))
            log.warning("%s: %s", portal, text)

    def creatorForNetloc(self, hostname: bytes, port: int) -> IOpenSSLClientConnectionCreator:
        host = hostname.decode("ascii")
        portal = registry.for_url(f"https://{host}/")
        verify = portal is None or portal.tls_verify
        legacy = portal is not None and portal.tls_legacy
        # Twisted refuses TLS 1.0/1.1 through its options, not the context: lower its minimum
        # for this creator only (the reactor is single-threaded, nothing else runs meanwhile)
        self.tls_min_version = TLSVersion.TLSv1_0 if legacy else None
        creator: IOpenSSLClientConnectionCreator
        try:
            if verify:
                creator = optionsForClientTLS(
                    hostname=host,
                    trustRoot=cast("IOpenSSLTrustRoot", self.trust),
                    extraCertificateOptions=self._get_cert_options_kwargs(),
                )
            else:
                creator = cast("IOpenSSLClientConnectionCreator", super().creatorForNetloc(hostname, port))
        finally:
            self.tls_min_version = None
        if legacy:
            _loosen(_get_creator_context(creator))
        if portal is not None and not verify:
            self._warn(portal.name, WARN_UNVERIFIED)
        if portal is not None and legacy:
            self._warn(portal.name, WARN_LEGACY)
        return creator


def describe_tls_failure(exc: BaseException, portal: str | None) -> str | None:
    """Return a one-line reason when `exc` (a failed download) is a TLS failure, else None."""
    reasons = _ssl_reasons(exc)
    if not reasons:
        return None
    text = "; ".join(dict.fromkeys(reasons))
    low = text.lower()
    who = f"the registry entry of {portal}" if portal else "the portal's registry entry"
    if "certificate verify failed" in low or ("certificate" in low and "verif" in low):
        hint = f"its certificate is not trusted; if the site is genuine, set tls_verify = false in {who}"
    elif any(k in low for k in ("unsupported protocol", "no protocols", "version", "no shared cipher")) or (
        "handshake failure" in low
    ):
        hint = f"it speaks only an old TLS; if the site is genuine, set tls_legacy = true in {who}"
    else:
        hint = "the TLS handshake failed"
    return f"TLS failure ({text}): {hint}"


def _ssl_reasons(exc: BaseException) -> list[str]:
    """Collect the OpenSSL error strings inside `exc` (Twisted wraps them in failure lists)."""
    found: list[str] = []
    seen: set[int] = set()

    def walk(value: Any) -> None:
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, SSL.Error):
            for err in value.args[0] if value.args and isinstance(value.args[0], list) else []:
                found.append(str(err[-1]) if isinstance(err, tuple) else str(err))
            if not found:
                found.append(str(value))
            return
        inner = getattr(value, "value", None)  # a twisted Failure
        if inner is not None and inner is not value:
            walk(inner)
        for chained in (getattr(value, "__cause__", None), getattr(value, "__context__", None)):
            if chained is not None:
                walk(chained)
        for attr in ("reasons", "args"):
            for item in getattr(value, attr, ()) or ():
                if not isinstance(item, str | bytes | int | float):
                    walk(item)

    walk(exc)
    if not found and "SSL.Error" in str(exc):
        # Scrapy re-raises as DownloadFailedError(str(error)): the reasons survive only as text
        found = _SSL_TEXT.findall(str(exc))
    return found


class PortalTlsDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler with `PortalTlsContextFactory` (DOWNLOAD_HANDLERS["https"])."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._contextFactory = cast("IPolicyForHTTPS", PortalTlsContextFactory.from_crawler(crawler))
