"""Uploads are sniffed by content: a file must be what its extension says (real files made here)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.core.uploads import check_attachment, check_content


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def _png() -> bytes:
    return bytes.fromhex("89504E470D0A1A0A0000000D49484452") + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("方案.pdf", b"%PDF-1.7\n1 0 obj\n"),
        ("数据.xlsx", _xlsx()),
        ("数据.zip", _xlsx()),  # an Office file is a zip
        ("旧表.xls", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600),
        ("照片.png", _png()),
        ("照片.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32),
        ("说明.txt", "晋江鞋服产业技术难题说明\n".encode("gb18030")),
        ("说明 UTF-8.txt", "晋江鞋服产业技术难题说明\n".encode()),
    ],
)
def test_genuine_files_pass(name: str, body: bytes) -> None:
    assert check_attachment(SimpleUploadedFile(name, body)) == name


@pytest.mark.parametrize(
    ("name", "body", "fragment"),
    [
        ("方案.pdf", b"MZ\x90\x00" + b"\x00" * 64, "实际为 EXE 文件"),
        ("方案.pdf", b"<html><script>alert(1)</script></html>", "内容无法识别"),
        ("照片.png", b"%PDF-1.4 not an image", "实际为 PDF 文件"),
        ("数据.xlsx", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "实际为 ELF 文件"),
        ("说明.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "不是纯文本文件"),
        ("说明.txt", b"\xff\xfe\x00\x00binary", "不是纯文本文件"),
    ],
)
def test_disguised_files_are_refused_with_a_reason(name: str, body: bytes, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc:
        check_attachment(SimpleUploadedFile(name, body))
    assert fragment in exc.value.messages[0] and name in exc.value.messages[0]


def test_sniffing_leaves_the_file_readable_from_the_start() -> None:
    upload = SimpleUploadedFile("方案.pdf", b"%PDF-1.7 whole file")
    check_content(upload, ".pdf")
    assert upload.read() == b"%PDF-1.7 whole file"
