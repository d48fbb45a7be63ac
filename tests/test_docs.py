"""The README and the docs stand alone: they point only at files inside the repository."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The top of a filesystem path on a developer's machine, never inside the repository.
ABSOLUTE = re.compile(
    r"(?<![\w.:/-])(?:/(?:work|home|tmp|usr|etc|var|root|opt|srv|mnt|Users)/|file:|[A-Z]:\\)"
)
LINK = re.compile(r"\]\(([^)\s]+)\)")
MARKDOWN_NAME = re.compile(r"`([^`\s]+\.md)`")


def ids(path):
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_the_page_never_points_outside_the_repository(page):
    text = page.read_text()
    assert "../" not in text
    assert not ABSOLUTE.findall(text)
    for target in LINK.findall(text):
        if re.match(r"(https?|mailto):|#", target):
            continue
        resolved = (page.parent / target.split("#")[0]).resolve()
        assert resolved.is_relative_to(ROOT) and resolved.exists(), target
    for name in MARKDOWN_NAME.findall(text):
        assert (ROOT / name).exists() or (page.parent / name).exists(), name


def test_the_docs_are_there():
    names = {page.name for page in PAGES}
    assert {"product.md", "workflow.md", "rules.md", "vocabulary.md"} <= names
