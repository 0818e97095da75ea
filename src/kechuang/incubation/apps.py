from django.apps import AppConfig


class IncubationConfig(AppConfig):
    name = "kechuang.incubation"
    verbose_name = "项目孵化"

    def ready(self) -> None:
        from kechuang.incubation import access

        access.register()
