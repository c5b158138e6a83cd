from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from guatu.access import gateway


@login_required
def project_list(request):
    return HttpResponse("TODO")


@login_required
def project_detail(request, pk):
    project = gateway.get_visible_project(request.user, pk)
    return HttpResponse(project.name)
