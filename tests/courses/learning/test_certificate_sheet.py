"""Issue 13, the certificate (ADR 0028): the owner's printable page and its matching PDF carry the
name, course, date and verification address with a QR code of it (the PDF's code is rendered and
decoded as a phone would), plus an "add to LinkedIn profile" link; the PDF is the owner's alone
(another learner, either team's producers: 404); the public check page shows the minimum."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from courses.learning.certificates import QUIET_ZONE, qr_matrix, qr_svg
from courses.learning.services import certificate_issue, enrollment_create
from courses.models import Certificate
from tests.factories import CourseFactory, UserFactory
from tests.production.factories import make_production

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
SITE = "https://omooc.example.org"
# What the PDF, the owner's page and the public check page say in each language, besides the name,
# the course and the address. The date is the site's (Amsterdam) day, as the pages write it: 23:30 UTC
# on 5 March is 6 March.
WORDS = {
    "en": {
        "date": "March 6, 2026",
        "pdf": ("Certificate of completion", "This certifies that", "Verify at"),
        "owner": ("Download the PDF", "Add to LinkedIn profile", "Scan the code"),
        "check": ("Certificate check", "This certificate is genuine.", "Issued to"),
    },
    "nl": {
        "date": "6 maart 2026",
        "pdf": ("Certificaat van deelname", "Hierbij wordt verklaard dat", "Controleren op"),
        "owner": ("Download de pdf", "Toevoegen aan LinkedIn-profiel", "Scan de code"),
        "check": ("Certificaatcontrole", "Dit certificaat is echt.", "Uitgereikt aan"),
    },
}


@pytest.fixture
def issued(settings):
    settings.SITE_URL = SITE
    course = CourseFactory(title="Data en ethiek")
    learner = UserFactory(full_name="Noor Jansen-Ëlberg")
    certificate = certificate_issue(enrollment=enrollment_create(user=learner, course=course))
    Certificate.objects.filter(pk=certificate.pk).update(issued_at=datetime(2026, 3, 5, 23, 30, tzinfo=UTC))
    certificate.refresh_from_db()
    return certificate, learner


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def decode_pdf_qr(data: bytes) -> list[str]:
    """Render the PDF's page at 150 dpi, as a screen or a print would, and read every QR code on it."""
    document = pypdfium2.PdfDocument(data)
    image = document[0].render(scale=150 / 72).to_pil()
    return [
        found.text for found in zxingcpp.read_barcodes(image) if found.format == zxingcpp.BarcodeFormat.QRCode
    ]


def svg_image(svg: str, *, scale: int = 8) -> Image.Image:
    """Paint the page's inline SVG (its ``M x y h1v1h-1z`` squares) into a bitmap to decode it."""
    side = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    image = Image.new("L", (side * scale, side * scale), 255)
    for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", svg):
        x, y = int(x) * scale, int(y) * scale
        image.paste(0, (x, y, x + scale, y + scale))
    return image


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_owners_pdf_says_who_what_when_and_where_to_check_and_its_qr_code_decodes_to_that_address(
    client, issued, language
):
    certificate, learner = issued
    client.force_login(learner)
    response = client.get(f"/certificates/{certificate.uid}/pdf/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]
    text = pdf_text(response.content)
    url = f"{SITE}/certificates/{certificate.uid}/"
    words = WORDS[language]
    for expected in ("Noor Jansen-Ëlberg", "Data en ethiek", words["date"], url, *words["pdf"]):
        assert expected in text, (expected, text)
    assert decode_pdf_qr(response.content) == [url]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_owners_page_is_the_pdfs_twin_with_the_qr_code_inline_and_a_filled_in_linkedin_link(
    client, issued, language
):
    certificate, learner = issued
    client.force_login(learner)
    body = client.get(f"/certificates/{certificate.uid}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    url = f"{SITE}/certificates/{certificate.uid}/"
    words = WORDS[language]
    for expected in ("Noor Jansen-Ëlberg", "Data en ethiek", url, words["date"], *words["owner"]):
        assert expected in body, expected
    svg = re.search(r"<svg class=\"certificate-qr\".*?</svg>", body, re.S).group(0)
    assert "<script" not in svg and "style=" not in svg and 'role="img"' in svg
    (decoded,) = zxingcpp.read_barcodes(svg_image(svg), formats=zxingcpp.BarcodeFormat.QRCode)
    assert decoded.text == url
    href = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', body).group(1)
    query = {key: values[0] for key, values in parse_qs(urlsplit(href.replace("&amp;", "&")).query).items()}
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Data en ethiek",
        "organizationName": "OMOOC",
        "issueYear": "2026",
        "issueMonth": "3",
        "certUrl": url,
        "certId": str(certificate.uid),
    }


def test_the_inline_qr_code_is_reportlabs_matrix_with_its_quiet_zone():
    url = f"{SITE}/certificates/3f2c/"
    matrix = qr_matrix(url)
    svg = str(qr_svg(url, label="QR"))
    dark = {(int(x) - QUIET_ZONE, int(y) - QUIET_ZONE) for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", svg)}
    assert dark == {(col, row) for row, cells in enumerate(matrix) for col, on in enumerate(cells) if on}
    assert f'viewBox="0 0 {len(matrix) + 2 * QUIET_ZONE} {len(matrix) + 2 * QUIET_ZONE}"' in svg


def test_the_pdf_is_the_owners_alone_another_learner_and_both_teams_get_not_found(client, issued):
    certificate, _learner = issued
    address = f"/certificates/{certificate.uid}/pdf/"
    anonymous = client.get(address)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    team_a = UserFactory(producer=True)
    team_b = UserFactory(producer=True)
    production = make_production(lectures=1, team=[team_a])
    make_production(lectures=1, team=[team_b])
    certificate.enrollment.course = production.course
    certificate.enrollment.save(update_fields=["course"])
    for other in (UserFactory(), team_a, team_b):
        client.force_login(other)
        assert client.get(address).status_code == 404
        page = client.get(f"/certificates/{certificate.uid}/", **EN).content.decode()
        # They may verify it, nothing more: no PDF, no LinkedIn, no QR code.
        assert "This certificate is genuine." in page and "Noor Jansen-Ëlberg" in page
        assert "/pdf/" not in page and "linkedin.com" not in page and "<svg" not in page


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_public_check_page_shows_the_minimum_and_is_never_cached_for_others(client, issued, language):
    certificate, learner = issued
    response = client.get(f"/certificates/{certificate.uid}/", HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    words = WORDS[language]
    for expected in (
        "Noor Jansen-Ëlberg",
        "Data en ethiek",
        f"{SITE}/certificates/{certificate.uid}/",
        *words["check"],
        words["date"],
    ):
        assert expected in body, expected
    assert learner.email not in body and "/pdf/" not in body and "linkedin" not in body
    assert 'name="robots" content="noindex"' in body
    assert "private" in response["Cache-Control"]
    assert client.get("/certificates/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_very_long_course_title_and_name_stay_whole_on_the_one_pdf_page(client, settings):
    settings.SITE_URL = SITE
    title = ("Leidinggeven aan digitale transformatie in de publieke sector, " * 3)[:200].strip()
    learner = UserFactory(full_name="Maria Magdalena Johanna van den Heuvel-Oudendijk de Groot")
    certificate = certificate_issue(
        enrollment=enrollment_create(user=learner, course=CourseFactory(title=title))
    )
    client.force_login(learner)
    data = client.get(f"/certificates/{certificate.uid}/pdf/", **EN).content
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert learner.full_name in text and " ".join(title.split()) in text
    assert f"{SITE}/certificates/{certificate.uid}/" in text
    assert decode_pdf_qr(data) == [f"{SITE}/certificates/{certificate.uid}/"]


def test_the_certificate_pages_and_pdf_cost_a_fixed_few_queries(client, issued, django_assert_num_queries):
    certificate, learner = issued
    with django_assert_num_queries(1):  # the certificate with its enrollment
        assert client.get(f"/certificates/{certificate.uid}/").status_code == 200
    client.force_login(learner)
    with django_assert_num_queries(3):  # session, user, the certificate with its enrollment
        assert client.get(f"/certificates/{certificate.uid}/").status_code == 200
    with django_assert_num_queries(3):  # session, user, the certificate (owner in the same query)
        assert client.get(f"/certificates/{certificate.uid}/pdf/").status_code == 200
