"""Form fields for registry records that other apps' forms share (one way to type an enterprise)."""

from __future__ import annotations

from typing import Any

from django import forms

from kechuang.core.validators import normalise_credit_code
from kechuang.orgs.models import Enterprise


class EnterpriseByCodeField(forms.CharField):
    """An enterprise typed as its 统一社会信用代码 (how staff identify a firm), resolved to the record."""

    def clean(self, value: Any) -> Enterprise | None:  # type: ignore[override]
        code = normalise_credit_code(super().clean(value))
        if not code:
            return None
        enterprise = (
            Enterprise.objects.select_related("organization").filter(organization__credit_code=code).first()
        )
        if enterprise is None:
            raise forms.ValidationError(f"企业库中没有统一社会信用代码为 {code} 的企业，请先登记企业")
        return enterprise
