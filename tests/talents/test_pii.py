"""ID numbers: the GB 11643 check digit, masking, the lookup hash and encryption with the configured key."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from kechuang.core import pii
from tests.talents.support import id_number


def test_check_digit_is_computed_as_gb_11643_says() -> None:
    assert pii.resident_id_error("11010519491231002X") is None  # the standard's own example
    assert pii.check_char("11010519491231002") == "X"
    good = id_number(123)
    assert pii.resident_id_error(good) is None
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert pii.resident_id_error(wrong) == "身份证号校验位错误，请核对后重新输入"
    assert "18位" in (pii.resident_id_error("35058219900101") or "")
    assert "出生日期" in (pii.resident_id_error("350582199013011234") or "")
    future = id_number(1, born=dt.date.today() + dt.timedelta(days=400))
    assert "超出范围" in (pii.resident_id_error(future) or "")
    assert pii.resident_id_error(" 11010519491231002x ") is None  # lower-case x and spaces tolerated


def test_masks() -> None:
    assert pii.mask_id("350582199001011234") == "3505**********1234"
    assert pii.mask_id("11010519491231002x") == "1101**********002X"
    assert pii.mask_id("E12345678") == "E1*****78"
    assert pii.mask_phone("13905951234") == "139****1234"
    assert pii.mask_phone("0595-856712") == "******6712"


def test_hash_is_stable_and_keyed_and_cipher_round_trips(
    settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.delenv("KECHUANG_PII_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    number = id_number(7)
    token = pii.encrypt_id(number)
    assert number not in token and pii.decrypt_id(token) == number
    key_file = tmp_path / "pii.key"
    assert key_file.exists() and stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    digest = pii.id_lookup_hash(number)
    assert digest == pii.id_lookup_hash(number.lower()) and len(digest) == 64 and number not in digest
    monkeypatch.setenv("KECHUANG_PII_KEY", Fernet.generate_key().decode())
    assert pii.id_lookup_hash(number) != digest  # another key, another hash
    with pytest.raises(Exception):  # noqa: B017 - the old token does not open with another key
        pii.decrypt_id(token)
