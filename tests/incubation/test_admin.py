"""The back office: rubric criteria are edited in the admin and their weights must add up to 100;
making another rubric the default leaves exactly one default."""

from __future__ import annotations

from typing import Any

from kechuang.incubation import services
from kechuang.incubation.models import Rubric


def rubric_post(name: str, weights: list[int], *, default: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "admission_line": "75",
        "criteria-TOTAL_FORMS": str(len(weights)),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    if default:
        data["make_default"] = "on"
    for i, weight in enumerate(weights):
        data.update(
            {
                f"criteria-{i}-code": f"c{i}",
                f"criteria-{i}-name": f"评分项{i}",
                f"criteria-{i}-weight": str(weight),
                f"criteria-{i}-max_score": "100",
                f"criteria-{i}-sort_order": str(i),
            }
        )
    return data


def test_rubric_weights_must_add_up_in_the_admin(client_for: Any, world: Any) -> None:
    admin = client_for("bureau_admin")
    response = admin.post("/admin/incubation/rubric/add/", rubric_post("技术型项目评分表", [40, 40]))
    assert response.status_code == 200 and "各评分项权重之和应为100，当前为80" in response.content.decode()
    assert not Rubric.objects.filter(name="技术型项目评分表").exists()
    first = services.default_rubric()
    response = admin.post(
        "/admin/incubation/rubric/add/", rubric_post("技术型项目评分表", [60, 40], default=True)
    )
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "errorlist" in line or "errornote" in line
    ]
    new = Rubric.objects.get(name="技术型项目评分表")
    assert new.is_default and not Rubric.objects.get(pk=first.pk).is_default
    assert services.default_rubric() == new
    assert admin.get("/admin/incubation/project/").status_code == 200
    assert admin.get("/admin/incubation/eliminationrules/add/").status_code == 200
