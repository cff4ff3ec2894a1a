"""Every write of imports: jobs (upload, mapping, preview, run, revert)."""

from loudou.imports.services.jobs import (
    analyse_job,
    create_job,
    ensure_read,
    preview,
    restart_stalled_analyses,
    saved_mapping,
    set_mapping,
    start_job,
)
from loudou.imports.services.run import resume_job, revert_job, run_job
from loudou.imports.services.values import value_table

__all__ = [
    "analyse_job",
    "create_job",
    "ensure_read",
    "preview",
    "restart_stalled_analyses",
    "resume_job",
    "revert_job",
    "run_job",
    "saved_mapping",
    "set_mapping",
    "start_job",
    "value_table",
]
