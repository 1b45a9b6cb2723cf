"""Compile the .po catalogues to .mo with polib, so set-up needs no GNU gettext."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po under the project to .mo (pure Python)."

    def handle(self, *args, **options) -> None:
        roots = [Path(p) for p in settings.LOCALE_PATHS]
        roots += [Path(settings.BASE_DIR) / app / "locale" for app in ("courses", "production", "omooc")]
        count = 0
        for root in roots:
            for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
                name = po_path.relative_to(settings.BASE_DIR)
                self.stdout.write(f"compiled {name} ({catalogue.percent_translated()}% translated)")
        noun = "catalogue" if count == 1 else "catalogues"
        self.stdout.write(self.style.SUCCESS(f"{count} {noun} compiled"))
