"""The decision letter: one template for the HTML preview and the PDF. The PDF is checked as a
reader would see it: its text (pdftotext), where the blocks sit on the page (pdftotext -bbox),
its size and page count, and its fonts (pdffonts)."""

import html
import re
import subprocess
import unicodedata

import pytest
import qrcode
from django.utils import translation
from pypdf import PdfReader

from documents import rendering, services
from documents.models import Decision, DocumentProfile, LegalBasis
from lib.dates import date_words, short_date
from tests.helpers import D, pdf_text
from tests.world import issue, make_official_in_tuly, make_proposal

pytestmark = pytest.mark.django_db

A4 = (595.28, 841.89)
WIDTH, HEIGHT = A4
MM = 72 / 25.4


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _articles(decision) -> list[str]:
    """Articles 1–3 as the letter prints them, without their "Điều n." heading."""
    page = rendering.decision_html(decision)
    found = re.findall(r'<p><span class="b">Điều \d\.</span> (.*?)</p>', page)
    return [_flat(html.unescape(text)) for text in found]


def _render(decision, tmp_path):
    path = tmp_path / f"{decision.verify_code}.pdf"
    path.write_bytes(services.decision_pdf_bytes(decision))
    return path


def _words(path) -> list[tuple[str, float, float, float, float]]:
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    )
    return [
        (unicodedata.normalize("NFC", html.unescape(m[5])), *map(float, m.groups()[:4]))
        for m in pattern.finditer(out)
    ]


def _box(words, phrase: str, *, after_y: float = -1):
    """Bounding box (xMin, yMin, xMax, yMax) of the first run of words spelling `phrase`."""
    target = phrase.split()
    for i in range(len(words) - len(target) + 1):
        run = words[i : i + len(target)]
        if [w[0] for w in run] == target and run[0][2] > after_y:
            return (
                min(w[1] for w in run),
                min(w[2] for w in run),
                max(w[3] for w in run),
                max(w[4] for w in run),
            )
    raise AssertionError(f"{phrase!r} not found on the page")


@pytest.fixture
def decision(world):
    return issue(world, make_proposal(world))


@pytest.fixture
def pdf(decision, tmp_path):
    return _render(decision, tmp_path)


REQUIRED_PARTS = [
    "ĐẢNG BỘ TỈNH HÒA BÌNH",
    "HUYỆN ỦY ĐÀ BẮC",
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "Số 01-QĐ/HU",
    "Đà Bắc, ngày 05 tháng 6 năm 2024",
    "QUYẾT ĐỊNH",
    "về việc luân chuyển cán bộ",
    "- Căn cứ Điều lệ Đảng;",
    "- Căn cứ Quy định số 65-QĐ/TW, ngày 28/4/2022 của Bộ Chính trị về luân chuyển cán bộ;",
    "- Xét đề nghị của Ban Tổ chức Huyện ủy,",
    "BAN THƯỜNG VỤ HUYỆN ỦY QUYẾT ĐỊNH",
    "Điều 1. Luân chuyển đồng chí Nguyễn Văn An, Phó Chủ tịch UBND xã Tú Lý, đến giữ chức "
    "Bí thư Đảng ủy xã Đồng Ruộng. Thời gian luân chuyển là 36 tháng, kể từ ngày 01/07/2024.",
    "Điều 2.",
    "bảo lưu phụ cấp chức vụ hiện hưởng",
    "Điều 3. Ban Tổ chức Huyện ủy, Văn phòng Huyện ủy, Đảng ủy xã Tú Lý, Đảng ủy xã Đồng Ruộng "
    "và đồng chí có tên tại Điều 1 căn cứ Quyết định thi hành.",
    "Nơi nhận:",
    "- Ban Tổ chức Tỉnh ủy (để báo cáo),",
    "- Như Điều 3,",
    "- Lưu Văn phòng Huyện ủy.",
    "T/M BAN THƯỜNG VỤ",
    "BÍ THƯ",
    "Bùi Văn Thành",
]


def test_the_html_preview_has_every_part(decision):
    source = rendering.decision_html(decision, preview=True)
    assert "{#" not in source and "{%" not in source
    page = _flat(html.unescape(re.sub(r"<[^>]+>", " ", source)))
    for part in REQUIRED_PARTS:
        assert _flat(part) in page, part


def test_the_pdf_text_has_every_part_with_its_diacritics(pdf, decision):
    text = _flat(pdf_text(pdf))
    for part in [
        p for p in REQUIRED_PARTS if not p.startswith("Điều 1.") and not p.startswith("Điều 3.")
    ]:
        assert _flat(part) in text, part
    # The body is one column, so its sentences survive line breaks.
    words = " ".join(w[0] for w in _words(pdf))
    for part in [p for p in REQUIRED_PARTS if p.startswith(("Điều 1.", "Điều 3."))]:
        assert _flat(part) in words, part
    assert decision.verify_code in text
    # A basis no longer in force is not cited.
    assert "98-QĐ/TW" not in text


def test_a_single_decision_is_exactly_one_a4_page(pdf):
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.5)


def test_the_header_blocks_sit_where_hd36_puts_them(pdf):
    words = _words(pdf)
    party = _box(words, "ĐẢNG CỘNG SẢN VIỆT NAM")
    issuer = _box(words, "HUYỆN ỦY ĐÀ BẮC")
    number = _box(words, "Số 01-QĐ/HU")
    date = _box(words, "Đà Bắc, ngày 05 tháng 6 năm 2024")

    # The Party header is in the right half, the issuing body and the number in the left half,
    # all in the top quarter; the date under the Party header, the number under the issuer.
    assert party[0] > WIDTH / 2 and party[3] < HEIGHT / 4
    assert issuer[2] < WIDTH / 2 and issuer[3] < HEIGHT / 4
    assert number[2] < WIDTH / 2 and number[1] > issuer[3]
    assert date[0] > WIDTH / 2 and date[1] > party[3] and date[3] < HEIGHT / 4


def test_recipients_sit_bottom_left_and_the_signature_bottom_right(pdf):
    words = _words(pdf)
    article_3 = _box(words, "Điều 3.")
    recipients = _box(words, "Nơi nhận:")
    on_behalf = _box(words, "T/M BAN THƯỜNG VỤ")
    title = _box(words, "BÍ THƯ", after_y=on_behalf[3])
    name = _box(words, "Bùi Văn Thành")

    assert recipients[1] > article_3[3] and recipients[2] < WIDTH / 2
    assert on_behalf[0] > WIDTH / 2 and on_behalf[1] > article_3[3]
    assert title[0] > WIDTH / 2 and title[1] > on_behalf[3]
    # Room for the signature and seal between the title and the name.
    assert name[0] > WIDTH / 2 and name[1] - title[3] > 15 * MM


def test_it_uses_the_committee_margins(world, tmp_path):
    decision = issue(world, make_proposal(world))
    default_left = min(w[1] for w in _words(_render(decision, tmp_path)))
    assert default_left == pytest.approx(30 * MM, abs=1.5)

    DocumentProfile.objects.create(
        committee=world.committee, margin_left_mm=35, margin_top_mm=25, margin_bottom_mm=25
    )
    official, assignment = make_official_in_tuly(world, "Lường Văn Bảo")
    wider = issue(world, make_proposal(world, official=official, assignment=assignment))
    words = _words(_render(wider, tmp_path))
    assert min(w[1] for w in words) == pytest.approx(35 * MM, abs=1.5)
    assert min(w[2] for w in words) >= 25 * MM - 1


def test_the_fonts_are_our_liberation_serif_files_embedded(pdf):
    lines = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    fonts = [(line.split()[0], line.split()[-5]) for line in lines if line.strip()]

    assert fonts, "no fonts in the PDF"
    # "LiberationSerif Embedded" is the @font-face family: only our files carry it, so a
    # system font standing in would show another name.
    assert all("LiberationSerif-Embedded" in name for name, _ in fonts), fonts
    assert all(emb == "yes" for _, emb in fonts), fonts
    assert any(name.endswith("-Bold") for name, _ in fonts)
    assert any(name.endswith("-Italic") for name, _ in fonts)


def test_rendering_the_same_decision_twice_gives_the_same_bytes(decision):
    assert services.decision_pdf_bytes(decision) == services.decision_pdf_bytes(decision)


def test_the_printed_qr_code_encodes_the_verification_url(decision, pdf):
    # Read the QR image back out of the PDF and compare it, module by module, with the code
    # for the verification URL (no QR decoder is installed; this is the same check).
    [image] = PdfReader(pdf).pages[0].images
    picture = image.image.convert("1")
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=1, mask_pattern=0
    )
    qr.add_data(f"http://127.0.0.1:8000/verify/{decision.verify_code}/")
    expected = qr.get_matrix()
    assert picture.size == (8 * len(expected), 8 * len(expected))
    printed = [
        [picture.getpixel((8 * x + 4, 8 * y + 4)) == 0 for x in range(len(expected))]
        for y in range(len(expected))
    ]
    assert printed == expected


def test_a_deputy_signs_phó_bí_thư(world, tmp_path):
    decision = issue(world, make_proposal(world), signer=world.deputy)
    text = _flat(pdf_text(_render(decision, tmp_path)))

    assert "T/M BAN THƯỜNG VỤ" in text
    assert "PHÓ BÍ THƯ" in text
    assert "Đinh Thị Hoa" in text
    assert "K/T" not in text


# --- Wording per kind -----------------------------------------------------------------------


def test_an_open_ended_transfer_has_no_duration(world):
    decision = issue(world, make_proposal(world, kind="transfer", months=None))
    assert '<p class="summary">về việc điều động cán bộ</p>' in rendering.decision_html(decision)
    assert _articles(decision)[0] == (
        "Điều động đồng chí Nguyễn Văn An, Phó Chủ tịch UBND xã Tú Lý, đến giữ chức Bí thư "
        "Đảng ủy xã Đồng Ruộng, kể từ ngày 01/07/2024."
    )


def test_a_fixed_term_transfer_states_its_term(world):
    decision = issue(world, make_proposal(world, kind="transfer", months=24))

    assert _articles(decision)[0].endswith("kể từ ngày 01/07/2024. Thời hạn điều động là 24 tháng.")


def test_a_secondment_keeps_the_home_payroll(world):
    decision = issue(world, make_proposal(world, kind="secondment", months=12))
    article_1, article_2, _ = _articles(decision)

    assert article_1.startswith("Biệt phái đồng chí Nguyễn Văn An,")
    assert article_1.endswith("Thời gian biệt phái là 12 tháng, kể từ ngày 01/07/2024.")
    assert "vẫn thuộc biên chế của xã Tú Lý" in article_2
    assert "bảo lưu phụ cấp chức vụ hiện hưởng" in article_2


def test_the_state_form_follows_nđ_30(world, tmp_path):
    DocumentProfile.objects.create(
        committee=world.committee,
        form=Decision.Form.STATE,
        signing_collective="ỦY BAN NHÂN DÂN",
        office_name="Văn phòng HĐND và UBND huyện",
        report_to="",
    )
    world.committee.collective_name = "ỦY BAN NHÂN DÂN HUYỆN ĐÀ BẮC"
    world.committee.issuing_body_name = "ỦY BAN NHÂN DÂN HUYỆN ĐÀ BẮC"
    world.committee.superior_body_name = ""
    world.committee.symbol = "UBND"
    world.committee.save()
    LegalBasis.objects.filter(text="Căn cứ Điều lệ Đảng").update(form=Decision.Form.PARTY)
    LegalBasis.objects.create(
        text="Căn cứ Luật Tổ chức chính quyền địa phương", form=Decision.Form.STATE, order=0
    )
    official, assignment = make_official_in_tuly(world, "Trần Thị Bích")
    official.gender = "female"
    official.save()
    decision = issue(
        world,
        make_proposal(
            world, official=official, assignment=assignment, kind="transfer", months=None
        ),
        signer=world.deputy,
        day=D(2025, 1, 9),
    )
    text = _flat(pdf_text(_render(decision, tmp_path)))

    for part in [
        "ỦY BAN NHÂN DÂN HUYỆN ĐÀ BẮC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 01/QĐ-UBND",
        "Đà Bắc, ngày 09 tháng 01 năm 2025",
        "Về việc điều động cán bộ",
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        "QUYẾT ĐỊNH:",
        "Điều 1. Điều động bà Trần Thị Bích",
        "- Như Điều 3;",
        "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
    ]:
        assert part in text, part
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in text
    assert "Điều lệ Đảng" not in text


# --- Dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (D(2024, 6, 5), "ngày 05 tháng 6 năm 2024"),
        (D(2018, 2, 20), "ngày 20 tháng 02 năm 2018"),
        (D(2024, 1, 9), "ngày 09 tháng 01 năm 2024"),
        (D(2024, 3, 1), "ngày 01 tháng 3 năm 2024"),
        (D(2024, 12, 25), "ngày 25 tháng 12 năm 2024"),
    ],
)
def test_dates_in_words_pad_days_below_10_and_months_1_and_2(day, words):
    assert date_words(day) == words


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_in_the_body_are_dd_mm_yyyy(language):
    with translation.override(language):
        assert short_date(D(2024, 7, 1)) == "01/07/2024"
