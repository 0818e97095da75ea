from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kechuang.notifications"
    verbose_name = "站内通知"
