"""Imported by the test workers (`celery worker --include`): when SLOW_RENDER_SECONDS is set,
every render sleeps that long after its claim, so a test can kill the worker mid-render. The
production render path has no hook for this; the patch lives here, in the tests."""

import logging
import os
import time

from documents import services

DELAY = float(os.environ.get("SLOW_RENDER_SECONDS") or 0)


def _slowed(build):
    def slow_build(obj):
        time.sleep(DELAY)
        return build(obj)

    return slow_build


if DELAY > 0:
    services.decision_pdf_bytes = _slowed(services.decision_pdf_bytes)
    services.proposal_document_pdf_bytes = _slowed(services.proposal_document_pdf_bytes)
    logging.getLogger(__name__).warning("Every render sleeps %s s first (tests only)", DELAY)
