from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that change only through the services (which check roles and write the audit
    log): shown in the admin without add, change or delete rights."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """The records a service wrote about its parent (opinions, exceptions, deliveries), listed
    without add or delete rights."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False
