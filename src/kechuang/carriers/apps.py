from django.apps import AppConfig


class CarriersConfig(AppConfig):
    name = "kechuang.carriers"
    verbose_name = "创新载体与园区"

    def ready(self) -> None:
        from kechuang.carriers import access

        access.register()
