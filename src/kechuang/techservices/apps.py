from django.apps import AppConfig


class TechServicesConfig(AppConfig):
    name = "kechuang.techservices"
    verbose_name = "科技服务"

    def ready(self) -> None:
        from kechuang.techservices import access

        access.register()
