import json

from django.core.management.base import BaseCommand, CommandError

from guatu.investment.briefing import briefing_for
from guatu.lib.periods import Period, PeriodError
from guatu.orgs.models import OrgUnit


class Command(BaseCommand):
    help = "Print the bulletin paragraph on key-project investment for a period (root unit)."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM: January to that month")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--unit", type=int, help="org unit id (default: the root of the tree)")

    def handle(self, *args, period, format, unit, **options):
        try:
            parsed = Period.parse(period)
        except PeriodError as exc:
            raise CommandError(f"--period: {exc}") from None
        root = (
            OrgUnit.objects.filter(pk=unit).first()
            if unit
            else OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
        )
        if root is None:
            raise CommandError("no such org unit; load data first (guatu demo)")
        result = briefing_for(root, parsed)
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(result["sentence"] or "（该期间没有重点项目数据）")
