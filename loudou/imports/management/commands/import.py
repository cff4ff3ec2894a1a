"""`loudou import FILE`: the same import as the UI, synchronously, with a summary."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from loudou.imports import services
from loudou.imports.exceptions import ImportFileError
from loudou.imports.mapping import load_mapping_file
from loudou.imports.models import ImportJob
from loudou.imports.selectors import top_reasons
from loudou.org.choices import Role
from loudou.org.models import User


class Command(BaseCommand):
    help = (
        "Import leads (or, with --kind, customers or contacts) from a .csv or .xlsx file "
        "(exit code 1 when nothing was imported); "
        "--resume JOB_ID continues an interrupted import after its last committed batch."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--resume", type=int, metavar="JOB_ID", help="continue a job")
        parser.add_argument(
            "--mapping",
            help='JSON file {"列名": "field", ...} or '
            '{"columns": {"列名": "field"}, "values": {"列名": {"值": "target"}}}',
        )
        parser.add_argument(
            "--kind",
            choices=["leads", "customers", "contacts"],
            default="leads",
            help="what the rows become (default: leads)",
        )
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--owner", help="username of the owner of every imported lead")
        target.add_argument("--pool", action="store_true", help="import into the pool (公海)")
        parser.add_argument("--encoding", help="utf-8, gbk, gb18030 (default: detected)")
        parser.add_argument("--delimiter", help="CSV delimiter (default: detected)")
        parser.add_argument("--as", dest="actor", help="the importer (default: first admin)")
        parser.add_argument("--dry-run", action="store_true", help="validate, write nothing")
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, **options) -> None:
        if (options["file"] is None) == (options["resume"] is None):
            raise CommandError("give either FILE or --resume JOB_ID")
        try:
            job = self._job(options)
            if options["dry_run"]:
                self._dry_run(job)
                return
            job = services.run_job(
                job=job, batch_size=options["batch_size"], on_progress=self._progress
            )
        except ImportFileError as error:
            raise CommandError(f"[{error.code}] {error.message}") from error
        except (ValidationError, PermissionDenied) as error:
            raise CommandError("; ".join(getattr(error, "messages", [str(error)]))) from error
        self._summary(job)
        if job.status == "failed" or (job.imported + job.merged + job.duplicates) == 0:
            raise CommandError("nothing was imported")

    def _job(self, options):
        if options["resume"] is not None:
            job = ImportJob.objects.filter(pk=options["resume"]).first()
            if job is None:
                raise CommandError(f"no import job {options['resume']}")
            self.stdout.write(f"resuming job #{job.pk} after row {job.progress}/{job.total}")
            return job
        actor = self._user(options["actor"]) if options["actor"] else self._first_admin()
        owner = self._user(options["owner"]) if options["owner"] else None
        return self._prepare(actor, owner, options)

    def _prepare(self, actor, owner, options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        with path.open("rb") as handle:
            job = services.create_job(
                actor=actor,
                upload=handle,
                original_name=path.name,
                encoding=options["encoding"],
                delimiter=options["delimiter"],
                kind=options["kind"],
            )
        mapping, values = job.mapping, None
        if options["mapping"]:
            mapping, values = load_mapping_file(options["mapping"])
        self.stdout.write(f"{path.name}: {job.encoding or 'xlsx'}, columns {mapping}")
        job = services.set_mapping(
            actor=actor,
            job=job,
            mapping=mapping,
            owner=owner,
            to_pool=options["pool"],
            remember=False,
            values=values,
        )
        for column, table in job.value_mapping.items():
            self.stdout.write(f"  values of {column}: {table}")
        return job

    def _dry_run(self, job) -> None:
        rows = services.preview(job=job)
        for row in rows:
            self.stdout.write(f"  line {row['line']}: {row['outcome']} {row['reason']}")
        self.stdout.write(f"dry run: {job.total} rows, nothing written")

    def _progress(self, job):
        self.stdout.write(f"  {job.progress}/{job.total} rows", ending="\r")
        self.stdout.flush()

    def _summary(self, job):
        self.stdout.write("")
        self.stdout.write(
            f"{job.status}: {job.total} rows — imported {job.imported}, merged {job.merged}, "
            f"already present {job.duplicates}, rejected {job.rejected}, "
            f"with a warning {job.warned} (job #{job.pk})"
        )
        if job.error:
            self.stderr.write(job.error)
        for reason, count in top_reasons(job):
            self.stdout.write(f"  {count:>6} × {reason}")

    def _user(self, username):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user

    def _first_admin(self):
        user = (
            User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk").first()
            or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
        )
        if user is None:
            raise CommandError("no administrator: pass --as USERNAME")
        return user
