"""Background tasks of matching, run by `manage.py db_worker` (django.tasks with django-tasks-db's backend)."""

from django.tasks import task

from matching.runs import assignment_run_perform


@task()
def assignment_run_execute(run_id: int) -> None:
    """Perform a queued assignment run; its progress and outcome are written on the run's row."""
    assignment_run_perform(run_id=run_id)
