from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kechuang.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "display_name", "township", "organization", "enclave", "expert"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organization", "expert"]
