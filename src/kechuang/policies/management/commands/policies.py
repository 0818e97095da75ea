"""`kechuang policies evaluate|check` (no database) and `import|export` (library versions, database).

`evaluate --input ENTERPRISE.json [--library FILE.json] [--json]` uses the shipped library unless told.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kechuang.policies.library import library_from_file, shipped_library
from kechuang.policies.rules import (
    RESULT_LABELS,
    FactsError,
    FormulaError,
    LibraryError,
    explain,
    facts_from_json,
)


class Command(BaseCommand):
    help = (
        "惠企政策：按企业数据逐条评价政策措施（不需要数据库）。Evaluate policy measures for one enterprise."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("evaluate", help="评价一家企业符合哪些措施")
        evaluate.add_argument("--input", required=True, help="企业数据 JSON 文件（格式见 docs/policies.md）")
        evaluate.add_argument("--library", default="", help="政策库 JSON 文件（默认用平台内置政策库）")
        evaluate.add_argument("--measure", action="append", default=[], help="只评价这些措施 id（可重复）")
        evaluate.add_argument("--json", action="store_true", help="输出 JSON")
        check = sub.add_parser("check", help="检查政策库文件，逐行列出错误")
        check.add_argument("library")
        imported = sub.add_parser("import", help="检查并导入政策库文件，成为平台现行的新版本（需要数据库）")
        imported.add_argument("library")
        imported.add_argument("--note", required=True, help="修改说明")
        export = sub.add_parser("export", help="导出平台现行政策库（需要数据库）")
        export.add_argument("output", nargs="?", default="-", help="输出文件（默认打印）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] in ("import", "export"):
            self._versions(options)
            return
        try:
            if options["action"] == "check":
                library = library_from_file(options["library"])
                self.stdout.write(
                    f"政策库无误：{len(library.policies)} 项政策，{len(library.measures)} 项措施"
                )
                return
            library = library_from_file(options["library"]) if options["library"] else shipped_library()
            raw = json.loads(Path(options["input"]).read_text(encoding="utf-8"))
            facts = facts_from_json(raw)
            result = explain(library, facts, measures=options["measure"] or None)
        except OSError as exc:
            raise CommandError(f"无法读取文件：{exc}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"企业数据文件第{exc.lineno}行：JSON 格式错误（{exc.msg}）") from exc
        except (LibraryError, FactsError) as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        except FormulaError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"{result['enterprise'] or '企业'}（数据年度 {result['data_year']}）")
        for m in result["measures"]:
            amount = f"  约 {m['amount_yuan']:,} 元" if m["amount_yuan"] is not None else ""
            nearly = "（接近）" if m["nearly"] else ""
            self.stdout.write(f"\n[{RESULT_LABELS[m['result']]}{nearly}] {m['title']}{amount}")
            for c in m["conditions"]:
                self.stdout.write(f"  - {RESULT_LABELS[c['result']]}：{c['text']}（{c['cites']}）")
                if c["gap"]:
                    self.stdout.write(f"      {c['gap']}")

    def _versions(self, options: dict[str, Any]) -> None:
        """Import and export go through the same service and selector as the staff page."""
        from django.core.exceptions import ValidationError

        from kechuang.policies import selectors, services
        from kechuang.policies.models import LibraryVersion

        if options["action"] == "export":
            document = selectors.library_document_in_force()
            if options["output"] == "-":
                self.stdout.write(document)
            else:
                Path(options["output"]).write_text(document, encoding="utf-8")
                self.stdout.write(f"已导出到 {options['output']}")
            return
        try:
            text = Path(options["library"]).read_text(encoding="utf-8-sig")
            version = services.save_library_version(
                actor=None, document=text, source=LibraryVersion.Source.IMPORT, note=options["note"]
            )
        except OSError as exc:
            raise CommandError(f"无法读取文件：{exc}") from exc
        except (LibraryError, ValidationError) as exc:
            raise CommandError("未导入，现行版本未改变：\n" + "\n".join(exc.messages)) from exc
        changed = "、".join(version.changed_measures)
        self.stdout.write(f"已导入为{version}，变更措施：{changed}")
