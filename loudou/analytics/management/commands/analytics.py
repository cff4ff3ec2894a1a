"""`loudou analytics rebuild [--lead ID ...]`: recompute the ledger projections."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Analytics maintenance: `rebuild` recomputes the stage-ledger projections."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--lead", type=int, action="append", dest="leads", default=None)

    def handle(self, *args, action: str, leads: list[int] | None, **options):
        from loudou.analytics.projections import rebuild

        if action != "rebuild":
            raise CommandError(action)
        counts = rebuild(lead_ids=leads)
        self.stdout.write(f"rebuilt {counts['stays']} stays of {counts['leads']} leads")
