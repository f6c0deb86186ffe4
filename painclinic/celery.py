"""The Celery app. Configuration comes from Django settings (``CELERY_*``).

Two queues (issue #16): the default queue (``CELERY_QUEUE``, "painclinic") carries the jobs whose
results a clinician waits for (statistics, links, sweeps); the plots queue ("<default>-plots",
"painclinic-plots") carries the drawing (SCED plots, chart pre-renders), so a burst of plots never
stands in front of the next analysis. Every worker command in the repo consumes both; Compose
also runs a worker for the plots queue alone.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painclinic.settings")

# DjangoTask gives every task `delay_on_commit()`: enqueue only after the transaction commits
# (Celery >= 5.4; shared/STYLE.md §3.5).
app = Celery("painclinic", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The drawing jobs, by task name (strings: the bottom layer imports no clinical app).
PLOT_TASKS = frozenset(
    {
        "sced.tasks.render_plots",
        "assessment.tasks.prerender_charts",
        "medicines.tasks.prerender_charts",
        "treatment.tasks.prerender_charts",
    }
)


def plots_queue(default_queue: str | None = None) -> str:
    """The plots queue that goes with a default queue: "painclinic" -> "painclinic-plots". Named
    after the default queue so a worker on a queue of its own (tests, a second deployment on one
    Redis) has its own plots queue too."""
    return f"{default_queue or app.conf.task_default_queue}-plots"


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router: plot jobs to the plots queue, everything else to the default queue."""
    if name in PLOT_TASKS:
        return {"queue": plots_queue()}
    return None


app.conf.task_routes = (route_task,)
