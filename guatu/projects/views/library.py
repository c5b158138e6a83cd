from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from guatu import clock
from guatu.access import gateway
from guatu.lib.dbrouter import replica_reads
from guatu.lights.queries import project_lights
from guatu.lights.services import default_period
from guatu.projects import queries
from guatu.projects.exports import library_title, library_workbook
from guatu.projects.forms import ProjectFilterForm
from guatu.projects.models import LevelTag, Project, Stage
from guatu.web.tables import row_url
from guatu.web.xlsx_export import xlsx_response

PAGE_SIZE = 50


def _is_partial(request) -> bool:
    """An htmx request for the table only (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@login_required
@replica_reads
def project_list(request):
    form, period, projects = _filtered_library(request)
    projects = projects.prefetch_related(None).order_by("id")  # the tags' names come in _label_rows
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))  # COUNT(*), then one page of rows
    rows = _label_rows(queries.finish_progress(list(page)))
    context = {"form": form, "page": page, "rows": rows, "period": period}
    template = "projects/_project_table.html" if _is_partial(request) else "projects/project_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _label_rows(rows: list[Project]) -> list[Project]:
    """Each row's stage label, level tags' names and address, for the table: one query for the page's tags,
    where a related manager and a queryset per row (prefetch_related), get_stage_display() and a reverse() per
    row cost more than the rows' own query."""
    names = defaultdict(list)
    for pid, name in (
        Project.tags.through.objects.filter(project_id__in=[row.pk for row in rows])
        .order_by("leveltag__sort_order", "leveltag_id")
        .values_list("project_id", "leveltag__name")
    ):
        names[pid].append(name)
    stages = {value: str(label) for value, label in Stage.choices}
    detail = row_url("projects:detail")
    for row in rows:
        row.tag_names = names[row.pk]
        row.stage_label = stages.get(row.stage, row.stage)
        row.url = detail(row.pk)
    return rows


def _filtered_library(request):
    """The list's filter form, its month and the matching projects with their progress (page and export)."""
    user = request.user
    visible = gateway.visible_projects(user)
    form = ProjectFilterForm(request.GET, user=user, tags=list(LevelTag.objects.order_by("sort_order", "id")))
    period = form.selected_period() or default_period(gateway.default_unit(user))
    projects = queries.with_progress(queries.filter_projects(visible, form.filters()), period).for_list()
    return form, period, projects


@login_required
def project_export(request):
    """The filtered library as an Excel file: the page's filters, every matching row (not just one page)."""
    form, period, projects = _filtered_library(request)
    rows = queries.finish_progress(list(projects.order_by("id")))
    unit = form.filters().location or gateway.default_unit(request.user)
    content = library_workbook(rows, period, unit_name=unit.display_name if unit else "")
    return xlsx_response(content, f"{library_title()}-{period}.xlsx")


def _get_project_for_user(user, pk) -> Project:
    project = queries.project_for_detail(gateway.visible_projects(user), pk)
    if project is None:
        raise Http404("project not found")
    return project


def _year_param(request, project: Project) -> int | None:
    """The year asked for, if it is one of the project's years; None for the default."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if project.start_year <= year <= project.end_year else None


@login_required
def project_detail(request, pk):
    project = _get_project_for_user(request.user, pk)
    today = clock.today()
    reports = queries.project_reports(project, _year_param(request, project), today)
    can_fill = gateway.can_fill_reports(request.user, project)
    plans = [
        {"plan": plan, "months": _phasing(plan)} for plan in sorted(project.plans.all(), key=lambda p: p.year)
    ]
    context = {
        "project": project,
        "tags": list(project.tags.all()),
        "support_links": list(project.support_links.all()),
        "task_force": list(project.task_force.all()),
        "milestones": [(m, queries.milestone_overdue(m, today)) for m in project.milestones.all()],
        "plans": plans,
        "year": reports.year,
        "years": range(project.start_year, project.end_year + 1),
        "reports": reports,
        "fill_period": reports.next_period if can_fill else None,
        "history": queries.project_history(project),
        "can_maintain": gateway.can_maintain_library(request.user, project),
        "can_raise_problem": gateway.may_raise_problems(request.user)
        and (can_fill or gateway.can_review(request.user, project)),
        **project_lights(project),
    }
    return render(request, "projects/project_detail.html", context)


def _phasing(plan) -> list | None:
    """The plan's twelve months (None where a month has no share), or None when it is not phased."""
    months = {pm.month: pm.amount for pm in plan.months.all()}
    if not months:
        return None
    return [months.get(month) for month in range(1, 13)]
