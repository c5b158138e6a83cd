from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guatu.assessment.files import read_scheme, read_values, result_csv, result_json
from guatu.lib.periods import Period, PeriodError
from guatu.lib.scoring import SchemeError, ValuesError, score_scheme
from guatu.lib.scoring.engine import ScoringError


class Command(BaseCommand):
    help = "Performance assessment. `assess score` computes a scheme from files, without a database."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score", help="score a scheme (YAML) against values (CSV)")
        score.add_argument("--scheme", required=True, type=Path)
        score.add_argument("--values", required=True, type=Path)
        score.add_argument("--period", help="YYYY-MM (default: the latest period in the values file)")
        score.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, action, **options):
        if action == "score":
            self._score(**options)

    def _score(self, *, scheme, values, period, format, **_):
        for path in (scheme, values):
            if not path.exists():
                raise CommandError(f"文件不存在：{path}")
        try:
            parsed = read_scheme(scheme)
            data = read_values(values, parsed)
        except SchemeError as exc:
            raise CommandError(f"方案文件 {scheme}：{exc}") from None
        except ValuesError as exc:
            raise CommandError(f"数据文件 {values}：\n" + "\n".join(exc.errors)) from None
        if period:
            try:
                Period.parse(period)
            except PeriodError as exc:
                raise CommandError(f"--period: {exc}") from None
        else:
            periods = data.periods()
            if not periods:
                raise CommandError(f"数据文件 {values}：没有指标数据")
            period = periods[-1]
        try:
            result = score_scheme(parsed, data, period)
        except ScoringError as exc:
            raise CommandError("无法计算：\n" + "\n".join(exc.errors)) from None
        self.stdout.write(
            result_csv(parsed, result) if format == "csv" else result_json(parsed, result), ending=""
        )
