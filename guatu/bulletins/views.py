"""The bulletin page: choose the unit, the month (or its quarter) and the format; the file is made in the
background and the job's page shows its progress."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from guatu.access import gateway
from guatu.bulletins.forms import BulletinForm
from guatu.bulletins.jobs import bulletin_params
from guatu.jobs.services import job_start
from guatu.lights.services import default_period
from guatu.web.forms import add_service_errors, show_month


@login_required
def bulletin_new(request):
    if not gateway.may_issue_bulletins(request.user):
        raise PermissionDenied
    units = list(gateway.bulletin_units(request.user).order_by("path"))
    form = BulletinForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        unit = gateway.get_bulletin_unit(request.user, form.cleaned_data["unit"])
        params = bulletin_params(
            period=form.cleaned_data["period"],
            quarterly=form.cleaned_data["quarterly"],
            fmt=form.cleaned_data["format"],
        )
        try:
            job = job_start(kind="bulletin", params=params, unit=unit, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("jobs:detail", pk=job.pk)
    if not form.is_bound:
        start = gateway.default_unit(request.user)
        form.initial["unit"] = start.pk if start else None
        show_month(form, default_period(start))
    return render(request, "bulletins/new.html", {"form": form}, status=400 if form.errors else 200)
