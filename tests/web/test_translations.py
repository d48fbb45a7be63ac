"""The Vietnamese catalogue (locale/vi/LC_MESSAGES/django.po): every message of the code is in it
and translated, nothing is fuzzy, and the compiled .mo matches it. After changing a translatable
string run `make messages`, fill the new msgstrs and commit both files."""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.helpers import require
from workflow.models import ProposalState

LOCALE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
# What the project copy for makemessages leaves out: not source, or not ours.
NOT_SOURCE = (".git", ".venv", "staticfiles", "media", "artifacts", "node_modules", "locale")


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list), flags, obsolete.
    Enough of the format for catalogues written by GNU gettext."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": [], "obsolete": False}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[field] += value
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            entry["obsolete"] = entry["obsolete"] or obsolete
            if keyword.startswith("msgstr"):
                field = "msgstr"
                entry["msgstr"].append(value)
            else:
                field = keyword
                entry[field] = value
    return entries


def catalogue(path: Path) -> list[dict]:
    """The live entries (no header, no obsolete ones)."""
    return [e for e in parse_po(path) if e["msgid"] and not e["obsolete"]]


def key(entry: dict) -> tuple:
    return (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))


def describe(entries) -> str:
    return "\n".join(f"  {e['msgid']!r}" for e in entries)


def test_the_catalogue_has_no_untranslated_message():
    untranslated = [e for e in catalogue(PO) if not all(s.strip() for s in e["msgstr"])]
    assert untranslated == [], f"untranslated in {PO}:\n{describe(untranslated)}"


def test_the_catalogue_has_no_fuzzy_message():
    fuzzy = [e for e in parse_po(PO) if "fuzzy" in e["flags"] and not e["obsolete"]]
    assert fuzzy == [], f"fuzzy (check, fix and remove the flag) in {PO}:\n{describe(fuzzy)}"


def test_the_catalogue_header_is_for_vietnamese():
    header = next(e for e in parse_po(PO) if e["msgid"] == "")
    assert "Language: vi\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"][0]
    assert "charset=UTF-8" in header["msgstr"][0]


def test_the_catalogue_holds_exactly_the_messages_of_the_code(tmp_path):
    """makemessages on a copy of the project: a message added to the code and missing from the
    catalogue (or left there after the code dropped it) fails here, not in front of a user."""
    require(shutil.which("xgettext") is not None, "GNU gettext (apt-get install gettext)")
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(
        root,
        copy,
        ignore=shutil.ignore_patterns(*NOT_SOURCE, "__pycache__", "*.sqlite3", ".*cache"),
    )
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    in_code = {key(e): e for e in catalogue(copy / "locale/vi/LC_MESSAGES/django.po")}
    in_catalogue = {key(e): e for e in catalogue(PO)}
    missing = [in_code[k] for k in in_code.keys() - in_catalogue.keys()]
    stale = [in_catalogue[k] for k in in_catalogue.keys() - in_code.keys()]
    assert missing == [], f"messages missing from {PO} (run `make messages`):\n{describe(missing)}"
    assert stale == [], f"messages no longer in the code (run `make messages`):\n{describe(stale)}"


def test_the_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    differ = []
    for entry in catalogue(PO):
        msgid = entry["msgid"]
        if entry.get("msgctxt"):
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if entry.get("msgid_plural"):
            got = compiled.ngettext(msgid, entry["msgid_plural"], 1)
        else:
            got = compiled.gettext(msgid)
        if got != entry["msgstr"][0]:
            differ.append(entry)
    assert differ == [], f"{MO} is out of date (run `make messages`):\n{describe(differ)}"


STATE_LABELS = {
    "draft": "Dự thảo",
    "submitted": "Đã trình",
    "in_review": "Đang thẩm định",
    "returned": "Trả lại bổ sung",
    "endorsed": "Đã thẩm định, trình BTV",
    "voting": "Đang biểu quyết",
    "approved": "BTV đã thông qua",
    "rejected": "Không thông qua",
    "withdrawn": "Đã rút",
    "issued": "Đã ban hành quyết định",
    "in_effect": "Đang có hiệu lực",
    "completed": "Kết thúc luân chuyển",
    "revoked": "Đã hủy quyết định",
}


def test_the_workflow_states_read_as_the_specification_names_them():
    with translation.override("vi"):
        labels = {state.value: str(state.label) for state in ProposalState}
    assert labels == STATE_LABELS


@pytest.mark.parametrize(
    ("language", "expected"), [("vi", "Đăng nhập"), ("en", "Log in"), ("fr", "Đăng nhập")]
)
def test_the_login_page_speaks_the_chosen_language_and_vietnamese_by_default(
    client, language, expected
):
    client.cookies["django_language"] = language
    html = client.get("/accounts/login/").content.decode()
    assert f'<h1 id="login-title">{expected}</h1>' in html
