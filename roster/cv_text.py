"""The text of an uploaded CV, read for the secretariat's word search, within bounds, never at the cost of the upload.

A CV comes from outside: the reading is bounded in what it decompresses, in pages, in characters kept and in time
(checked between pages and paragraphs), and any failure of a reader gives an empty text with its reason, never an
error for the person uploading. The file is stored whatever the reading gives.
"""

import logging
import time
import zipfile
from dataclasses import dataclass
from typing import IO

from roster.models import ExpertSearchText
from roster.uploads import DOCX, ODT, PDF

logger = logging.getLogger(__name__)

Status = ExpertSearchText.CvTextStatus


@dataclass(frozen=True)
class CvTextLimits:
    # Enough for a long CV many times over; what is past it is not searched (the status says so).
    max_chars: int = 100_000
    max_pages: int = 50
    seconds: float = 5.0
    # A DOCX or ODT is a ZIP archive: its parts are decompressed only when their declared sizes fit.
    max_unzipped_bytes: int = 40 * 1024 * 1024


CV_TEXT_LIMITS = CvTextLimits()


@dataclass(frozen=True)
class CvText:
    text: str
    status: str


class _Collector:
    """Text gathered block by block until the characters or the time run out."""

    def __init__(self, limits: CvTextLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.blocks: list[str] = []
        self.size = 0
        self.cut = False

    def add(self, block: str) -> bool:
        """Keep a block of text; False once no more will be kept."""
        block = _printable(block)
        room = self.limits.max_chars - self.size
        if len(block) > room:
            block, self.cut = block[:room], True
        if block:
            self.blocks.append(block)
            self.size += len(block) + 1
        if self.size >= self.limits.max_chars or time.monotonic() > self.deadline:
            self.cut = True
        return not self.cut

    def result(self) -> CvText:
        text = "\n".join(self.blocks).strip()
        if not text:
            return CvText("", Status.NO_TEXT)
        return CvText(text, Status.PARTIAL if self.cut else Status.READ)


def _printable(text: str) -> str:
    # PostgreSQL's text cannot hold NUL, and other control characters mean nothing to a search.
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _pdf(stream: IO[bytes], collector: _Collector) -> None:
    from pypdf import PdfReader

    reader = PdfReader(stream, strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    for number, page in enumerate(reader.pages):
        if number >= collector.limits.max_pages:
            collector.cut = True
            return
        if not collector.add(page.extract_text() or ""):
            return


def _ensure_unzipped_size_fits(stream: IO[bytes], limits: CvTextLimits) -> None:
    with zipfile.ZipFile(stream) as archive:
        if sum(info.file_size for info in archive.infolist()) > limits.max_unzipped_bytes:
            raise ValueError("the archive decompresses to more than the limit")
    stream.seek(0)


def _docx(stream: IO[bytes], collector: _Collector) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    _ensure_unzipped_size_fits(stream, collector.limits)
    body = Document(stream).element.body
    paragraph, text = qn("w:p"), qn("w:t")
    # Every paragraph in reading order, those inside tables included (Document.paragraphs leaves them out).
    for element in body.iter(paragraph):
        if not collector.add("".join(run.text or "" for run in element.iter(text))):
            return


def _odt(stream: IO[bytes], collector: _Collector) -> None:
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    _ensure_unzipped_size_fits(stream, collector.limits)
    blocks = {(TEXTNS, "p"), (TEXTNS, "h")}
    pending = [load(stream).text]
    # Paragraphs and headings in reading order, walked without recursion (a deeply nested file cannot overflow).
    while pending:
        node = pending.pop()
        if getattr(node, "qname", None) in blocks:
            if not collector.add(teletype.extractText(node)):
                return
            continue
        pending.extend(reversed(node.childNodes))


READERS = {PDF: _pdf, DOCX: _docx, ODT: _odt}


def cv_text_extract(stream: IO[bytes], *, content_type: str, limits: CvTextLimits = CV_TEXT_LIMITS) -> CvText:
    """The CV's text for the search, or an empty text with the reason; the stream is left at its start."""
    reader = READERS.get(content_type)
    if reader is None:
        return CvText("", Status.UNREADABLE)
    collector = _Collector(limits)
    stream.seek(0)
    try:
        reader(stream, collector)
    except Exception:  # noqa: BLE001 - a reader may fail in any way on a malformed file; the upload must not
        logger.warning("The text of an uploaded CV (%s) could not be read", content_type, exc_info=True)
        return CvText("", Status.UNREADABLE)
    finally:
        stream.seek(0)
    return collector.result()
