"""Real PDFs with French text, built with fpdf2 for the tests (no fixture files to trust)."""

from __future__ import annotations

from datetime import datetime, timezone


def make_pdf(
    heading: str, paragraphs: list[str], *, title: str | None = None, author: str = "", created: datetime | None = None
) -> bytes:
    """A one-column PDF: ``heading`` in bold, then each paragraph wrapped to the page width.

    ``title``, ``author`` and ``created`` go into the document's metadata when given.
    Core fonts cover Latin-1, which holds French accents and « guillemets ».
    """
    from fpdf import FPDF

    pdf = FPDF()
    if title is not None:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.set_creation_date(created or datetime(2025, 8, 14, 9, 0, tzinfo=timezone.utc))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for paragraph in paragraphs:
        pdf.ln(4)
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
