"""Imported by the test workers (`celery worker --include`). With SLOW_RENDER_AT set, the first
render to reach that point writes the file SLOW_RENDER_MARK and sleeps SLOW_RENDER_SECONDS
there, so a test can kill the worker at that very moment; later renders (the mark exists) go
through at full speed:

- `write_pdf`: inside WeasyPrint's Document.write_pdf, once the PDF has been built and before
  it is serialised (layout and PDF generation done, no byte returned yet);
- `store`: inside the storage's save, half the file written to disk, the rest not.

The production render path has no hook for this; the patches live here, in the tests."""

import logging
import os
import time
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

AT = os.environ.get("SLOW_RENDER_AT", "")
MARK = Path(os.environ.get("SLOW_RENDER_MARK") or os.devnull)
DELAY = float(os.environ.get("SLOW_RENDER_SECONDS") or 60)


def pause():
    """Mark the moment and wait there (once: the next process to come by finds the mark)."""
    if MARK.exists():
        return
    MARK.write_text(str(os.getpid()))
    time.sleep(DELAY)


def _pausing_generate_pdf(generate_pdf):
    def generate_pdf_then_pause(*args, **kwargs):
        pdf = generate_pdf(*args, **kwargs)
        pause()
        return pdf

    return generate_pdf_then_pause


class _HalfThenPause(ContentFile):
    def chunks(self, chunk_size=None):
        data = self.file.getvalue()
        yield data[: len(data) // 2]
        pause()
        yield data[len(data) // 2 :]


def _pausing_save(save):
    def save_half_then_pause(self, name, content):
        content.seek(0)
        return save(self, name, _HalfThenPause(content.read()))

    return save_half_then_pause


if AT == "write_pdf":
    import weasyprint.document

    weasyprint.document.generate_pdf = _pausing_generate_pdf(weasyprint.document.generate_pdf)
elif AT == "store":
    FileSystemStorage._save = _pausing_save(FileSystemStorage._save)
if AT:
    logging.getLogger(__name__).warning("Renders pause at %s (tests only)", AT)
