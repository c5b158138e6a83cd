from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from guatu import clock
from guatu.dispatch.services import escalate_overdue_problems, notify_due_soon


class Command(BaseCommand):
    help = (
        "Escalate open problems past their deadline one tier and send due-soon reminders. Idempotent: run it "
        "from cron, e.g. every hour: `0 * * * * cd /srv/guatu && .venv/bin/guatu escalate`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", help="act as of this ISO date-time (default: now)")

    def handle(self, *args, at, **options):
        when = clock.now()
        if at:
            try:
                when = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at: not an ISO date-time: {at!r}") from None
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
        escalations = escalate_overdue_problems(at=when)
        reminders = notify_due_soon(at=when)
        for e in escalations:
            self.stdout.write(
                f"problem {e.problem_id}: tier {e.from_tier} → {e.to_tier} (missed {e.deadline_missed})"
            )
        self.stdout.write(f"{len(escalations)} escalated, {reminders} reminders sent")
