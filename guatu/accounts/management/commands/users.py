"""`guatu users disable-idle [--days N] [--dry-run]`: accounts unused for GUATU_ACCOUNT_IDLE_DAYS are disabled
(run daily from cron or a timer, README)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from guatu.accounts import services


class Command(BaseCommand):
    help = "User accounts: disable-idle disables accounts not signed in for GUATU_ACCOUNT_IDLE_DAYS days."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        idle = sub.add_parser("disable-idle", help="disable accounts not signed in for the given number of days")
        idle.add_argument("--days", type=int, help="instead of GUATU_ACCOUNT_IDLE_DAYS")
        idle.add_argument("--dry-run", action="store_true", help="list them, change nothing")

    def handle(self, *args, action, days, dry_run, **options):
        days = settings.GUATU_ACCOUNT_IDLE_DAYS if days is None else days
        if not 1 <= days <= 3650:
            raise CommandError(f"--days 应为 1 到 3650 之间的天数，收到 {days}")
        found = services.users_disable_idle(days=days, dry_run=dry_run)
        for user in found:
            self.stdout.write(f"{user.username}\t{user.last_login or '从未登录'}")
        verb = "将停用" if dry_run else "已停用"
        self.stdout.write(f"{verb} {len(found)} 个连续 {days} 天未登录的账户")
