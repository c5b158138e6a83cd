from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def summary_page(request):
    return HttpResponse("TODO")
