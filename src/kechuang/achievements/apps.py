from django.apps import AppConfig


class AchievementsConfig(AppConfig):
    name = "kechuang.achievements"
    verbose_name = "科技成果"

    def ready(self) -> None:
        from kechuang.achievements import matching

        matching.register()
