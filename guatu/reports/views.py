from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def review_queue(request):
    return HttpResponse("TODO")


@login_required
def report_edit(request, project_pk, period):
    return HttpResponse("TODO")


@login_required
def report_detail(request, pk):
    return HttpResponse("TODO")


report_submit_view = report_return_view = report_approve_view = report_unlock_view = report_detail
