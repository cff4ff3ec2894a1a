from django.contrib import admin

from loudou.imports.models import ColumnMapping, ImportJob, ValueMapping


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "original_name",
        "user",
        "status",
        "total",
        "imported",
        "rejected",
        "warned",
    ]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ["user", "header", "field"]


@admin.register(ValueMapping)
class ValueMappingAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "field", "raw", "target"]
