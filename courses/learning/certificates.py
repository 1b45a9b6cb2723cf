"""What a certificate shows, wherever it shows it (ADR 0028): the printable page, the PDF and the
public check page read one ``Sheet``; its QR code is one matrix from reportlab's encoder, drawn as
inline SVG on the page and as squares in the PDF, so what a phone scans is the same everywhere.

The verification address (``/certificates/<uid>/``) is public and shows the minimum a verifier needs;
the sheet with its PDF, QR code and LinkedIn link is for the certificate's owner only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from reportlab.graphics.barcode import qrencoder

from omooc.templatetags.dates import moment

from ..models import Certificate
from . import certificate_pdf

ISSUER = "OMOOC"
QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def verification_url(certificate: Certificate) -> str:
    from .services import site_url

    return site_url(certificate.get_absolute_url())


def is_owner(certificate: Certificate, user) -> bool:
    return bool(user.is_authenticated) and certificate.enrollment.user_id == user.pk


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code of ``text`` (error correction M: a printed sheet survives a fold), row by row,
    ``True`` for a dark module; without the quiet zone."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    size = code.getModuleCount()
    return [[bool(code.isDark(row, col)) for col in range(size)] for row in range(size)]


def qr_svg(text: str, *, label: str) -> SafeString:
    """The QR code as one inline SVG path (no script, no style attribute: the CSP allows it), with
    ``label`` as its accessible name."""
    matrix = qr_matrix(text)
    side = len(matrix) + 2 * QUIET_ZONE
    path = "".join(
        f"M{col + QUIET_ZONE} {row + QUIET_ZONE}h1v1h-1z"
        for row, cells in enumerate(matrix)
        for col, dark in enumerate(cells)
        if dark
    )
    return format_html(
        '<svg class="certificate-qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        'role="img" aria-label="{label}" shape-rendering="crispEdges">'
        '<rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d="{path}"/></svg>',
        side=side,
        label=label,
        path=path,
    )


def linkedin_url(certificate: Certificate) -> str:
    """LinkedIn's add-to-profile link for a certification, filled in (the learner confirms there)."""
    issued = timezone.localtime(certificate.issued_at)
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.course_title,
        "organizationName": ISSUER,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": verification_url(certificate),
        "certId": str(certificate.uid),
    }
    return f"{LINKEDIN_ADD}?{urlencode(query)}"


@dataclass(frozen=True)
class Sheet:
    """Everything printed on a certificate, in the active language."""

    issuer: str
    learner_name: str
    course_title: str
    issued_at: datetime
    issued_on: str  # the date as the active language writes it (the |moment filter's format)
    url: str
    qr: list[list[bool]]

    @property
    def lines(self) -> list[tuple[str, str]]:
        """The sheet top to bottom as ``(role, text)``: the PDF draws these, the page shows the same."""
        return [
            ("brand", self.issuer),
            ("title", _("Certificate of completion")),
            ("intro", _("This certifies that")),
            ("name", self.learner_name),
            ("intro", _("has completed the online course")),
            ("course", self.course_title),
            ("fact", _("Issued on %(date)s") % {"date": self.issued_on}),
            ("url", _("Verify at %(url)s") % {"url": self.url}),
        ]


def sheet(certificate: Certificate) -> Sheet:
    url = verification_url(certificate)
    return Sheet(
        issuer=ISSUER,
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        issued_at=certificate.issued_at,
        issued_on=moment(certificate.issued_at, "date"),
        url=url,
        qr=qr_matrix(url),
    )


def owner_page(certificate: Certificate) -> dict:
    """The context of the owner's page: the sheet, its QR code as inline SVG, the LinkedIn link."""
    printed = sheet(certificate)
    label = _("QR code of the verification address %(url)s") % {"url": printed.url}
    return {
        "certificate": certificate,
        "sheet": printed,
        "qr": qr_svg(printed.url, label=label),
        "linkedin_url": linkedin_url(certificate),
    }


def render_pdf(certificate: Certificate, *, language: str = "nl") -> bytes:
    """The certificate as one A4 landscape PDF page in ``language`` (the page's twin)."""
    with translation.override(language):
        return certificate_pdf.render(sheet(certificate), title=_("Certificate of completion"))
