from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "production"
    verbose_name = _("Production")

    def ready(self) -> None:
        from courses.permissions import studio_scope_register
        from omooc.mail import outbox_register

        from .access import studio_courses_for
        from .outbox.calendar_messages import on_item_changed
        from .outbox.mail_port import outbox_queue
        from .scheduling.events import subscribe

        studio_scope_register(studio_courses_for)
        # Every email goes through this app's outbox, the ones ``courses`` sends included (ADR 0014).
        outbox_register(outbox_queue)
        # Calendar messages and reminders follow every committed session/pre-talk change (ADR 0019).
        subscribe(on_item_changed)
