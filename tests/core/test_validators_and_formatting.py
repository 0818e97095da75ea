from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kechuang.core.excel import neutralise
from kechuang.core.formatting import format_credit_code, format_date_cn, format_phone, format_wan
from kechuang.core.validators import (
    credit_code_check_char,
    credit_code_error,
    validate_credit_code,
    validate_phone,
)

# Codes printed on real business licences (public registration data) pin the algorithm to GB 32100-2015.
REAL_CODES = ["914403001922038216", "91440300708461136T", "91330100716105852F"]


def test_check_character_matches_gb_32100() -> None:
    assert credit_code_check_char("91350582MA31EGGG7") in "0123456789ABCDEFGHJKLMNPQRTUWXY"
    # A code built with our check character validates, and changing any single character breaks it.
    body = "91350582MA2Y4L3K1"
    code = body + credit_code_check_char(body)
    assert credit_code_error(code) is None
    for i in range(17):
        swapped = code[:i] + ("1" if code[i] != "1" else "2") + code[i + 1 :]
        assert credit_code_error(swapped) is not None


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_world_codes_validate(code: str) -> None:
    assert credit_code_error(code) is None
    assert credit_code_check_char(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "不能为空"),
        ("1234", "18位"),
        ("91350582MA2Y4L3KIO", "不允许的字符"),
        ("9135058XMA2Y4L3K10", "行政区划"),
    ],
)
def test_invalid_codes_explain_themselves(value: str, fragment: str) -> None:
    assert fragment in (credit_code_error(value) or "")
    with pytest.raises(ValidationError):
        validate_credit_code(value)


def test_codes_are_normalised_before_checking() -> None:
    body = "91350582MA2Y4L3K1"
    code = body + credit_code_check_char(body)
    assert credit_code_error(" " + code.lower()[:8] + "-" + code[8:] + " ") is None


def test_phone_numbers() -> None:
    validate_phone("138 0595 1234")
    validate_phone("0595-85681234")
    validate_phone("+86 13805951234")
    with pytest.raises(ValidationError, match="格式不正确"):
        validate_phone("12345")
    assert format_phone("13805951234") == "138 0595 1234"
    assert format_phone("059585681234") == "0595-8568 1234"
    assert format_phone("02112345678") == "021-1234 5678"


def test_amounts_dates_codes_as_people_write_them() -> None:
    assert format_wan(Decimal("8500")) == "8,500万元"
    assert format_wan(Decimal("787000")) == "78.70亿元"
    assert format_wan(None) == "—"
    assert format_date_cn(dt.date(2025, 3, 1)) == "2025年3月1日"
    assert format_credit_code("91350582ma2y4l3k1x") == "91350582MA2Y4L3K1X"


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\t=1"])
def test_formula_looking_cells_are_neutralised(value: str) -> None:
    assert neutralise(value).startswith("'")
    assert neutralise("晋江") == "晋江" and neutralise(12) == 12


def test_has_field_errors_tells_field_errors_from_form_wide_ones() -> None:
    from django import forms

    from kechuang.core.templatetags.kc import has_field_errors

    class NameForm(forms.Form):
        name = forms.CharField()

    missing = NameForm(data={})
    assert missing.is_valid() is False and has_field_errors(missing)
    form_wide = NameForm(data={"name": "张三"})
    assert form_wide.is_valid()
    form_wide.add_error(None, "与申请方存在关联")
    assert not has_field_errors(form_wide)
