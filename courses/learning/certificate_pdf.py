"""The certificate PDF: one A4 landscape page drawn with reportlab from a ``certificates.Sheet``, laid
out like the printable page (templates/courses/certificate.html, static/css/learner.css): a double
border in the brand colour, the brand, title, name, course, date, and at the foot the verification
address beside its QR code (the same matrix the page shows), the address also a link.

A leaf: it knows nothing of models or requests. Long names and titles shrink to fit the sheet, then
wrap (at most three lines), so nothing runs off the paper."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

if TYPE_CHECKING:
    from .certificates import Sheet

BRAND = HexColor("#0b5cad")  # --brand in static/css/omooc.css
INK = HexColor("#1b1f24")  # --ink
MUTED = HexColor("#4a5561")  # --muted
QR_SIDE = 3.4 * cm
QUIET = 4  # modules

# role: (font, largest size, smallest size, colour, space above in points)
STYLES = {
    "brand": ("Helvetica-Bold", 13, 13, BRAND, 0),
    "title": ("Helvetica-Bold", 30, 20, INK, 14),
    "intro": ("Helvetica", 14, 12, MUTED, 16),
    "name": ("Helvetica-Bold", 26, 16, INK, 10),
    "course": ("Helvetica-Bold", 20, 13, INK, 10),
    "fact": ("Helvetica", 12, 10, INK, 22),
}


def _fit(text: str, font: str, largest: float, smallest: float, width: float) -> tuple[float, list[str]]:
    """The largest size from ``largest`` down to ``smallest`` at which ``text`` fits ``width`` on one
    line; else ``smallest`` wrapped over at most three lines (the last one cut with an ellipsis)."""
    size = largest
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 1
    if stringWidth(text, font, size) <= width:
        return size, [text]
    lines = simpleSplit(text, font, size, width)
    if len(lines) > 3:
        last = lines[2]
        while last and stringWidth(last + " …", font, size) > width:
            last = last[:-1]
        lines = [*lines[:2], last.rstrip() + " …"]
    return size, lines


def _qr(pdf: canvas.Canvas, matrix: list[list[bool]], *, x: float, y: float, side: float) -> None:
    """Draw ``matrix`` with its quiet zone as a ``side``-point square whose lower left is ``(x, y)``."""
    count = len(matrix) + 2 * QUIET
    module = side / count
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, side, side, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                left = x + (col + QUIET) * module
                bottom = y + side - (row + QUIET + 1) * module
                pdf.rect(left, bottom, module, module, stroke=0, fill=1)


def render(sheet: Sheet, *, title: str) -> bytes:
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"{title} · {sheet.course_title}")
    pdf.setAuthor(sheet.issuer)
    pdf.setSubject(sheet.url)
    # A double border, as the page's ``3px double var(--brand)``.
    pdf.setStrokeColor(BRAND)
    pdf.setLineWidth(3)
    pdf.rect(1.2 * cm, 1.2 * cm, width - 2.4 * cm, height - 2.4 * cm)
    pdf.setLineWidth(1)
    pdf.rect(1.5 * cm, 1.5 * cm, width - 3 * cm, height - 3 * cm)

    text_width = width - 6 * cm
    y = height - 3.2 * cm
    url_line = ""
    for role, text in sheet.lines:
        if role == "url":
            url_line = text
            continue
        font, largest, smallest, colour, above = STYLES[role]
        size, lines = _fit(text, font, largest, smallest, text_width)
        y -= above
        pdf.setFont(font, size)
        pdf.setFillColor(colour)
        for line in lines:
            y -= size * 1.2
            pdf.drawCentredString(width / 2, y, line)

    # The foot: the QR code, and beside it the address to type (both lead to the public check page).
    left = 2.4 * cm
    bottom = 2.2 * cm
    _qr(pdf, sheet.qr, x=left, y=bottom, side=QR_SIDE)
    pdf.linkURL(sheet.url, (left, bottom, left + QR_SIDE, bottom + QR_SIDE), relative=0)
    pdf.setFillColor(MUTED)
    size, lines = _fit(url_line, "Helvetica", 10, 8, width - left - QR_SIDE - 3.4 * cm)
    pdf.setFont("Helvetica", size)
    text_x = left + QR_SIDE + 0.5 * cm
    text_y = bottom + QR_SIDE / 2
    for line in lines:
        pdf.drawString(text_x, text_y, line)
        text_y -= size * 1.3
    pdf.linkURL(sheet.url, (text_x, bottom, width - 2.4 * cm, bottom + QR_SIDE), relative=0)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
