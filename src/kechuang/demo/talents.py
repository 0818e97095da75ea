"""Demo data for the talents app, written through its services.

The seed: Jinjiang "放权150家企业自主认定人才552名" and gathers 1.3万 talents; its three enclaves (武汉, 深圳,
西安) bring people in flexibly. The demo builds a 泉州-style A–E catalogue (A never self-certified, B only
after filing), ~300 persons with valid ID numbers (region 350582 晋江, correct check digits) over demo
enterprises, institutions and the enclaves, 20 authorised enterprises under a quota rule by last year's
taxes — the demo "enterprise" account's own firm uses its places fully and its next submission is refused
(counted as ``人才·名额用尽被拒``) — a certification in publicity with an objection decided, a bureau
review with expert scores to a certificate, pending applications for the queues, and certificates that
expire within 60 days. Deterministic from the seed; every date derives from ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Q
from django.test.utils import override_settings

from kechuang.core.pii import check_char
from kechuang.demo.generator import DEMO_EMAIL_DOMAIN
from kechuang.orgs.models import Enclave, Enterprise, Institution
from kechuang.talents import services
from kechuang.talents.models import (
    Authorization,
    CatalogueItem,
    CertificateCounter,
    Certification,
    Employment,
    ExpertScore,
    Objection,
    Person,
    Quota,
    QuotaRule,
    Source,
    Status,
    TalentLevel,
)

PERSONS = 300
AUTHORISED = 20
LEVELS = [
    # code, name, rank, self-certifiable, needs filing
    ("A", "顶尖人才", 1, False, False),
    ("B", "国家级领军人才", 2, True, True),
    ("C", "省级领军人才", 3, True, False),
    ("D", "市级高层次人才", 4, True, False),
    ("E", "县级优秀人才", 5, True, False),
]
ITEMS = [
    ("A", "A-01", "中国科学院院士、中国工程院院士", 5),
    ("A", "A-02", "国家最高科学技术奖获得者", 5),
    ("B", "B-01", "国家级重点人才计划入选者", 5),
    ("B", "B-02", "国家科学技术奖一等奖主要完成人（前三名）", 5),
    ("C", "C-01", "省级引才“百人计划”入选者", 4),
    ("C", "C-02", "正高级职称且主持省级以上科研项目", 4),
    ("D", "D-01", "泉州市高层次人才“港湾计划”入选者", 3),
    ("D", "D-02", "博士学位且在本市企业全职工作满一年", 3),
    ("E", "E-01", "硕士学位且在晋江企业从事研发工作满两年", 3),
    ("E", "E-02", "市级以上技能大师工作室领办人", 3),
]
RETIRED_ITEM = ("D", "D-99", "（2023年版目录）高级工程师且年薪30万元以上", 3)
QUOTA_BANDS = [[0, 1], [100, 2], [500, 3], [1000, 4], [2000, 6]]
SURNAMES = "陈林黄张吴王李蔡许洪施郑刘杨苏庄丁曾周谢"
GIVEN = "志伟建华明辉婷丽强军斌芳磊静敏晓燕海峰文彬俊杰嘉欣宇航思远雅琪梓涵"
FIELDS = [
    ("高分子材料", "高级工程师"),
    ("鞋服设计", "设计总监"),
    ("纺织化纤", "研发经理"),
    ("集成电路设计", "芯片工程师"),
    ("智能制造", "自动化工程师"),
    ("食品科学", "质量总监"),
    ("建筑陶瓷", "工艺工程师"),
    ("医疗器械", "注册经理"),
    ("新能源电池", "电化学研究员"),
    ("工业软件", "架构师"),
]
EVIDENCE_PDF = b"%PDF-1.4\n% kechuang demo evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Builder:
    def __init__(self, seed: int, as_of: dt.date) -> None:
        self.rng = random.Random(seed + 17)
        self.as_of = as_of
        self.counts: dict[str, int] = {}
        self.used_ids: set[str] = set()
        users = (
            get_user_model()
            .objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")
            .select_related("profile")
        )
        self.users = {u.username: u for u in users}
        self.staff = self.users.get("staff")
        self.enterprises = list(
            Enterprise.objects.filter(is_demo=True).select_related("organization").order_by("pk")[:400]
        )
        self.institutions = list(Institution.objects.filter(is_demo=True).select_related("organization")[:20])
        self.enclaves = list(Enclave.objects.filter(is_demo=True).order_by("pk")[:3])
        anchor_user = self.users.get("enterprise")
        org = anchor_user.profile.organization_id if anchor_user and hasattr(anchor_user, "profile") else None
        self.anchor = next((e for e in self.enterprises if e.organization_id == org), None)

    def bump(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def day(self, days_ago: int) -> dt.date:
        return self.as_of - dt.timedelta(days=days_ago)

    def id_number(self) -> str:
        while True:
            born = dt.date(1962, 1, 1) + dt.timedelta(days=self.rng.randint(0, 36 * 365))
            first17 = f"350582{born:%Y%m%d}{self.rng.randint(0, 999):03d}"
            number = first17 + check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def name(self) -> str:
        given = "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2))))
        return self.rng.choice(SURNAMES) + given

    # -- catalogue, rule, persons, authorisations ------------------------------------------------------

    def catalogue(self) -> dict[str, CatalogueItem]:
        levels: dict[str, TalentLevel] = {}
        for code, name, rank, self_cert, filing in LEVELS:
            level = TalentLevel.objects.filter(code=code).first()
            levels[code] = level or services.save_level(
                actor=self.staff,
                code=code,
                name=name,
                rank=rank,
                self_certifiable=self_cert,
                needs_filing=filing,
            )
        items: dict[str, CatalogueItem] = {}
        for level_code, code, text, years in ITEMS:
            item = CatalogueItem.objects.filter(code=code).first()
            items[code] = item or services.save_catalogue_item(
                actor=self.staff, level=levels[level_code], code=code, text=text, validity_years=years
            )
        level_code, code, text, years = RETIRED_ITEM
        if not CatalogueItem.objects.filter(code=code).exists():
            services.save_catalogue_item(
                actor=self.staff,
                level=levels[level_code],
                code=code,
                text=text,
                validity_years=years,
                valid_until=dt.date(self.as_of.year - 1, 12, 31),
            )
        self.levels = levels
        return items

    def rule(self) -> None:
        services.save_quota_rule(
            actor=self.staff,
            name="按上年纳税额分档（演示）",
            year=self.as_of.year,
            bands=QUOTA_BANDS,
            cap=6,
            is_demo=True,
        )
        self.bump("人才·名额规则")

    def persons(self) -> list[Person]:
        out: list[Person] = []
        employers = list(self.enterprises[:120])
        if self.anchor and self.anchor not in employers:
            employers.insert(0, self.anchor)
        for k in range(PERSONS):
            roll = self.rng.random()
            source = (
                Source.FULL_TIME
                if roll < 0.4
                else Source.FLEXIBLE
                if roll < 0.6
                else Source.ENCLAVE
                if roll < 0.75
                else Source.LOCAL
            )
            enclave = (
                self.rng.choice(self.enclaves)
                if source in (Source.FLEXIBLE, Source.ENCLAVE) and self.enclaves
                else None
            )
            where: dict[str, Any] = {}
            if k < 12 and self.anchor is not None:
                where["enterprise"] = self.anchor  # the demo enterprise's own staff
            elif source == Source.ENCLAVE and enclave is not None and self.rng.random() < 0.3:
                where["employer_enclave"] = enclave
            elif self.institutions and self.rng.random() < 0.12:
                where["institution"] = self.rng.choice(self.institutions)
            else:
                where["enterprise"] = self.rng.choice(employers)
            field, title = self.rng.choice(FIELDS)
            registered = self.day(self.rng.randint(30, 900))
            out.append(
                services.register_person(
                    actor=self.staff,
                    name=self.name(),
                    id_number=self.id_number(),
                    source=source,
                    phone=f"139{self.rng.randint(0, 99_999_999):08d}",
                    degree=self.rng.choice(("doctor", "master", "master", "bachelor", "bachelor", "college")),
                    field=field,
                    title=title,
                    enclave=enclave,
                    since=registered - dt.timedelta(days=self.rng.randint(0, 2000)),
                    on=registered,
                    is_demo=True,
                    **where,
                )
            )
        self.bump("人才·人才", len(out))
        return out

    def authorisations(self) -> list[Enterprise]:
        chosen: list[Enterprise] = []
        if self.anchor is not None:
            chosen.append(self.anchor)
        employing = list(
            Enterprise.objects.filter(
                pk__in=Person.objects.filter(is_demo=True, enterprise__isnull=False).values("enterprise_id")
            )
            .exclude(pk__in=[e.pk for e in chosen])
            .select_related("organization")
            .order_by("pk")
        )
        chosen += employing[: AUTHORISED - len(chosen)]
        levels = [self.levels[c] for c in ("B", "C", "D", "E")]
        for ent in chosen:
            services.save_authorization(
                actor=self.staff,
                enterprise=ent,
                valid_from=dt.date(self.as_of.year, 1, 1),
                valid_until=dt.date(self.as_of.year + 1, 12, 31),
                levels=levels,
                note="演示授权",
                is_demo=True,
            )
        self.bump("人才·自主认定授权", len(chosen))
        return chosen

    # -- certifications ----------------------------------------------------------------------------

    def _this_year(self, days_ago: int) -> dt.date:
        return max(self.day(days_ago), dt.date(self.as_of.year, 1, 1))

    def self_certify(
        self, ent: Enterprise, person: Person, item: CatalogueItem, days_ago: int
    ) -> Certification | None:
        on = self._this_year(days_ago)
        try:
            cert = services.submit_self_certification(
                actor=self.users.get("enterprise") if ent == self.anchor else self.staff,
                enterprise=ent,
                person=person,
                basis=item,
                on=on,
                is_demo=True,
            )
        except ValidationError as exc:
            quota_full = any("名额已用完" in m for m in exc.messages)
            self.bump("人才·名额用尽被拒" if quota_full else "人才·其他被拒")
            return None
        if cert.status == Status.FILING:
            cert = services.approve_filing(actor=self.staff, certification=cert, note="备案通过", on=on)
        assert cert.publicity_until is not None
        if cert.publicity_until < self.as_of:
            cert = services.certify(
                actor=self.staff, certification=cert, on=cert.publicity_until + dt.timedelta(days=1)
            )
            self.bump("人才·认定证书")
        self.bump("人才·自主认定")
        return cert

    def anchor_uses_its_quota(self, items: dict[str, CatalogueItem]) -> None:
        if self.anchor is None:
            return
        staff_of_anchor = list(Person.objects.filter(enterprise=self.anchor, is_demo=True).order_by("pk"))
        from kechuang.talents.selectors import quota_status

        places = quota_status(self.anchor, self._this_year(30).year)["places"]
        for person in staff_of_anchor[:places]:
            self.self_certify(
                self.anchor, person, items[self.rng.choice(("C-01", "D-01", "D-02", "E-01"))], 30
            )
        if len(staff_of_anchor) > places:  # the next one is refused: the places are used up
            self.self_certify(self.anchor, staff_of_anchor[places], items["E-01"], 10)

    def others_self_certify(self, enterprises: list[Enterprise], items: dict[str, CatalogueItem]) -> None:
        for ent in enterprises:
            if ent == self.anchor:
                continue
            people = list(
                Person.objects.filter(enterprise=ent, is_demo=True, certifications__isnull=True).order_by(
                    "pk"
                )[:2]
            )
            for person in people[: self.rng.randint(1, 2)]:
                code = self.rng.choice(("B-01", "C-02", "D-01", "D-02", "E-01", "E-02"))
                self.self_certify(ent, person, items[code], self.rng.randint(15, 120))

    def publicity_with_objections(
        self, enterprises: list[Enterprise], items: dict[str, CatalogueItem]
    ) -> None:
        others = [e for e in enterprises if e != self.anchor]
        objector = self.users.get("investor") or self.users.get("expert")
        for k, ent in enumerate(others[:2]):
            person = (
                Person.objects.filter(enterprise=ent, is_demo=True, certifications__isnull=True)
                .order_by("pk")
                .first()
            )
            if person is None:
                continue
            try:
                cert = services.submit_self_certification(
                    actor=self.staff,
                    enterprise=ent,
                    person=person,
                    basis=items["D-02"],
                    on=self.as_of,
                    is_demo=True,
                )
            except ValidationError:
                continue
            objection = services.file_objection(
                actor=objector,
                certification=cert,
                reason="反映该人才尚未在本企业全职工作满一年，请核实社保缴纳记录"
                if k == 0
                else "学历学位证书信息与学信网记录不一致",
                on=self.as_of,
            )
            services.decide_objection(
                actor=self.staff,
                objection=objection,
                upheld=k == 1,
                note="经核实社保记录，已全职工作满一年，异议不成立"
                if k == 0
                else "经学信网核验，学历信息不实，异议成立",
                on=self.as_of,
            )
            self.bump("人才·公示异议")

    def bureau_reviews(self, people: list[Person], items: dict[str, CatalogueItem]) -> None:
        reviewers = [
            u
            for u in self.users.values()
            if hasattr(u, "profile") and u.profile.role in ("expert", "bureau_staff", "bureau_admin")
        ]
        own = Person.objects.filter(enterprise=self.anchor, is_demo=True, certifications__isnull=True)
        candidates = list(own.order_by("pk")[:1]) + [
            p
            for p in people
            if p.enterprise_id and p.enterprise != self.anchor and not p.certifications.exists()
        ]
        # one review all the way to a certificate (scores by the experts), two in the queues
        for k, person in enumerate(candidates[:3]):
            start = self.day(75) if k == 0 else self.day(5 + k)
            code = "A-01" if k == 0 else ("B-02" if k == 1 else "C-02")
            applicant = self.users.get("enterprise") if person.enterprise == self.anchor else None
            cert = services.apply_for_certification(
                actor=applicant,
                person=person,
                basis=items[code],
                statement="主持国家级重点研发计划项目，成果已在本地企业产业化",
                files=[ContentFile(EVIDENCE_PDF, name="人才认定证明材料.pdf")],  # type: ignore[list-item]
                on=start,
                is_demo=True,
            )
            self.bump("人才·评审认定申请")
            if k == 2:
                continue
            services.accept_application(actor=self.staff, certification=cert, note="材料齐全，予以受理")
            if k == 1:
                continue
            services.pass_first_review(actor=self.staff, certification=cert, note="符合申报条件")
            for reviewer in reviewers[:3]:
                try:
                    services.assign_reviewer(actor=self.staff, certification=cert, reviewer=reviewer)
                except ValidationError:
                    continue
                services.score_certification(
                    reviewer=reviewer,
                    certification=cert,
                    score=self.rng.randint(78, 95),
                    comment="业绩突出，符合认定条件",
                    on=start + dt.timedelta(days=20),
                )
                self.bump("人才·专家评分")
            cert = services.conclude_review(
                actor=self.staff, certification=cert, on=start + dt.timedelta(days=30)
            )
            if cert.status == Status.PUBLICITY and cert.publicity_until and cert.publicity_until < self.as_of:
                services.certify(
                    actor=self.staff, certification=cert, on=cert.publicity_until + dt.timedelta(days=1)
                )
                self.bump("人才·认定证书")

    def expiring(self, people: list[Person], items: dict[str, CatalogueItem]) -> None:
        """Certificates granted three years ago (3-year items) that run out within the next 60 days."""
        candidates = [p for p in people if not p.certifications.exists()][:6]
        for k, person in enumerate(candidates):
            certify_on = services.add_years(self.as_of + dt.timedelta(days=10 + 8 * k), -3)
            start = certify_on - dt.timedelta(days=20)
            cert = services.apply_for_certification(
                actor=self.staff,
                person=person,
                basis=items["D-02" if k % 2 else "E-01"],
                files=[ContentFile(EVIDENCE_PDF, name="学位证书.pdf")],  # type: ignore[list-item]
                on=start,
                is_demo=True,
            )
            services.accept_application(actor=self.staff, certification=cert)
            services.pass_first_review(actor=self.staff, certification=cert)
            expert = self.users.get("expert")
            if expert is None:
                continue
            services.assign_reviewer(actor=self.staff, certification=cert, reviewer=expert)
            services.score_certification(reviewer=expert, certification=cert, score=80, on=start)
            cert = services.conclude_review(actor=self.staff, certification=cert, on=start)
            services.certify(actor=self.staff, certification=cert, on=certify_on)
            self.bump("人才·60天内到期")


def load_demo_talents(*, seed: int, as_of: dt.date) -> dict[str, int]:
    builder = Builder(seed, as_of)
    if not builder.enterprises:
        return {}
    items = builder.catalogue()
    builder.rule()
    people = builder.persons()
    authorised = builder.authorisations()
    builder.anchor_uses_its_quota(items)
    builder.publicity_with_objections(authorised, items)
    builder.others_self_certify(authorised, items)
    builder.bureau_reviews(people[40:], items)
    builder.expiring(people[120:], items)
    builder.counts.setdefault("人才·名额用尽被拒", 0)
    return builder.counts


def delete_demo_talents() -> dict[str, int]:
    """Delete the demo talent records and their history; the catalogue (configuration) stays."""
    persons = Person.objects.filter(is_demo=True)
    certs = Certification.objects.filter(Q(is_demo=True) | Q(person__is_demo=True))
    cert_ids = list(certs.values_list("pk", flat=True))
    person_ids = list(persons.values_list("pk", flat=True))
    Objection.history.filter(certification_id__in=cert_ids).delete()  # type: ignore[attr-defined]
    ExpertScore.history.filter(certification_id__in=cert_ids).delete()  # type: ignore[attr-defined]
    Certification.history.filter(id__in=cert_ids).delete()  # type: ignore[attr-defined]
    Employment.history.filter(person_id__in=person_ids).delete()  # type: ignore[attr-defined]
    Person.history.filter(id__in=person_ids).delete()  # type: ignore[attr-defined]
    Authorization.history.filter(is_demo=True).delete()  # type: ignore[attr-defined]
    QuotaRule.history.filter(is_demo=True).delete()  # type: ignore[attr-defined]
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        deleted = {"talents_certifications": Certification.objects.filter(pk__in=cert_ids).delete()[0]}
        deleted["talents_employments"] = Employment.objects.filter(person_id__in=person_ids).delete()[0]
        deleted["人才·人才"] = Person.objects.filter(pk__in=person_ids).delete()[0]
        auths = Authorization.objects.filter(is_demo=True)
        deleted["人才·自主认定授权"] = auths.count()
        for auth in auths:
            auth.levels.clear()
        auths.delete()
        deleted["talents_quotas"] = Quota.objects.filter(enterprise__is_demo=True).delete()[0]
        deleted["人才·名额规则"] = QuotaRule.objects.filter(is_demo=True).delete()[0]
        left = set(Certification.objects.exclude(certificate_no=None).values_list("year", flat=True))
        CertificateCounter.objects.exclude(year__in=left).delete()
    return deleted
