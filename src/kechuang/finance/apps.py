from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "kechuang.finance"
    verbose_name = "科技金融"

    def ready(self) -> None:
        from kechuang.finance import access

        access.register()
