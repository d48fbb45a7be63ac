"""Every letter and e-mail the demo produces is Vietnamese: no English word and no internal code
(SPEC §5), whatever the language of the person who asks for it.

The demo is seeded with its letters rendered and delivered in-process; then every decision,
submission (Tờ trình) and vote minutes is rendered to HTML with English active, one of each to
PDF (read back with pdftotext), and every e-mail sent (the decision's delivery, the term
reminders 90 and 30 days before and after the end) is read.
"""

import datetime as dt
import html
import io
import re
import unicodedata

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from config.celery import app as celery_app
from documents import rendering, services
from documents.models import Decision, ProposalDocument
from tests.helpers import pdf_text
from workflow import reminders
from workflow.models import ProposalKind, ProposalState, RotationProposal

pytestmark = pytest.mark.django_db

# A word of Vietnamese written without diacritics is one syllable: an initial consonant the
# language has, one to three vowels, a final it allows ("Minh", "Thanh", "Pheo", "Quang").
# English words mostly are not ("planning", "months", "quorum", "needed", "left", "for").
VIETNAMESE_SYLLABLE = re.compile(
    r"(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|nh|ng|[cmnpt])?",
    re.IGNORECASE,
)
# English words that happen to have that shape, and that a Vietnamese letter would not use
# without their diacritics ("An" and "do" are left out: a name, and "because").
ENGLISH_WORDS = {
    "the", "to", "in", "on", "at", "it", "be", "by", "no", "not", "but", "up", "me", "my", "he",
}  # fmt: skip
# Slugs and state codes: lower-case ASCII words joined by "-" or "_" (pbt-thuong-truc,
# in_review); a number range ("2025–2030") has no letter and is not one.
CODE = re.compile(r"(?<![\w/.-])(?=[a-z0-9_-]*[a-z])[a-z0-9]+(?:[-_][a-z0-9]+)+(?![\w-])")
URL = re.compile(r"https?://\S+")
HEX_DIGEST = re.compile(r"\b[0-9a-f]{64}\b")


def leaks(text: str, *, allowed=()) -> list[str]:
    """English words and internal codes in `text` (URLs, digests and `allowed` tokens, such as
    verification codes, are taken out first)."""
    text = unicodedata.normalize("NFC", text)
    text = HEX_DIGEST.sub(" ", URL.sub(" ", text))
    for token in allowed:
        text = text.replace(token, " ")
    found = CODE.findall(text)
    for word in re.findall(r"[^\W\d_]+", text):
        if not word.isascii() or word.isupper():
            continue  # diacritics, or an abbreviation or initial (UBND, QĐ, PDF, T/M)
        if word.lower() in ENGLISH_WORDS or not VIETNAMESE_SYLLABLE.fullmatch(word):
            found.append(word)
    return found


def html_text(source: str) -> str:
    source = re.sub(r"<(style|head)\b.*?</\1>", " ", source, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", source))


def test_the_checker_finds_what_leaked_before_and_lets_vietnamese_through():
    for leak in [
        "Có trong quy hoạch (in the planning for pbt-thuong-truc, current term 2025–2030).",
        "Còn 18 năm 7 tháng (223 months of service left on the effective date; 120 needed).",
        "Số phiếu cần thiết để hợp lệ (quorum)",
        "Trạng thái: in_review",
        "Quyết định rotation",
    ]:
        assert leaks(leak), leak
    assert leaks("the term") == ["the", "term"]
    letter = (
        "T/M BAN THƯỜNG VỤ HUYỆN ỦY Số 01-QĐ/HU Đà Bắc, ngày 05 tháng 6 năm 2024. Luân chuyển "
        "đồng chí Nguyễn Văn An, Phó Chủ tịch UBND xã Tú Lý, đến giữ chức Bí thư Đảng ủy xã "
        "Tân Pheo, Minh Quang, Đồng Chum, nhiệm kỳ 2025–2030 (tệp PDF đính kèm). SHA-256: "
        + "ab" * 32
        + " Xem tại http://127.0.0.1:8000/decisions/3/ do Xa Văn Dũng đảm nhiệm."
    )
    assert leaks(letter) == []


@pytest.fixture
def demo(settings, tmp_path, django_capture_on_commit_callbacks):
    """The demo with its letters rendered and delivered in-process, every account reachable by
    e-mail, English active for the person asking."""
    settings.DEMO_MODE = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", stdout=io.StringIO())
        with translation.override("en"):
            yield
    finally:
        celery_app.conf.task_always_eager = eager


def _allowed() -> list[str]:
    return list(Decision.objects.values_list("verify_code", flat=True))


def test_every_letter_of_the_demo_is_vietnamese_only(demo, tmp_path):
    decisions = list(Decision.objects.all())
    documents = list(ProposalDocument.objects.all())
    kinds = {document.kind for document in documents}
    assert decisions and kinds == {"submission", "minutes"}

    texts = {f"decision {d.number_label}": rendering.decision_html(d) for d in decisions}
    texts.update({f"{d.kind} {d.pk}": rendering.proposal_document_html(d) for d in documents})
    problems = {
        name: found
        for name, text in texts.items()
        if (found := leaks(html_text(text), allowed=_allowed()))
    }
    # The PDF, once per kind: what a reader gets.
    firsts = [decisions[0], *({d.kind: d for d in documents}.values())]
    for obj in firsts:
        path = tmp_path / f"{obj.pk}-{type(obj).__name__}.pdf"
        build = (
            services.decision_pdf_bytes
            if isinstance(obj, Decision)
            else services.proposal_document_pdf_bytes
        )
        path.write_bytes(build(obj))
        text = pdf_text(path)
        assert "QUYẾT ĐỊNH" in text or "TỜ TRÌNH" in text or "BIÊN BẢN" in text
        if found := leaks(text, allowed=_allowed()):
            problems[f"PDF of {path.name}"] = found
    assert problems == {}


def test_every_e_mail_of_the_demo_is_vietnamese_only(demo):
    delivered = list(mail.outbox)
    assert delivered, "the demo delivers its decisions by e-mail"
    mail.outbox.clear()

    ending = (
        RotationProposal.objects.filter(
            state=ProposalState.IN_EFFECT,
            kind__in=(ProposalKind.ROTATION, ProposalKind.SECONDMENT),
            planned_end__isnull=False,
        )
        .order_by("planned_end")
        .first()
    )
    assert ending is not None
    reminders.reminders_send_due(today=ending.planned_end - dt.timedelta(days=90))
    reminders.reminders_send_due(today=ending.planned_end + dt.timedelta(days=3))
    reminded = list(mail.outbox)
    assert {m.subject for m in reminded}, "the reminders went out"

    problems = {}
    for message in delivered + reminded:
        for part in (message.subject, message.body):
            if found := leaks(part, allowed=_allowed()):
                problems[message.subject] = found
    assert problems == {}
    assert any("còn 90 ngày" in m.body for m in reminded)
    assert any("đã quá 3 ngày" in m.body for m in reminded)
