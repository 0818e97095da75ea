"""Services of the talent registry: every refusal of the issue is a Chinese message and writes nothing;
the bureau path runs to a certificate with expert scores; publicity with objections; places come back."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.talents import selectors, services
from kechuang.talents.models import Certification, Employment, Objection, Person, Quota, Status
from tests.talents.support import authorise, catalogue, id_number, person

pytestmark = pytest.mark.django_db
D = dt.date(2025, 3, 3)  # a Monday


def _message(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return "；".join(exc.value.messages)


def _counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Employment.objects.count(),
        Certification.objects.count(),
        Objection.objects.count(),
        sum(Quota.objects.values_list("used", flat=True)),
    )


def test_register_refuses_a_wrong_check_digit_and_a_duplicate_naming_the_record(world: Any) -> None:
    good = id_number(11)
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    with pytest.raises(ValidationError) as exc:
        services.register_person(
            actor=None, name="张三", id_number=wrong, source="full_time", enterprise=world.own_enterprise
        )
    assert "校验位错误" in _message(exc) and Person.objects.count() == 0
    first = services.register_person(
        actor=None, name="张三", id_number=good, source="full_time", enterprise=world.own_enterprise, on=D
    )
    assert first.id_masked == good[:4] + "*" * 10 + good[-4:]
    assert good not in (first.id_cipher + first.id_hash) and services.clear_id(first) == good
    assert first.employer_name == world.own_enterprise.organization.name and first.township == world.town
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.register_person(
            actor=None, name="张叁", id_number=good.lower(), source="local", institution=world.institution
        )
    assert f"张三（{first.id_masked}，人才编号 {first.pk}）" in _message(exc)
    assert _counts() == before
    # history keeps who and when but never the cipher or the hash
    record = first.history.get()
    assert not hasattr(record, "id_cipher") and not hasattr(record, "id_hash")


def test_self_certification_refusals_write_nothing(world: Any) -> None:
    cat = catalogue()
    ent = world.own_enterprise
    p = person(1, ent)
    other = person(2, world.other_enterprise)
    items = cat["items"]

    def refused(*, basis: Any, who: Any = p, on: dt.date = D, enterprise: Any = ent) -> str:
        before = _counts()
        with pytest.raises(ValidationError) as exc:
            services.submit_self_certification(
                actor=None, enterprise=enterprise, person=who, basis=basis, on=on
            )
        assert _counts() == before
        return _message(exc)

    assert "未获自主认定授权" in refused(basis=items["C"])
    authorise(ent, [cat["C"]], places=1)
    assert "不可由用人单位自主认定" in refused(basis=items["A"])  # top level, never
    assert "授权范围不含" in refused(basis=items["D"])
    assert "已于2024年12月31日失效" in refused(basis=items["C_old"])  # an expired basis
    assert "到期" in refused(basis=items["C"], on=dt.date(2026, 1, 5))  # an expired authorisation
    assert "不在本企业任职" in refused(basis=items["C"], who=other)

    cert = services.submit_self_certification(actor=None, enterprise=ent, person=p, basis=items["C"], on=D)
    assert cert.status == Status.PUBLICITY and cert.holds_place
    assert cert.publicity_until == dt.date(2025, 3, 10)  # five workdays after Monday 3 March
    assert selectors.quota_status(ent, 2025) == {
        "year": 2025,
        "places": 1,
        "used": 1,
        "left": 0,
        "taxes": None,
    }
    third = person(3, ent)
    message = refused(basis=items["C"], who=third)
    assert "名额已用完" in message and "名额 1 个，已用 1 个" in message
    assert "在办的认定申请" in refused(basis=items["C"], who=p)

    services.withdraw_certification(actor=None, certification=cert, on=D)
    assert Quota.objects.get().used == 0  # the place comes back
    services.submit_self_certification(actor=None, enterprise=ent, person=third, basis=items["C"], on=D)
    assert Quota.objects.get().used == 1


def test_quota_follows_last_years_taxes_in_bands_with_a_cap(world: Any) -> None:
    cat = catalogue()
    ent = world.own_enterprise
    ent.figures.filter(year=2024).update(taxes_paid=800)
    services.save_quota_rule(actor=None, name="按纳税", year=2025, bands=[[0, 1], [500, 3], [2000, 6]], cap=5)
    authorise(ent, [cat["C"]])
    assert selectors.quota_status(ent, 2025)["places"] == 3
    ent.figures.filter(year=2024).update(taxes_paid=5000)
    assert selectors.quota_status(ent, 2025)["places"] == 5  # band says 6, the cap says 5
    with pytest.raises(ValidationError) as exc:
        services.save_quota_rule(actor=None, name="乱序", year=2025, bands=[[500, 3], [0, 1]], cap=5)
    assert "从低到高" in _message(exc)


def test_filing_level_needs_approval_and_a_refused_filing_returns_the_place(world: Any) -> None:
    cat = catalogue()
    ent = world.own_enterprise
    authorise(ent, [cat["B"], cat["C"]], places=2)
    p = person(1, ent)
    cert = services.submit_self_certification(
        actor=None, enterprise=ent, person=p, basis=cat["items"]["B"], on=D
    )
    assert cert.status == Status.FILING and cert.publicity_until is None and Quota.objects.get().used == 1
    with pytest.raises(ValidationError):
        services.certify(actor=None, certification=cert, on=D + dt.timedelta(days=30))
    with pytest.raises(ValidationError) as exc:
        services.refuse_certification(actor=None, certification=cert, reason=" ", on=D)
    assert "理由" in _message(exc)
    services.refuse_certification(actor=None, certification=cert, reason="备案材料不全", on=D)
    assert Quota.objects.get().used == 0
    q = person(2, ent)
    cert = services.submit_self_certification(
        actor=None, enterprise=ent, person=q, basis=cat["items"]["B"], on=D
    )
    services.approve_filing(actor=None, certification=cert, on=D)
    cert.refresh_from_db()
    assert cert.status == Status.PUBLICITY and cert.publicity_from == D


def test_publicity_objection_and_certificate(world: Any) -> None:
    cat = catalogue()
    ent = world.own_enterprise
    authorise(ent, [cat["C"], cat["D"]], places=5)
    objector = world.users["investor"]
    p = person(1, ent)
    cert = services.submit_self_certification(
        actor=None, enterprise=ent, person=p, basis=cat["items"]["C"], on=D
    )
    with pytest.raises(ValidationError) as exc:
        services.file_objection(actor=objector, certification=cert, reason="短", on=D)
    assert "不少于5个字" in _message(exc)
    objection = services.file_objection(
        actor=objector, certification=cert, reason="该人才并非本单位全职员工", on=D
    )
    cert.refresh_from_db()
    assert cert.status == Status.ON_HOLD
    with pytest.raises(ValidationError) as exc:
        services.certify(actor=None, certification=cert, on=dt.date(2025, 3, 20))
    assert "异议尚未处理" in _message(exc)
    services.decide_objection(actor=None, objection=objection, upheld=False, note="经核实为全职员工", on=D)
    cert.refresh_from_db()
    assert cert.status == Status.PUBLICITY
    with pytest.raises(ValidationError) as exc:
        services.certify(actor=None, certification=cert, on=dt.date(2025, 3, 10))
    assert "期满后方可认定" in _message(exc)
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.file_objection(
            actor=objector, certification=cert, reason="公示期后又来异议了", on=dt.date(2025, 3, 11)
        )
    assert "公示期已结束" in _message(exc) and _counts() == before
    done = services.certify(actor=None, certification=cert, on=dt.date(2025, 3, 11))
    assert done.certificate_no == "JJRC-2025-000001"
    assert (done.valid_from, done.valid_until) == (dt.date(2025, 3, 11), dt.date(2030, 3, 10))
    assert selectors.verify("jjrc-2025-000001", as_of=dt.date(2025, 4, 1))["state"] == "有效"  # type: ignore[index]
    assert selectors.verify("JJRC-2025-000001", as_of=dt.date(2030, 4, 1))["state"] == "已过期"  # type: ignore[index]
    # holding C now: C or D again is refused, the place stays used
    with pytest.raises(ValidationError) as exc:
        services.submit_self_certification(
            actor=None, enterprise=ent, person=p, basis=cat["items"]["D"], on=dt.date(2025, 4, 1)
        )
    assert "已持有有效的" in _message(exc)
    # an upheld objection refuses and returns the place
    q = person(2, ent)
    cert2 = services.submit_self_certification(
        actor=None, enterprise=ent, person=q, basis=cat["items"]["C"], on=D
    )
    used = Quota.objects.get().used
    objection = services.file_objection(actor=objector, certification=cert2, reason="学历证明材料造假", on=D)
    services.decide_objection(actor=None, objection=objection, upheld=True, note="经核实材料不实", on=D)
    cert2.refresh_from_db()
    assert cert2.status == Status.REFUSED and "异议成立" in cert2.decision_reason
    assert Quota.objects.get().used == used - 1


def test_bureau_review_with_experts_to_a_certificate(world: Any) -> None:
    cat = catalogue()
    ent = world.own_enterprise
    p = person(1, ent)
    applicant = world.users["enterprise"]
    bad = SimpleUploadedFile("run.exe", b"MZ")
    with pytest.raises(ValidationError) as exc:
        services.apply_for_certification(
            actor=applicant, person=p, basis=cat["items"]["A"], files=[bad], on=D
        )
    assert "不支持的附件类型" in _message(exc) and Certification.objects.count() == 0
    evidence = SimpleUploadedFile("获奖证书.pdf", b"%PDF-1.4 test")
    cert = services.apply_for_certification(
        actor=applicant, person=p, basis=cat["items"]["A"], files=[evidence], on=D
    )
    assert cert.status == Status.SUBMITTED and cert.evidence.count() == 1
    services.accept_application(actor=None, certification=cert)
    services.pass_first_review(actor=None, certification=cert, note="材料齐全")
    # the enterprise's own user may not review (conflict of interest), nor may an investor
    with pytest.raises(ValidationError) as exc:
        services.assign_reviewer(actor=None, certification=cert, reviewer=applicant)
    assert "不是专家" in _message(exc) or "利益冲突" in _message(exc)
    expert = world.users["expert"]
    staff = world.users["bureau_staff"]
    services.assign_reviewer(actor=None, certification=cert, reviewer=expert)
    services.assign_reviewer(actor=None, certification=cert, reviewer=staff)
    cert.refresh_from_db()
    assert cert.status == Status.EXPERT_REVIEW
    with pytest.raises(ValidationError) as exc:
        services.conclude_review(actor=None, certification=cert, on=D)
    assert "未评分" in _message(exc)
    with pytest.raises(ValidationError):
        services.score_certification(reviewer=expert, certification=cert, score=101)
    services.score_certification(reviewer=expert, certification=cert, score=88, comment="成果突出")
    services.score_certification(reviewer=staff, certification=cert, score=None, conflict_declared=True)
    with pytest.raises(ValidationError) as exc:
        services.score_certification(reviewer=world.users["bureau_admin"], certification=cert, score=70)
    assert "未被分配" in _message(exc)
    cert = services.conclude_review(actor=None, certification=cert, on=D)
    assert cert.status == Status.PUBLICITY and cert.review_score == 88  # the declared conflict does not count
    done = services.certify(actor=None, certification=cert, on=dt.date(2025, 3, 11))
    assert done.status == Status.CERTIFIED and done.certificate_no == "JJRC-2025-000001"
    assert selectors.talent_figures(as_of=dt.date(2025, 4, 1))["total_valid"] == 1


def test_low_scores_refuse(world: Any) -> None:
    cat = catalogue()
    p = person(1, world.own_enterprise)
    cert = services.apply_for_certification(
        actor=None, person=p, basis=cat["items"]["C"], files=[SimpleUploadedFile("a.pdf", b"%PDF")], on=D
    )
    services.accept_application(actor=None, certification=cert)
    services.pass_first_review(actor=None, certification=cert)
    services.assign_reviewer(actor=None, certification=cert, reviewer=world.users["expert"])
    services.score_certification(reviewer=world.users["expert"], certification=cert, score=40)
    cert = services.conclude_review(actor=None, certification=cert, on=D)
    assert cert.status == Status.REFUSED and "平均分 40.00 分" in cert.decision_reason


def test_authorization_never_covers_the_top_level(world: Any) -> None:
    cat = catalogue()
    with pytest.raises(ValidationError) as exc:
        authorise(world.own_enterprise, [cat["A"], cat["C"]])
    assert "不可授权" in _message(exc)


def test_expired_certificates_stop_counting_and_expiring_ones_are_listed(world: Any) -> None:
    cat = catalogue()
    ent = world.own_enterprise
    authorise(ent, [cat["C"]], places=3)
    p = person(1, ent)
    cert = services.submit_self_certification(
        actor=None, enterprise=ent, person=p, basis=cat["items"]["C"], on=D
    )
    cert = services.certify(actor=None, certification=cert, on=dt.date(2025, 3, 11))
    from kechuang.accounts.selectors import principal_for

    bureau = principal_for(world.users["bureau_staff"])
    near = cert.valid_until - dt.timedelta(days=30)  # type: ignore[operator]
    assert list(selectors.expiring(principal=bureau, as_of=near)) == [cert]
    assert list(selectors.expiring(principal=bureau, as_of=near - dt.timedelta(days=60))) == []
    after = cert.valid_until + dt.timedelta(days=1)  # type: ignore[operator]
    assert selectors.talent_figures(as_of=near)["total_valid"] == 1
    assert selectors.talent_figures(as_of=after)["total_valid"] == 0
    assert list(selectors.expiring(principal=bureau, as_of=after)) == []


def test_enclave_figures_count_people_who_came_via_the_enclave(world: Any) -> None:
    cat = catalogue()
    enclave = world.own_enclave
    flexible = person(1, world.own_enterprise, source="flexible", enclave=enclave, on=dt.date(2025, 2, 1))
    person(2, world.own_enterprise, source="enclave", enclave=world.other_enclave, on=dt.date(2025, 2, 1))
    person(
        3, world.own_enterprise, source="local", enclave=enclave, on=dt.date(2025, 2, 1)
    )  # enclave dropped
    person(4, world.own_enterprise, source="enclave", enclave=enclave, on=dt.date(2024, 6, 1))
    services.apply_for_certification(
        actor=None,
        person=flexible,
        basis=cat["items"]["C"],
        files=[SimpleUploadedFile("a.pdf", b"%PDF")],
        on=D,
    )
    year_2025 = {"since": dt.date(2025, 1, 1), "until": dt.date(2025, 12, 31)}
    figures = selectors.enclave_talent_figures(enclave_id=enclave.pk, **year_2025)
    assert figures == {"flexible_talents": 1, "talent_projects_coached": 1}
    year_2024 = {"since": dt.date(2024, 1, 1), "until": dt.date(2024, 12, 31)}
    assert selectors.enclave_talent_figures(enclave_id=enclave.pk, **year_2024)["flexible_talents"] == 1
    # year to date at the end of January 2025: neither had happened yet
    january = {"since": dt.date(2025, 1, 1), "until": dt.date(2025, 1, 31)}
    assert selectors.enclave_talent_figures(enclave_id=enclave.pk, **january) == {
        "flexible_talents": 0,
        "talent_projects_coached": 0,
    }


def test_logs_never_carry_the_clear_id(world: Any, caplog: Any) -> None:
    cat = catalogue()
    ent = world.own_enterprise
    authorise(ent, [cat["C"]], places=1)
    number = id_number(42)
    with caplog.at_level(logging.DEBUG):
        p = services.register_person(
            actor=None, name="李四", id_number=number, source="local", enterprise=ent
        )
        services.submit_self_certification(
            actor=None, enterprise=ent, person=p, basis=cat["items"]["C"], on=D
        )
        with pytest.raises(ValidationError):
            services.register_person(
                actor=None, name="李四", id_number=number, source="local", enterprise=ent
            )
    assert caplog.records and p.id_masked in caplog.text
    assert number not in caplog.text


def test_reviewers_are_proposed_by_expertise_through_the_assignment_service(world: Any) -> None:
    from tests import factories as f

    cat = catalogue()
    p = person(1, world.own_enterprise)
    Person.objects.filter(pk=p.pk).update(field="鞋底橡胶材料", title="高级工程师")
    cert = services.apply_for_certification(
        actor=None, person=p, basis=cat["items"]["A"], files=[SimpleUploadedFile("a.pdf", b"%PDF")], on=D
    )
    services.accept_application(actor=None, certification=cert)
    services.pass_first_review(actor=None, certification=cert)
    rubber = f.expert("橡胶专家")
    rubber.fields, rubber.publications = "鞋底橡胶 高分子材料", "运动鞋底橡胶耐磨配方研究"
    rubber.save()
    tea = f.expert("茶叶专家")
    tea.fields = "茶叶加工 保鲜"
    tea.save()
    rubber_user = f.user("rubber", "expert", expert=rubber)
    f.user("tea", "expert", expert=tea)
    cert.refresh_from_db()
    proposal = selectors.propose_reviewers(cert, per_cert=2)
    names = [u.username for u, _, _ in proposal.reviewers]
    assert names[0] == "rubber" and "专长匹配度" in proposal.reviewers[0][2]
    services.assign_reviewer(actor=None, certification=cert, reviewer=rubber_user)
    again = selectors.propose_reviewers(cert, per_cert=2)
    assert "rubber" not in [u.username for u, _, _ in again.reviewers]  # already on it
    assert len(again.reviewers) == 1
    assert selectors.propose_reviewers(cert, per_cert=1).reviewers == []  # the panel is full
