"""Reading the PDFs the platform makes (certificates, invoices) in tests.

In `core` because both the certificates and the billing tests read PDFs, and every app may
import core.
"""

from pathlib import Path

import pypdfium2 as pdfium
from django.conf import settings


def pdf_text(pdf: bytes) -> str:
    """The text of every page, one page after the other."""
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


def save_png(pdf: bytes, name: str, *, folder: str) -> Path:
    """The first page as `TEST_OUTPUT_DIR/<folder>/<name>.png`, for a person to look at."""
    directory = Path(settings.TEST_OUTPUT_DIR) / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.png"
    document = pdfium.PdfDocument(pdf)
    try:
        document[0].render(scale=1.5).to_pil().save(path)
    finally:
        document.close()
    return path
