import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from guatu.demo import data
from guatu.demo.dates import as_on
from guatu.demo.loader import (
    DemoError,
    delete_demo,
    demo_logins,
    ensure_demo_users,
    load_demo,
    loaded_root,
    missing_demo_users,
)
from guatu.projects.models import Project


class Command(BaseCommand):
    help = (
        "Load the demo data (Lengshuijiang 冷水江市, 2022) and one demo user per role. Running it again changes "
        "nothing; --reset deletes the demo data and loads it again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="delete everything the demo loaded, then load it again"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="create the demo users even when DEBUG is off (they share one password)",
        )

    def handle(self, *args, reset, force, **options):
        started = time.perf_counter()
        users_allowed = settings.DEBUG or force
        try:
            # As on the demo's day, whatever the real date: nothing the demo writes is dated after it.
            with as_on(data.DEMO_DAY), transaction.atomic():
                deleted = delete_demo() if reset else None
                loaded = load_demo(with_users=users_allowed)
                root = loaded_root()
                created_users = (loaded.users or []) if loaded else []
                created_users += ensure_demo_users(root) if users_allowed else []
                users_refused = not users_allowed and bool(missing_demo_users())
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(
                _("The demo could not be loaded: %(error)s") % {"error": "; ".join(exc.messages)}
            ) from None
        seconds = time.perf_counter() - started

        if deleted:
            self.stdout.write(
                _(
                    "Deleted the demo data: %(projects)d projects, %(reports)d monthly reports, %(units)d org units, "
                    "%(users)d users, %(events)d audit events."
                )
                % {
                    "projects": deleted.projects,
                    "reports": deleted.reports,
                    "units": deleted.units,
                    "users": deleted.users,
                    "events": deleted.audit_events,
                }
            )
        if loaded:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Loaded the demo data for %(unit)s, %(year)d, in %(seconds).1f s: %(units)d org units, "
                        "%(leaders)d leaders, %(projects)d projects, %(reports)d monthly reports."
                    )
                    % {
                        "unit": root.name,
                        "year": data.YEAR,
                        "seconds": seconds,
                        "units": loaded.units,
                        "leaders": loaded.leaders,
                        "projects": loaded.projects,
                        "reports": loaded.reports,
                    }
                )
            )
            self.stdout.write(
                _(
                    "Also loaded: warning lights for January to March (%(lights)d projects), %(problems)d "
                    "problems, %(orders)d supervision order, %(meetings)d dispatch meetings; %(indicators)d "
                    "indicators, %(schemes)d assessment schemes and %(values)d approved values for 2022-03."
                )
                % {
                    "lights": loaded.lights,
                    "problems": loaded.problems,
                    "orders": loaded.orders,
                    "meetings": loaded.meetings,
                    "indicators": loaded.indicators,
                    "schemes": loaded.schemes,
                    "values": loaded.values,
                }
            )
        else:
            self.stdout.write(
                _(
                    "The demo data is already there (%(unit)s, %(projects)d projects); nothing was loaded. "
                    "Run with --reset to delete it and load it again."
                )
                % {"unit": root.name, "projects": Project.objects.in_unit(root).count()}
            )
        self._report_users(users_refused, created_users)
        self.stdout.write(_("Try: guatu briefing --period %(period)s") % {"period": f"{data.YEAR}-03"})
        self.stdout.write(_("Try: guatu lights --period %(period)s") % {"period": f"{data.YEAR}-03"})

    def _report_users(self, refused: bool, created: list[str]) -> None:
        if refused:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Demo users were not created: DEBUG is off, so this looks like a production server, and "
                        "every demo user has the same published password. Run again with --force to create them "
                        "anyway. The rest of the demo data is loaded either way."
                    )
                )
            )
        elif created:
            self.stdout.write(_("Created %(count)d demo users.") % {"count": len(created)})
        else:
            self.stdout.write(_("The demo users are already there; none was created."))
        logins = demo_logins()
        if logins:
            self.stdout.write(
                _("Demo logins (one password for all: %(password)s):") % {"password": data.DEMO_PASSWORD}
            )
            for login in logins:
                self.stdout.write(f"  {login.username:<15} {login.full_name}，{login.role}，{login.unit}")
