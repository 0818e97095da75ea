"""The registry's texts for the matching engine: experts, institutions, enclaves (public profiles) and
enterprises (visible to the bureau only), so demands and achievements can be matched to them."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse

from kechuang.matching.registry import PUBLIC, MatchText, register_provider
from kechuang.orgs.industries import industry_name
from kechuang.orgs.models import Enclave, Enterprise, Expert, Institution

BUREAU_ONLY = ("bureau",)  # a tag nobody holds; the bureau sees everything anyway


def expert_texts() -> Iterator[MatchText]:
    for expert in Expert.objects.select_related("institution__organization"):
        institution = expert.institution.organization.name if expert.institution else ""
        yield MatchText(
            "expert",
            expert.pk,
            f"{expert.name}（{institution or '独立专家'}）",
            f"{expert.title} {expert.fields}。{expert.bio}\n{expert.publications}".strip(),
            (PUBLIC,),
            {"institution": expert.institution_id} if expert.institution_id else {},
        )


def institution_texts() -> Iterator[MatchText]:
    for institution in Institution.objects.select_related("organization"):
        org = institution.organization
        yield MatchText(
            "institution",
            institution.pk,
            org.name,
            f"{institution.get_category_display()} {institution.disciplines}。{org.description}",
            (PUBLIC,),
            {"city": institution.city},
        )


def enclave_texts() -> Iterator[MatchText]:
    for enclave in Enclave.objects.prefetch_related("partner_institutions"):
        partners = "、".join(i.disciplines for i in enclave.partner_institutions.all() if i.disciplines)
        yield MatchText(
            "enclave",
            enclave.pk,
            enclave.name,
            f"{enclave.city} {enclave.host_site} 重点产业：{enclave.focus_industries}。{enclave.description}"
            f" 合作方向：{partners}",
            (PUBLIC,),
            {"city": enclave.city},
        )


def enterprise_texts() -> Iterator[MatchText]:
    for enterprise in Enterprise.objects.select_related("organization").prefetch_related("chains"):
        chains = "、".join(c.name for c in enterprise.chains.all())
        yield MatchText(
            "enterprise",
            enterprise.pk,
            enterprise.organization.name,
            f"{industry_name(enterprise.industry_code)} {chains} 主营：{enterprise.main_products}。"
            f"{enterprise.organization.description}",
            BUREAU_ONLY,
            {"township": enterprise.township_id} if enterprise.township_id else {},
        )


def register() -> None:
    register_provider("expert", "专家", expert_texts, lambda pk: reverse("orgs:expert_detail", args=[pk]))
    register_provider(
        "institution", "高校院所", institution_texts, lambda pk: reverse("orgs:institution_detail", args=[pk])
    )
    register_provider(
        "enclave", "创新飞地", enclave_texts, lambda pk: reverse("orgs:enclave_detail", args=[pk])
    )
    register_provider(
        "enterprise", "企业", enterprise_texts, lambda pk: reverse("orgs:enterprise_detail", args=[pk])
    )
