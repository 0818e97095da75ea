"""The library as versioned data: staff edit a measure or import a file; errors refuse the whole change."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kechuang.policies import selectors, services
from kechuang.policies.library import SHIPPED_LIBRARY
from kechuang.policies.models import LibraryVersion
from tests import factories as f

EDIT = reverse("policies:measure_edit")
LIBRARY = reverse("policies:library")


def _staff() -> tuple[Any, Client]:
    user = f.user("staff", "bureau_staff")
    client = Client()
    client.force_login(user)
    return user, client


def _measure(measure_id: str) -> dict[str, Any]:
    document = json.loads(SHIPPED_LIBRARY.read_text(encoding="utf-8"))
    return next(m for m in document["measures"] if m["id"] == measure_id)


def test_staff_edit_a_measure_and_the_next_round_uses_the_new_version(db: Any) -> None:
    user, client = _staff()
    page = client.get(EDIT, {"measure": "demo.rd_subsidy"}).content.decode()
    assert "rd_increment" in page and "尚无修改记录" not in page

    measure = _measure("demo.rd_subsidy")
    measure["amount"]["formula"] = "min(0.20 * rd_increment, 50)"
    saved = client.post(
        EDIT, {"measure_text": json.dumps(measure, ensure_ascii=False), "note": "比例调为20%"}
    )
    assert saved.status_code == 302
    version = LibraryVersion.objects.get()
    assert (version.number, version.changed_measures, version.created_by) == (1, ["demo.rd_subsidy"], user)
    number, library = selectors.library_in_force()
    assert number == 1 and library.measure("demo.rd_subsidy").raw["amount"]["formula"].startswith("min(0.20")

    town = f.township("陈埭镇")
    ent = f.enterprise("甲鞋业", town=town)
    f.figure(ent, 2023, "10000", "300")
    f.figure(ent, 2024, "12000", "500")
    ent.figures.filter(year=2024).update(major_incident=False)
    round_ = services.start_round(
        actor=user,
        measure_id="demo.rd_subsidy",
        year=2024,
        deadline=timezone.localdate() + dt.timedelta(days=9),
    )
    assert round_.library_number == 1
    assert round_.candidates.get().amount_yuan == 400_000  # 20% of a 200万 increment

    listing = client.get(LIBRARY).content.decode()
    assert "第1版（现行）" in listing and "比例调为20%" in listing
    downloaded = client.get(LIBRARY, {"format": "json", "version": "1"})
    assert "min(0.20 * rd_increment, 50)" in downloaded.content.decode()


def test_a_bad_edit_is_refused_whole_and_keeps_what_was_typed(db: Any) -> None:
    _, client = _staff()
    measure = _measure("demo.rd_subsidy")
    measure["conditions"][0]["value"] = "rd_spendd"
    measure["conditions"][0]["op"] = "大约"
    typed = json.dumps(measure, ensure_ascii=False)
    page = client.post(EDIT, {"measure_text": typed, "note": "试改"})
    body = page.content.decode()
    assert page.status_code == 200 and "未能保存" in body
    assert "rd_spendd" in body and "大约" in body  # both problems listed, the text kept
    broken = client.post(EDIT, {"measure_text": '{"id": "x",\n "title": }', "note": "试改"}).content.decode()
    assert "第2行" in broken
    unchanged = client.post(
        EDIT, {"measure_text": json.dumps(_measure("hnte.certification")), "note": "无改动"}
    )
    assert "与现行版本相同" in unchanged.content.decode()
    no_note = client.post(
        EDIT, {"measure_text": typed.replace("rd_spendd", "rd_spend").replace("大约", "以上")}
    )
    assert "请填写修改说明" in no_note.content.decode()
    assert not LibraryVersion.objects.exists()


def test_a_library_file_with_errors_is_refused_whole(db: Any) -> None:
    _, client = _staff()
    document = json.loads(SHIPPED_LIBRARY.read_text(encoding="utf-8"))
    document["measures"][0]["conditions"][0]["threshold"] = "1 +"
    document["measures"][1]["policy"] = "no-such-policy"
    text = json.dumps(document, ensure_ascii=False, indent=1)
    upload = SimpleUploadedFile("library.json", text.encode(), content_type="application/json")
    body = client.post(LIBRARY, {"document": upload, "note": "导入"}).content.decode()
    assert "未能导入" in body and "no-such-policy" in body and body.count("<li>") >= 2
    assert not LibraryVersion.objects.exists()
    gbk = SimpleUploadedFile("library.json", "政策".encode("gbk"), content_type="application/json")
    assert "UTF-8" in client.post(LIBRARY, {"document": gbk, "note": "导入"}).content.decode()


def test_command_line_imports_and_exports_versions(db: Any, tmp_path: Path) -> None:
    document = json.loads(SHIPPED_LIBRARY.read_text(encoding="utf-8"))
    document["measures"] = [m for m in document["measures"] if m["id"] != "demo.hnte_renew"]
    path = tmp_path / "library.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("policies", "import", str(path), "--note", "删去复审奖励", stdout=out)
    assert "第1版" in out.getvalue() and "demo.hnte_renew" in out.getvalue()
    exported = tmp_path / "out.json"
    call_command("policies", "export", str(exported), stdout=io.StringIO())
    assert "demo.hnte_renew" not in exported.read_text(encoding="utf-8")
    path.write_text('{"policies": []', encoding="utf-8")
    with pytest.raises(CommandError, match="未导入"):
        call_command("policies", "import", str(path), "--note", "坏文件")
    assert LibraryVersion.objects.count() == 1
