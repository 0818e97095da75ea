"""Personal identity numbers (身份证号, passports): check, mask, encrypt and hash for lookup.

The clear number is kept only encrypted (Fernet, AES-128-CBC + HMAC) so staff with the right action can
read it back; an HMAC-SHA256 of the normalised number is stored beside it so "is this person already
registered?" is one indexed lookup without decrypting anything. Pages, exports, API answers and logs use
the masked form only.

The key: ``KECHUANG_PII_KEY`` (a Fernet key, ``Fernet.generate_key()``) when set, else the file
``<KECHUANG_DATA_DIR>/pii.key`` created on first use with mode 0600. Keep a copy of it apart from the
database backups (``kechuang backup`` leaves it out on purpose): without it the stored numbers cannot be
decrypted and duplicates cannot be found. No Django models here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")


def normalise_id(value: str) -> str:
    """Upper case, no spaces or dashes; full-width characters folded (Ｘ → X)."""
    folded = "".join(
        chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in (value or "").strip()
    )
    return re.sub(r"[\s\-]", "", folded).upper()


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def resident_id_error(value: str, *, today: dt.date | None = None) -> str | None:
    """Why ``value`` is not a valid 18-character resident ID (GB 11643), in Chinese; None when valid."""
    number = normalise_id(value)
    if len(number) != 18:
        return f"身份证号应为18位（当前{len(number)}位）"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号前17位应为数字，末位为数字或X"
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if not dt.date(1900, 1, 1) <= born <= (today or dt.date.today()):
        return "身份证号中的出生日期超出范围"
    if check_char(number[:17]) != number[17]:
        return "身份证号校验位错误，请核对后重新输入"
    return None


def passport_error(value: str) -> str | None:
    number = normalise_id(value)
    if not PASSPORT.match(number):
        return "护照号码应为5至20位字母或数字"
    return None


def mask_id(value: str) -> str:
    """``3505**********123X`` for a resident ID (first 4, 10 stars, last 4); ``E1****78`` for a passport."""
    number = normalise_id(value)
    if not number:
        return ""
    if len(number) == 18:
        return number[:4] + "*" * 10 + number[-4:]
    if len(number) <= 4:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


def mask_phone(value: str) -> str:
    """``139****1234`` for an 11-digit mobile; other numbers keep only their last 4 digits."""
    digits = re.sub(r"\D", "", value or "")
    if not digits:
        return ""
    if len(digits) == 11:
        return digits[:3] + "****" + digits[-4:]
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def _key_file() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "pii.key"


def pii_key() -> bytes:
    """The Fernet key from the environment, else from the data dir's key file (created when missing)."""
    configured = os.environ.get("KECHUANG_PII_KEY", "").strip()
    if configured:
        return configured.encode()
    return _file_key(str(_key_file()))


@lru_cache(maxsize=8)
def _file_key(path: str) -> bytes:
    key_file = Path(path)
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key()
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
    return key_file.read_bytes().strip()


def _lookup_key() -> bytes:
    """A separate key for the lookup hash, derived from the PII key (so one secret to keep)."""
    return hmac.new(pii_key(), b"kechuang-pii-lookup-v1", hashlib.sha256).digest()


def id_lookup_hash(value: str) -> str:
    """HMAC-SHA256 (hex) of the normalised number: equal numbers give equal hashes, nothing else leaks."""
    return hmac.new(_lookup_key(), normalise_id(value).encode(), hashlib.sha256).hexdigest()


def encrypt_id(value: str) -> str:
    return Fernet(pii_key()).encrypt(normalise_id(value).encode()).decode()


def decrypt_id(token: str) -> str:
    return Fernet(pii_key()).decrypt(token.encode()).decode()
