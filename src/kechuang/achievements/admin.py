from django.contrib import admin

from kechuang.achievements.models import Achievement
from kechuang.orgs.admin import SoftDeleteAdmin


@admin.register(Achievement)
class AchievementAdmin(SoftDeleteAdmin):
    list_display = ["title", "category", "discipline", "maturity", "is_public"]
    list_filter = ["category", "maturity", "is_public"]
    search_fields = ["title", "abstract"]
    raw_id_fields = ["institution"]
    filter_horizontal = ["experts"]
