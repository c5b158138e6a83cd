from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guatu.bulletins.build import FORMATS, build_bulletin
from guatu.bulletins.pdf import ConversionError
from guatu.lib.periods import Period, PeriodError
from guatu.orgs.models import OrgUnit


class Command(BaseCommand):
    help = "Write the progress bulletin (通报) of a unit for a month or a quarter as .docx, .xlsx or .pdf."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM: January to that month")
        parser.add_argument(
            "--quarter", action="store_true", help="the quarterly bulletin of the month's quarter (一季度 …)"
        )
        parser.add_argument("--unit", type=int, help="org unit id (default: the root of the tree)")
        parser.add_argument("--format", choices=FORMATS, default="docx")
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args, period, quarter, unit, format, output, **options):
        try:
            parsed = Period.parse(period)
        except PeriodError as exc:
            raise CommandError(f"--period: {exc}") from None
        if unit is not None:
            root = OrgUnit.objects.filter(pk=unit).first()
            if root is None:
                raise CommandError(f"--unit: 没有编号为 {unit} 的单位")
        else:
            root = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
            if root is None:
                raise CommandError("没有任何单位：请先导入数据（guatu demo）")
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"--output: 文件夹 {target.parent} 不存在")
        try:
            built = build_bulletin(root, parsed, fmt=format, quarterly=quarter)
        except ConversionError as exc:
            raise CommandError(str(exc)) from None
        target.write_bytes(built.content)
        self.stdout.write(f"{target}（{built.filename}，{len(built.content)} 字节）")
