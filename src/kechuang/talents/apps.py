from django.apps import AppConfig


class TalentsConfig(AppConfig):
    name = "kechuang.talents"
    verbose_name = "人才认定"

    def ready(self) -> None:
        from kechuang.talents import access

        access.register()
