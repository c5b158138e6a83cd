"""`guatu audit verify | seal | purge`: the audit log's hash chain and its retention."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from guatu.audit import chain, events, guards


class Command(BaseCommand):
    help = "The audit log: verify its hash chain, seal events left waiting, purge what is past retention."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute the hash chain; names the first broken record (exit 1)")
        sub.add_parser("seal", help="seal events a crash left waiting (normally sealed as they commit)")
        purge = sub.add_parser(
            "purge", help="remove events older than the retention (GUATU_AUDIT_RETENTION_DAYS)"
        )
        purge.add_argument("--days", type=int, help="keep this many days instead (at least 184)")
        purge.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action.replace('-', '_')}")(**options)

    def _verify(self, **_):
        chain.seal_pending()
        result = chain.verify()
        if result.ok:
            self.stdout.write(
                f"审计日志完整：已核验 {result.checked} 条记录，链头 {result.head_hash}"
                + (f"；另有 {result.pending} 条待封存" if result.pending else "")
            )
            return
        event = result.broken_event
        where = (
            f"记录 #{event.pk}（{timezone.localtime(event.at):%Y-%m-%d %H:%M:%S} {event.action} "
            f"{event.object_type}#{event.object_id}）"
            if event is not None
            else f"封存 #{result.broken_seal.pk}（记录 #{result.broken_seal.event_id}）"
        )
        raise CommandError(
            f"审计日志链断开：第一处在{where}：{result.why}。此前 {result.checked} 条核验无误。"
        )

    def _seal(self, **_):
        self.stdout.write(f"已封存 {chain.seal_pending()} 条记录")

    def _purge(self, *, days, dry_run, **_):
        days = settings.GUATU_AUDIT_RETENTION_DAYS if days is None else days
        if days < guards.FLOOR_DAYS:
            raise CommandError(f"审计日志至少保存 {guards.FLOOR_DAYS} 天（六个月），不能只保留 {days} 天")
        before = timezone.now() - timedelta(days=days)
        if dry_run:
            count = chain.purgeable(before)
            self.stdout.write(f"将删除 {before:%Y-%m-%d} 以前的 {count} 条记录（试运行，未删除）")
            return
        removed, kept_from = chain.purge(before)
        events.audit_purged(removed=removed, before=before, kept_from=kept_from)
        self.stdout.write(f"已删除 {before:%Y-%m-%d} 以前的 {removed} 条记录")
