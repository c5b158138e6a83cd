import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from guatu import clock
from guatu.lib.periods import Period, PeriodError
from guatu.lights.queries import describe_reason, lights_by_tag, warned_list
from guatu.lights.services import lights_compute_year
from guatu.orgs.models import OrgUnit
from guatu.projects.models import Project


class Command(BaseCommand):
    help = "Compute the warning lights January to a period and print counts per level tag and the red/yellow lists."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--unit", type=int, help="org unit id (default: the root of the tree)")
        parser.add_argument("--at", help="evaluate as of this ISO date-time (default: now)")

    def handle(self, *args, period, format, unit, at, **options):
        try:
            parsed = Period.parse(period)
        except PeriodError as exc:
            raise CommandError(f"--period: {exc}") from None
        when = clock.now()
        if at:
            try:
                when = datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at: not an ISO date-time: {at!r}") from None
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
        root = (
            OrgUnit.objects.filter(pk=unit).first()
            if unit
            else OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
        )
        if root is None:
            raise CommandError("no such org unit; load data first (guatu demo)")
        lights_compute_year(unit=root, period=parsed, at=when)
        projects = Project.objects.in_unit(root)
        tags = lights_by_tag(projects, parsed)
        warned = list(warned_list(projects, parsed))
        result = {
            "period": str(parsed),
            "unit": {"id": root.pk, "name": root.name},
            "tags": [
                {
                    "tag": t.tag.code,
                    "name": t.tag.name,
                    "projects": t.projects,
                    "green": t.green,
                    "yellow": t.yellow,
                    "red": t.red,
                    "annual_plan": format_decimal(t.annual_plan),
                    "projected_year_end": format_decimal(t.projected_year_end),
                    "projected_below_plan": t.projected_below_plan,
                    "unprojected": t.unprojected,
                    "short_history": t.short_history,
                }
                for t in tags
            ],
            "warned": [
                {
                    "project_id": light.project_id,
                    "project": light.project.name,
                    "light": light.light,
                    "location": light.project.location_unit.name,
                    "reasons": [{**reason, "text": describe_reason(reason)} for reason in light.reasons],
                }
                for light in warned
            ],
        }
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{parsed} {root.name}")
        for t in result["tags"]:
            self.stdout.write(
                f"{t['name']}: {t['projects']} 个项目, 绿灯 {t['green']}, 黄灯 {t['yellow']}, 红灯 {t['red']}; "
                f"预计全年完成 {t['projected_year_end']} 万元 / 计划 {t['annual_plan']} 万元"
                + (" (预计完不成)" if t["projected_below_plan"] else "")
                + (f"；其中 {t['short_history']} 个项目按较少历史数据推算" if t["short_history"] else "")
            )
        for item in result["warned"]:
            mark = "红" if item["light"] == "red" else "黄"
            reasons = "；".join(r["text"] for r in item["reasons"])
            self.stdout.write(f"[{mark}] {item['project']}（{item['location']}）：{reasons}")


def format_decimal(value):
    return format(value, "f")
