from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "kechuang.events"
    verbose_name = "对接活动"
