"""From a letter's data to HTML and PDF. One Django template per letter serves both the HTML
preview and the PDF (WeasyPrint); the fonts are files in documents/fonts, embedded through
@font-face, so a letter looks the same on every machine.

The wording of the decision lives in its template (Party form, HD 36; State form, NĐ 30); the
data it is built from is frozen in `Decision.content` when the decision is issued. Letters are
always in Vietnamese, whatever the language of the person who asks for them.
"""

import atexit
import base64
import datetime as dt
import functools
import io
import logging
import threading
from pathlib import Path

import qrcode
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from lib.dates import date_words, short_date
from lib.text import message_text
from personnel.models import Board, BoardMember

from .models import DocumentProfile
from .selectors import user_display_name

# WeasyPrint logs seven INFO lines per document; a worker rendering many a second needs none.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = [
    ("LiberationSerif-Regular.ttf", "normal", "normal"),
    ("LiberationSerif-Bold.ttf", "bold", "normal"),
    ("LiberationSerif-Italic.ttf", "normal", "italic"),
    ("LiberationSerif-BoldItalic.ttf", "bold", "italic"),
]

PARTY, STATE = "party", "state"

# The kinds as verbs ("luân chuyển") and the checks' names: the catalogue's labels, lower-cased.
KIND_VERB = {"rotation": _("Rotation"), "transfer": _("Transfer"), "secondment": _("Secondment")}

CHECK_LABELS = {
    "in_planning": _("In the planning"),
    "remaining_service": _("Remaining service"),
    "min_duration": _("Duration"),
    "non_local": _("Not local to the target unit"),
    "equivalent_post": _("Equivalent post"),
    "single_open_proposal": _("No other open proposal"),
    "target_vacancy": _("Target post vacant"),
    "current_assignment": _("Holds the current post"),
}


def kind_verb(kind: str) -> str:
    return str(KIND_VERB.get(kind, KIND_VERB["rotation"])).lower()


def in_vietnamese(render):
    """Letters and e-mails are Vietnamese whatever the language of the request."""

    def wrapped(*args, **kwargs):
        with translation.override("vi"):
            return render(*args, **kwargs)

    return functools.update_wrapper(wrapped, render)


# --- Dates and names ------------------------------------------------------------------------


def place_date_line(place: str, day: dt.date) -> str:
    return f"{place}, {date_words(day)}"


def sentence_case(text: str) -> str:
    """ "HUYỆN ỦY" → "Huyện ủy"."""
    return text[:1].upper() + text[1:].lower() if text else text


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def office_name_default(*, collective_name: str, board_name: str) -> str:
    """ "Văn phòng Huyện ủy", from data already in proper case where possible: the board
    "Ban Tổ chức Huyện ủy" gives "Huyện ủy"; else "BAN THƯỜNG VỤ HUYỆN ỦY" gives "Huyện ủy"
    (these words have no proper names, so sentence case is right). Empty when neither fits:
    the office then comes from the committee's document settings."""
    if board_name.startswith("Ban Tổ chức "):
        return f"Văn phòng {board_name.removeprefix('Ban Tổ chức ')}"
    prefix = "BAN THƯỜNG VỤ "
    if collective_name.upper().startswith(prefix):
        return f"Văn phòng {sentence_case(collective_name[len(prefix) :].strip())}"
    return ""


def unit_in_sentence(ref: dict) -> str:
    """A unit named mid-sentence: "xã Tú Lý" (the common noun in lower case), an agency as is."""
    if ref["kind"] in ("province", "district", "commune", "town", "ward"):
        return lower_first(ref["name"])
    return ref["name"]


def unit_label(*, name: str, kind: str, form: str) -> str:
    """How a sending or receiving unit is named in Điều 3 and Nơi nhận."""
    if kind in ("commune", "town", "ward"):
        if form == STATE:
            return f"Ủy ban nhân dân {lower_first(name)}"
        return f"Đảng ủy {lower_first(name)}"
    return name


# --- QR code --------------------------------------------------------------------------------


def qr_data_uri(text: str) -> str:
    """A PNG QR code as a data URI. PNG, not SVG: WeasyPrint draws an SVG path of a few
    hundred squares in Python, which took half the time of a render; a PNG is embedded as is.
    8 px per module prints at about 400 dpi in 18 mm."""
    # A fixed mask pattern skips trying all eight (a third of the QR's cost); any mask scans.
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=1, mask_pattern=0
    )
    qr.add_data(text)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# --- The decision ---------------------------------------------------------------------------


def _person(content: dict) -> str:
    if content["form"] == STATE:
        return "bà" if content["official"].get("gender") == "female" else "ông"
    return "đồng chí"


def _units(content: dict) -> list[str]:
    labels = []
    for unit in (content["from_unit_ref"], content["to_unit_ref"]):
        label = unit_label(name=unit["name"], kind=unit["kind"], form=content["form"])
        if label not in labels:
            labels.append(label)
    return labels


def recipients(content: dict) -> list[str]:
    """Nơi nhận, each line with its punctuation: "," between lines in Party letters,
    ";" in State letters, a full stop after the last."""
    sep = ";" if content["form"] == STATE else ","
    lines = [*content.get("report_to", []), "Như Điều 3", *_units(content)]
    lines = [f"- {line}{sep}" for line in lines]
    if content["form"] == STATE:
        lines.append("- Lưu: VT.")
    else:
        lines.append(f"- Lưu {content['office_name'] or 'VT'}.")
    return lines


def decision_context(decision, *, preview: bool = False, pdf: bool = False) -> dict:
    content = decision.content
    form = content["form"]
    issued_on = dt.date.fromisoformat(content["issued_on"])
    signing = content["signing"]
    return {
        "content": content,
        "kind": content["kind"],
        "verb": kind_verb(content["kind"]),
        "person": _person(content),
        "effective_date": dt.date.fromisoformat(content["effective_date"]),
        "from_unit": unit_in_sentence(content["from_unit_ref"]),
        "executors": [
            name
            for name in (content["board_name"], content["office_name"], *_units(content))
            if name
        ],
        "form": form,
        "preview": preview,
        "superior_body": content["superior_body"],
        "issuing_body": content["issuing_body"],
        "number_display": content["number_display"],
        "place_date": place_date_line(content["place"], issued_on),
        "collective_name": content["collective_name"],
        "legal_bases": content.get("legal_bases", []),
        "board_name": content["board_name"],
        "recipients": recipients(content),
        "signing": signing,
        "verify_url": content["verify_url"],
        "verify_code": content["verify_code"],
        "verify_base": content["verify_url"][: -len(content["verify_code"]) - 1],
        "qr": qr_data_uri(content["verify_url"]),
        "audit_seq": decision.audit_seq,
        "audit_hash": decision.audit_hash,
        "margins": content["margins"],
        "body_pt": content.get("body_pt", 14),
        **style_context(pdf=pdf),
    }


def font_faces(*, browser: bool = False) -> list[dict]:
    """The fonts as files for WeasyPrint, as static URLs for a browser (the HTML preview must
    not show the server's paths; settings.STATICFILES_DIRS serves documents/fonts as fonts/)."""
    return [
        {
            "url": static(f"fonts/{name}") if browser else (FONT_DIR / name).as_uri(),
            "weight": weight,
            "style": style,
        }
        for name, weight, style in FONT_FILES
    ]


def style_context(*, pdf: bool) -> dict:
    """The fixed style is inlined for the HTML preview; the PDF gets it parsed once per process
    (letter_stylesheet), which saves a sixth of each render."""
    return {"letter_css": "" if pdf else letter_css_text(browser=True)}


def letter_css_text(*, browser: bool = False) -> str:
    return render_to_string("documents/letter.css", {"font_faces": font_faces(browser=browser)})


@in_vietnamese
def decision_html(decision, *, preview: bool = False, pdf: bool = False) -> str:
    return render_to_string(
        "documents/decision.html", decision_context(decision, preview=preview, pdf=pdf)
    )


# --- PDF ------------------------------------------------------------------------------------

_font_config = None
_font_lock = threading.RLock()
# WeasyPrint's font machinery is not documented as thread-safe; threads of one process (the
# in-process eager mode, the tests) take turns. Worker processes each have their own.
_render_lock = threading.Lock()


def font_config():
    """One WeasyPrint FontConfiguration per process: building it scans the system fonts."""
    global _font_config
    if _font_config is None:
        with _font_lock:
            if _font_config is None:
                from weasyprint.text.fonts import FontConfiguration

                _font_config = FontConfiguration()
    return _font_config


_stylesheet = None


@atexit.register
def _drop_font_config():
    # FontConfiguration deletes its temporary font folder in __del__; do it while the modules
    # it needs are still loaded, not during interpreter shutdown.
    global _font_config, _stylesheet
    _stylesheet = _font_config = None


def letter_stylesheet():
    """letter.css parsed once per process, its @font-face rules loaded into font_config()."""
    global _stylesheet
    if _stylesheet is None:
        with _font_lock:
            if _stylesheet is None:
                from weasyprint import CSS

                _stylesheet = CSS(string=letter_css_text(), font_config=font_config())
    return _stylesheet


def html_to_pdf(html: str, *, identifier: str = "") -> bytes:
    """PDF bytes of HTML made with pdf=True (the fixed style comes from letter_stylesheet).
    The same HTML and identifier give the same bytes (no dates in the metadata), so a
    re-render keeps the SHA-256."""
    from weasyprint import HTML

    stylesheet = letter_stylesheet()
    with _render_lock:
        return HTML(string=html, base_url=str(FONT_DIR)).write_pdf(
            stylesheets=[stylesheet],
            font_config=font_config(),
            pdf_identifier=identifier.encode("ascii") if identifier else None,
        )


# --- The board's submission and the vote minutes --------------------------------------------


def _snapshot_checks(snapshot) -> list[dict]:
    """The checklist the committee saw, from the snapshot taken at endorsement: a list of
    {code, severity, ok, text, params} (or, stored earlier, a `message`), alone or under
    "checks" / "eligibility"."""
    if isinstance(snapshot, dict):
        snapshot = snapshot.get("checks") or snapshot.get("eligibility") or []
    return [
        {
            "code": item.get("code", ""),
            "label": CHECK_LABELS.get(item.get("code"), ""),
            "severity": item.get("severity", ""),
            "ok": bool(item.get("ok")),
            "excepted": bool(item.get("excepted")),
            "message": message_text(
                item.get("text") or item.get("message", ""), item.get("params")
            ),
        }
        for item in snapshot or []
        if isinstance(item, dict)
    ]


def _common(committee, *, pdf: bool) -> dict:
    profile = DocumentProfile.objects.filter(committee=committee).first() or DocumentProfile()
    return {
        "preview": False,
        "margins": profile.margins,
        "body_pt": profile.body_font_pt,
        **style_context(pdf=pdf),
    }


def _move_sentence(proposal) -> str:
    verb = kind_verb(proposal.kind)
    text = (
        f"{verb} đồng chí {proposal.official.full_name}, {proposal.from_assignment.position.name}, "
        f"đến giữ chức {proposal.target_position.name}, kể từ ngày "
        f"{short_date(proposal.effective_date)}"
    )
    if proposal.duration_months:
        text += f"; thời gian {verb} {proposal.duration_months} tháng"
    return text


def submission_context(document, *, pdf: bool = False) -> dict:
    proposal = document.proposal
    committee = proposal.committee
    board = Board.objects.filter(committee=committee).first()
    board_name = board.name if board else ""
    day = timezone.localdate(document.created_at)
    head = (
        BoardMember.objects.active_on(day)
        .filter(board=board, role=BoardMember.Role.HEAD)
        .select_related("user")
        .first()
        if board
        else None
    )
    snapshot = proposal.eligibility_snapshot
    # The exceptions the committee saw (in the snapshot), else those recorded on the proposal.
    granted = snapshot.get("exceptions") if isinstance(snapshot, dict) else None
    if granted is None:
        granted = proposal.exceptions.order_by("created_at", "id").values("code", "justification")
    exceptions = [
        {"label": CHECK_LABELS.get(e["code"], ""), "justification": e["justification"]}
        for e in granted
    ]
    excepted = {e["code"] for e in granted}
    checks = _snapshot_checks(snapshot)
    for check in checks:
        check["excepted"] = not check["ok"] and (check["excepted"] or check["code"] in excepted)
    return {
        **_common(committee, pdf=pdf),
        # The board writes under the committee: the committee's body heads the letter.
        "superior_body": committee.issuing_body_name,
        "issuing_body": board_name.upper(),
        "place_date": place_date_line(committee.place_name, day),
        "verb": kind_verb(proposal.kind),
        "addressee": committee.name,
        "board_name": board_name,
        "move": _move_sentence(proposal),
        "rationale": proposal.rationale,
        "justification": proposal.higher_post_justification,
        "checks": checks,
        "exceptions": exceptions,
        "head_name": user_display_name(head.user) if head else "",
    }


def minutes_context(document, *, pdf: bool = False) -> dict:
    vote = document.vote_round
    proposal = document.proposal
    committee = proposal.committee
    closed = timezone.localtime(vote.closed_at or document.created_at)
    # Ballots needed, frozen on the round when the vote opened; else from today's policy.
    quorum = getattr(vote, "quorum", 0) or -(
        -vote.incumbent_count * committee.quorum_numerator // committee.quorum_denominator
    )
    cast = vote.receipts.count()
    approve = vote.approve_count or 0
    return {
        **_common(committee, pdf=pdf),
        "superior_body": committee.superior_body_name,
        "issuing_body": committee.issuing_body_name,
        "place_date": place_date_line(committee.place_name, closed.date()),
        "collective": committee.name,
        "move": _move_sentence(proposal),
        "closed": closed,
        "closed_on": date_words(closed.date()),
        "incumbent": vote.incumbent_count,
        "eligible": vote.eligible_voters.count(),
        "cast": cast,
        "quorum": quorum,
        "quorum_met": cast >= quorum,
        "approve": approve,
        "disapprove": vote.disapprove_count or 0,
        "abstain": vote.abstain_count or 0,
        "approve_percent": f"{100 * approve / vote.incumbent_count:.1f}".replace(".", ",")
        if vote.incumbent_count
        else "0",
        "casting": vote.casting_choice,
        "passed": vote.passed,
        "chair_name": user_display_name(vote.opened_by),
    }


@in_vietnamese
def proposal_document_html(document, *, pdf: bool = False) -> str:
    if document.kind == "minutes":
        return render_to_string("documents/minutes.html", minutes_context(document, pdf=pdf))
    return render_to_string("documents/submission.html", submission_context(document, pdf=pdf))
