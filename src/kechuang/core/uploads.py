"""The one rule for files people attach (demand attachments, talent evidence, …): office documents,
PDFs, images and archives up to 10 MB, never empty. Apps store the file; this only says whether it may be."""

from __future__ import annotations

import os

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
    return name
