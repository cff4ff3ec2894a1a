"""`loudou analytics rebuild [--lead ID ...]`: recompute the ledger projections (and the
company aggregates); `loudou analytics aggregates`: recompute only the company aggregates
(ADR 0017) from the projections."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Analytics maintenance: `rebuild` recomputes the stage-ledger projections and the "
        "company aggregates; `aggregates` only the aggregates."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "aggregates"])
        parser.add_argument("--lead", type=int, action="append", dest="leads", default=None)

    def handle(self, *args, action: str, leads: list[int] | None, **options):
        from loudou.analytics.projections import rebuild
        from loudou.analytics.services import aggregates

        if action == "aggregates":
            if leads:
                raise CommandError("--lead applies to rebuild only")
            counts = aggregates.rebuild()
            self.stdout.write("rebuilt " + ", ".join(f"{n} {name}" for name, n in counts.items()))
            return
        counts = rebuild(lead_ids=leads)
        self.stdout.write(f"rebuilt {counts['stays']} stays of {counts['leads']} leads")
