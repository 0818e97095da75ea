from django.apps import AppConfig


class CommissionersConfig(AppConfig):
    name = "kechuang.commissioners"
    verbose_name = "科技特派员"

    def ready(self) -> None:
        from kechuang.commissioners import access

        access.register()
