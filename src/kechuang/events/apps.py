from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "kechuang.events"
    verbose_name = "对接活动"

    def ready(self) -> None:
        from kechuang.events import access

        access.register()
