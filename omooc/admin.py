"""The admin's shared rules (a base class and mixins; this module registers no model): staff see only
the rows in their scope, and some rows are shown but change only through the services."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet


class ScopedAdmin(admin.ModelAdmin):
    """Staff see and pick only the rows in their scope (as on the studio pages; another team's rows
    do not exist for them here either); superusers see everything. A subclass says what a user's
    scope is (``scope``), which foreign key picks from it (``scope_field``) and how its rows reach it
    (``scope_lookup``)."""

    scope_field: str
    scope_lookup: str

    def scope(self, user) -> QuerySet:
        raise NotImplementedError(f"{type(self).__name__} must say what a user's scope is (scope())")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.scope_lookup}__in": self.scope(request.user).values("pk")})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.scope_field and not request.user.is_superuser:
            kwargs["queryset"] = self.scope(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ShownOnlyMixin:
    """Rows the services write (a history, processed media): the admin lists and shows them, and
    never adds or edits one."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DeleteOneByOneMixin:
    """Deleting goes through ``delete_model`` (a service) for each selected row, also from the list's
    bulk action, which would otherwise delete them in one query past the service."""

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
