"""Certificate PDFs (reportlab) carrying a public verification URL."""

from __future__ import annotations

import io

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas

from ..models import Certificate


def verification_url(certificate: Certificate) -> str:
    from .services import site_url

    return site_url(certificate.get_absolute_url())


def render_pdf(certificate: Certificate, *, language: str = "nl") -> bytes:
    buffer = io.BytesIO()
    width, height = landscape(A4)
    with translation.override(language):
        pdf = canvas.Canvas(buffer, pagesize=(width, height))
        pdf.setTitle(_("Certificate of completion"))
        pdf.setAuthor("OMOOC")
        pdf.setStrokeColorRGB(0.04, 0.36, 0.68)
        pdf.setLineWidth(4)
        pdf.rect(1.2 * cm, 1.2 * cm, width - 2.4 * cm, height - 2.4 * cm)
        pdf.setFont("Helvetica-Bold", 30)
        pdf.drawCentredString(width / 2, height - 4.5 * cm, _("Certificate of completion"))
        pdf.setFont("Helvetica", 15)
        pdf.drawCentredString(width / 2, height - 6.5 * cm, _("This certifies that"))
        pdf.setFont("Helvetica-Bold", 24)
        pdf.drawCentredString(width / 2, height - 8 * cm, certificate.learner_name)
        pdf.setFont("Helvetica", 15)
        pdf.drawCentredString(width / 2, height - 9.5 * cm, _("has completed the course"))
        pdf.setFont("Helvetica-Bold", 20)
        pdf.drawCentredString(width / 2, height - 11 * cm, certificate.course_title)
        pdf.setFont("Helvetica", 12)
        issued = formats.date_format(certificate.issued_at, "DATE_FORMAT")
        pdf.drawCentredString(width / 2, height - 12.6 * cm, _("Issued on %(date)s") % {"date": issued})
        url = verification_url(certificate)
        pdf.setFont("Helvetica", 10)
        pdf.drawCentredString(width / 2, 2.4 * cm, _("Verify this certificate at %(url)s") % {"url": url})
        pdf.linkURL(url, (2 * cm, 2 * cm, width - 2 * cm, 3 * cm))
        pdf.showPage()
        pdf.save()
    return buffer.getvalue()
