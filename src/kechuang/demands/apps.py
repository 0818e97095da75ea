from django.apps import AppConfig


class DemandsConfig(AppConfig):
    name = "kechuang.demands"
    verbose_name = "技术需求"

    def ready(self) -> None:
        from kechuang.demands import access, imports, matching

        access.register()
        imports.register()
        matching.register()
