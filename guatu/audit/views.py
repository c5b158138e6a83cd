"""The audit log (审计日志): the audit administrator's page, read only. Every read is itself an audit row."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guatu.access import gateway
from guatu.audit import events, queries
from guatu.audit.forms import AuditFilterForm
from guatu.audit.history import history_rows
from guatu.audit.labels import outcome_label

PAGE_SIZE = 100


@login_required
@require_GET
def log(request):
    user = request.user
    if not gateway.can_read_audit_log(user):
        raise PermissionDenied(_("Only the audit administrator reads the audit log."))
    form = AuditFilterForm(request.GET or None)
    found = gateway.visible_audit_events(user)
    filters: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        filters = form.filters()
        found = queries.filtered_log(found, **form.cleaned_data)
    else:
        found = queries.filtered_log(found)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    rows = [
        {"event": event, "row": row, "outcome": outcome_label(event.action)}
        for event, row in zip(shown, history_rows(shown), strict=True)
    ]
    events.audit_log_read(user, filters=filters, shown=page.paginator.count)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "rows": rows, "page": page, "query": query.urlencode()},
        status=400 if form.is_bound and form.errors else 200,
    )
