"""Demands for the shared test world: one private demand of the signed-in enterprise routed to the
operator's enclave and to the signed-in expert, one private demand of another enterprise, one public one."""

from __future__ import annotations

from typing import Any

from kechuang.demands import services
from kechuang.demands.choices import Confidentiality, DemandType, TargetKind


def data(title: str, confidentiality: str = Confidentiality.PRIVATE, **kw: Any) -> services.DemandData:
    return services.DemandData(
        title=title,
        description=f"{title}：现有工艺良品率低，需要改进配方与设备参数。",
        demand_type=DemandType.TECH_BREAKTHROUGH,
        confidentiality=confidentiality,
        **kw,
    )


def demand_world(world: Any) -> None:
    staff = world.users["bureau_staff"]
    own = services.file_demand(
        actor=world.users["enterprise"],
        enterprise=world.own_enterprise,
        data=data("鞋底材料耐磨性提升（保密）"),
    )
    services.accept_demand(actor=staff, demand=own)
    services.route_demand(
        actor=staff,
        demand=own,
        targets=[(TargetKind.ENCLAVE, world.own_enclave.pk), (TargetKind.EXPERT, world.own_expert.pk)],
    )
    other = services.file_demand(
        actor=None, enterprise=world.other_enterprise, data=data("陶瓷窑炉节能改造（保密）")
    )
    public = services.file_demand(
        actor=None,
        enterprise=world.same_town_enterprise,
        data=data("服装面料抗菌整理公开需求", Confidentiality.PUBLIC),
    )
    services.accept_demand(actor=staff, demand=public)
    world.own_demand, world.other_demand, world.public_demand = own, other, public


def campaign_world(world: Any) -> None:
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from kechuang.demands.campaigns import create_campaign

    world.campaign = create_campaign(
        actor=world.users["bureau_staff"],
        values={
            "title": "2024年鞋服产业技术需求征集",
            "description": "",
            "opens_on": dt.date(2024, 3, 1),
            "deadline": dt.date(2024, 12, 31),
            "target_per_township": 10,
            "chains": [],
            "townships": [world.town],
        },
    )
    world.attachment = services.add_attachment(
        actor=world.users["enterprise"],
        demand=world.own_demand,
        upload=SimpleUploadedFile("工艺说明.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
