"""Validators for Chinese identifiers, with messages a clerk can act on."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# GB 32100-2015: 18 characters from this 31-symbol alphabet (no I, O, Z, S, V).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalise_credit_code(value: str) -> str:
    """People paste codes with spaces, dashes and lower case; store the bare upper-case form."""
    return re.sub(r"[\s\-—_]", "", str(value or "")).upper().replace("Ｏ", "0")


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(value: str) -> str | None:
    """Return a Chinese explanation of what is wrong with a 统一社会信用代码, or None if it is valid."""
    code = normalise_credit_code(value)
    if not code:
        return "统一社会信用代码不能为空"
    if len(code) != 18:
        return f"统一社会信用代码应为18位，当前为{len(code)}位"
    if not _CREDIT_CODE_RE.match(code):
        bad = sorted({c for c in code if c not in CREDIT_CODE_ALPHABET})
        if bad:
            return f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）"
        return "统一社会信用代码第3至8位应为行政区划代码（数字）"
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误（第18位应为 {expected}），请核对是否录入有误"
    return None


def validate_credit_code(value: str) -> None:
    error = credit_code_error(value)
    if error:
        raise ValidationError(error, code="credit_code")


_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_phone(value: str) -> str:
    digits = re.sub(r"[\s\-()（）]", "", str(value or ""))
    return digits.removeprefix("+86").removeprefix("0086")


def validate_phone(value: str) -> None:
    digits = normalise_phone(value)
    if digits and not (_MOBILE_RE.match(digits) or _LANDLINE_RE.match(digits)):
        raise ValidationError(
            "电话号码格式不正确：手机为11位（如 138 0595 1234），固话带区号（如 0595-8568 1234）",
            code="phone",
        )
