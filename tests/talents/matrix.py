"""Permission cases for the talents app's routes (collected by tests/test_permission_matrix.py).

The bureau sees every talent; an enterprise its own staff and certifications (another's are 404); an
expert the certifications it is assigned; publicity is for everyone signed in; verification for everyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.matrix_support import BUREAU, SIGNED_IN, Case, expect, u

VIEW = BUREAU | {"enterprise"}
CERT = BUREAU | {"enterprise", "expert"}

CASES: list[Case] = [
    Case("talents:list", u("talents:list"), expect(VIEW)),
    Case("talents:person_create", u("talents:person_create"), expect(VIEW)),
    Case("talents:person_detail", u("talents:person_detail", lambda w: w.own_talent.pk), expect(VIEW)),
    Case(
        "talents:person_detail other",
        u("talents:person_detail", lambda w: w.other_talent.pk),
        expect(VIEW, scoped_out={"enterprise"}),
    ),
    Case("talents:person_apply", u("talents:person_apply", lambda w: w.own_talent.pk), expect(VIEW)),
    Case(
        "talents:person_apply other",
        u("talents:person_apply", lambda w: w.other_talent.pk),
        expect(VIEW, scoped_out={"enterprise"}),
    ),
    Case("talents:self_cert", u("talents:self_cert"), expect({"enterprise"})),
    Case("talents:cert_detail", u("talents:cert_detail", lambda w: w.own_review.pk), expect(CERT)),
    Case(
        "talents:cert_detail other",
        u("talents:cert_detail", lambda w: w.other_cert.pk),
        expect(CERT, scoped_out={"enterprise", "expert"}),
    ),
    Case("talents:cert_act", u("talents:cert_act", lambda w: w.own_review.pk), expect(BUREAU, ok=302)),
    Case(
        "talents:cert_enterprise_act",
        u("talents:cert_enterprise_act", lambda w: w.own_publicity.pk),
        expect({"enterprise"}, ok=302),
    ),
    Case(
        "talents:cert_enterprise_act other",
        u("talents:cert_enterprise_act", lambda w: w.other_cert.pk),
        expect({"enterprise"}, scoped_out={"enterprise"}),
    ),
    Case(
        "talents:cert_score",
        u("talents:cert_score", lambda w: w.own_review.pk),
        expect(BUREAU | {"expert"}, scoped_out=BUREAU),  # the bureau is not assigned to score it
    ),
    Case(
        "talents:objection_file", u("talents:objection_file", lambda w: w.own_publicity.pk), expect(SIGNED_IN)
    ),
    Case(
        "talents:certificate",
        u("talents:certificate", lambda w: w.own_certified.pk),
        expect(CERT, scoped_out={"expert"}),
    ),
    Case(
        "talents:evidence_download",
        u("talents:evidence_download", lambda w: w.own_talent_evidence.pk),
        expect(CERT),
    ),
    Case("talents:queue", u("talents:queue"), expect(BUREAU)),
    Case(
        "talents:objection_decide",
        u("talents:objection_decide", lambda w: w.open_objection.pk),
        expect(BUREAU),
    ),
    Case("talents:reviews", u("talents:reviews"), expect(BUREAU | {"expert"})),
    Case("talents:publicity", u("talents:publicity"), expect(SIGNED_IN)),
    Case(
        "talents:verify_form",
        u("talents:verify_form"),
        expect(set(), public_ok=True) | {r: 200 for r in SIGNED_IN},
    ),
    Case(
        "talents:verify",
        u("talents:verify", lambda w: w.own_certified.certificate_no),
        expect(set(), public_ok=True) | {r: 200 for r in SIGNED_IN},
    ),
    Case("talents:expiring", u("talents:expiring"), expect(VIEW)),
    Case("talents:authorizations", u("talents:authorizations"), expect(BUREAU)),
    Case(
        "talents:authorization_edit",
        u("talents:authorization_edit", lambda w: w.own_authorization.pk),
        expect(BUREAU),
    ),
    Case("talents:quota_rules", u("talents:quota_rules"), expect(BUREAU)),
    Case("talents:catalogue", u("talents:catalogue"), expect(BUREAU)),
    Case("talents:reports", u("talents:reports"), expect(BUREAU)),
]


def setup(world: Any) -> None:
    """Add the objects these cases need to the shared matrix world."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from kechuang.talents import services
    from tests.talents.support import authorise, catalogue, person

    w = world
    today = timezone.localdate()
    cat = catalogue()
    w.own_authorization = authorise(w.own_enterprise, [cat["C"], cat["D"]], places=5, year=today.year)
    w.own_talent = person(901, w.own_enterprise, on=today)
    w.other_talent = person(902, w.other_enterprise, on=today)
    certified = person(903, w.own_enterprise, on=today)
    publicity = person(904, w.own_enterprise, on=today)
    start = today - dt.timedelta(days=20)
    cert = services.submit_self_certification(
        actor=None, enterprise=w.own_enterprise, person=certified, basis=cat["items"]["C"], on=start
    )
    w.own_certified = services.certify(actor=None, certification=cert, on=today - dt.timedelta(days=1))
    w.own_publicity = services.submit_self_certification(
        actor=None, enterprise=w.own_enterprise, person=publicity, basis=cat["items"]["D"], on=today
    )
    w.open_objection = services.file_objection(
        actor=w.users["investor"], certification=w.own_publicity, reason="测试异议：材料待核实", on=today
    )
    w.own_review = services.apply_for_certification(
        actor=w.users["enterprise"],
        person=w.own_talent,
        basis=cat["items"]["A"],
        files=[SimpleUploadedFile("证明.pdf", b"%PDF-1.4 matrix")],
        on=today,
    )
    w.own_talent_evidence = w.own_review.evidence.get()
    services.accept_application(actor=None, certification=w.own_review)
    services.pass_first_review(actor=None, certification=w.own_review)
    services.assign_reviewer(actor=None, certification=w.own_review, reviewer=w.users["expert"])
    w.other_cert = services.apply_for_certification(
        actor=None,
        person=w.other_talent,
        basis=cat["items"]["C"],
        files=[SimpleUploadedFile("证明.pdf", b"%PDF-1.4 other")],
        on=today,
    )
