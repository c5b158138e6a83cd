from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "guatu.jobs"
    label = "jobs"

    def ready(self) -> None:
        # Job kinds live in each app's `jobs.py` (as admin.py does for the admin) and register themselves
        # with @job_kind when imported; importing them here lets the worker run every kind the site offers.
        from guatu.jobs import kinds  # noqa: F401  (the jobs app's own kinds)

        autodiscover_modules("jobs")
