"""CV files: accepted by what they contain, never by their name or the browser's word for them.

A CV is a confidential personal document. It is recognised from its bytes (PDF, or the ZIP container
of a DOCX or ODT with the parts those formats require), stored under a name the server chooses, and
its original name is kept only to name the download.
"""

import math
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx", ODT: ".odt"}
# The ODT mimetype entry is a few dozen bytes; anything longer is not an ODT, and is not read.
_ODT_MIMETYPE_MAX_BYTES = 128


@dataclass(frozen=True)
class CvKind:
    content_type: str
    extension: str


def _zip_kind(stream: IO[bytes]) -> CvKind | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return CvKind(DOCX, EXTENSIONS[DOCX])
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size <= _ODT_MIMETYPE_MAX_BYTES
                and archive.read("mimetype").strip() == ODT.encode("ascii")
            ):
                return CvKind(ODT, EXTENSIONS[ODT])
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return None
    return None


def cv_kind(stream: IO[bytes]) -> CvKind | None:
    """The document kind the bytes show, or None; the stream is left at its start."""
    stream.seek(0)
    head = stream.read(5)
    stream.seek(0)
    try:
        if head == b"%PDF-":
            return CvKind(PDF, EXTENSIONS[PDF])
        if head[:4] == b"PK\x03\x04":
            return _zip_kind(stream)
        return None
    finally:
        stream.seek(0)


# In the units of the form's label ("at most 5 MB"); static/js/cv-template.js says the same before the upload.
CV_TOO_LARGE = _("The file is %(size)s MB, more than the limit of %(limit)s MB. Please choose a smaller file.")


def megabytes(size: int, *, up: bool = False) -> str:
    """A size in the CV label's unit (MB of 1,048,576 bytes), in the reader's number format, one decimal at most;
    `up` rounds up, so that a file just over the limit never reads as the limit itself."""
    value = (math.ceil if up else round)(size / 2**20 * 10) / 10
    return number_format(int(value) if value == int(value) else value, use_l10n=True)


def cv_validate(upload) -> CvKind:
    """Raise a ValidationError a person can act on unless the upload is an acceptable CV."""
    limit = settings.ROSTER_CV_MAX_BYTES
    if upload.size == 0:
        raise ValidationError(_("The CV file is empty."), code="cv_empty")
    if upload.size > limit:
        raise ValidationError(
            CV_TOO_LARGE,
            code="cv_too_large",
            params={"size": megabytes(upload.size, up=True), "limit": megabytes(limit)},
        )
    kind = cv_kind(upload)
    if kind is None:
        raise ValidationError(
            _(
                "The CV must be a PDF, Word (DOCX) or OpenDocument text (ODT) file. "
                "This file is none of these, whatever its name says."
            ),
            code="cv_type",
        )
    return kind


def cv_display_name(*, original_name: str, kind: CvKind) -> str:
    """A safe download name: the uploader's stem, without path or control characters, and the true extension."""
    stem = PurePath(original_name.replace("\\", "/")).stem
    stem = "".join(ch for ch in stem if unicodedata.category(ch)[0] != "C").strip(" .")
    return f"{stem[:150] or 'cv'}{kind.extension}"
