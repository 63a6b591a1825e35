"""The names a certificate is known by outside the database.

Its public verification page (printed as a QR code, emailed, shared) and the key that page is
cached under, and the file name of its PDF. Printed certificates must keep verifying: the
address comes from the `verification:certificate` URL, whose path never changes.
"""

from django.conf import settings
from django.urls import reverse

from certification.certificates.models import Certificate


def verification_url(code: str) -> str:
    """The absolute address of the certificate's public verification page."""
    return f"{settings.SITE_URL}{reverse('verification:certificate', args=[code])}"


def verification_page_cache_key(code: str) -> str:
    """The name its public verification page is cached under (core.pagecache)."""
    return f"verify:{code}"


def pdf_filename(certificate: Certificate) -> str:
    return f"QGIS-certificate-{certificate.code}.pdf"
