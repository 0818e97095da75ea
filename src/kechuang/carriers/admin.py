from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kechuang.carriers.models import Building, Carrier, Lease, SpaceUnit


@admin.register(Carrier)
class CarrierAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "level", "operator", "township")
    list_filter = ("kind", "level")
    search_fields = ("name", "operator")


@admin.register(Building)
class BuildingAdmin(SimpleHistoryAdmin):
    list_display = ("name", "carrier", "floors")
    search_fields = ("name", "carrier__name")


@admin.register(SpaceUnit)
class SpaceUnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "building", "area_m2", "use", "rent_yuan_m2_month")
    list_select_related = ("building__carrier",)
    search_fields = ("code", "building__name", "building__carrier__name")


@admin.register(Lease)
class LeaseAdmin(SimpleHistoryAdmin):
    """Read in the back office; leases are signed through the service, which refuses overlaps."""

    list_display = ("tenant_name", "unit", "starts_on", "ends_on", "ended_early_on", "graduated")
    list_select_related = ("unit__building__carrier",)
    search_fields = ("tenant_name",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
