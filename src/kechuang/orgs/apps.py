from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "kechuang.orgs"
    verbose_name = "创新主体库"

    def ready(self) -> None:
        from kechuang.orgs import matching

        matching.register()
