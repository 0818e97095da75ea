"""The one rule for files people attach (demand attachments, talent evidence, …): office documents,
PDFs, images and archives up to 10 MB, never empty, and *being* what their name says (the content is
sniffed, so a renamed program or web page is refused). Apps store the file; this says whether it may be."""

from __future__ import annotations

import os

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".jpg",
    ".jpeg",
    ".png",
    ".txt",
    ".zip",
}


def check_attachment(upload: UploadedFile) -> str:
    """The file's display name, or a ValidationError in Chinese saying what is wrong with it."""
    name = upload.name or "附件"
    extension = os.path.splitext(name)[1].lower()
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            f"不支持的附件类型“{extension or '无扩展名'}”，可上传：{'、'.join(sorted(ATTACHMENT_TYPES))}"
        )
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(f"附件过大（{(upload.size or 0) / 1024 / 1024:.1f} MB），单个附件不超过 10 MB")
    if not upload.size:
        raise ValidationError("附件为空")
    check_content(upload, extension)
    return name


ZIP_FAMILY = frozenset({"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"})
OLE_FAMILY = frozenset({"doc", "xls", "ppt"})
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # the compound-file header of every pre-2007 Office file
# What the first bytes of a file may be for each extension (filetype's names); OFD is a zip of XML.
CONTENT_KINDS: dict[str, frozenset[str]] = {
    ".pdf": frozenset({"pdf"}),
    ".jpg": frozenset({"jpg"}),
    ".jpeg": frozenset({"jpg"}),
    ".png": frozenset({"png"}),
    ".docx": ZIP_FAMILY,
    ".xlsx": ZIP_FAMILY,
    ".pptx": ZIP_FAMILY,
    ".zip": ZIP_FAMILY,
    ".ofd": ZIP_FAMILY,
    ".doc": OLE_FAMILY,
    ".xls": OLE_FAMILY,
    ".ppt": OLE_FAMILY,
}
SNIFF_BYTES = 8192


def check_content(upload: UploadedFile, extension: str) -> None:
    """Refuse a file whose first bytes are not what its extension promises (filetype's signatures).

    Text has no signature: a .txt must decode as UTF-8 or GB18030 and hold no NUL bytes.
    """
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if extension == ".txt":
        if b"\x00" in head or filetype.guess(head) is not None or not _decodes(head):
            raise ValidationError(f"附件“{upload.name}”不是纯文本文件，请确认文件内容与扩展名一致")
        return
    allowed = CONTENT_KINDS.get(extension)
    if allowed is None:
        return
    kind = filetype.guess(head)
    found = kind.extension if kind is not None else ("doc" if head.startswith(OLE_MAGIC) else None)
    if found not in allowed:
        said = f"实际为 {found.upper()} 文件" if found else "内容无法识别"
        raise ValidationError(
            f"附件“{upload.name}”的内容与扩展名“{extension}”不符（{said}），请上传真实的文件"
        )


def _decodes(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut by the 8 KB window
                return True
            continue
        return True
    return False
