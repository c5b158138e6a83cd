from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from guatu.access import gateway


@login_required
def problem_detail(request, pk):
    problem = gateway.get_visible_problem(request.user, pk)
    return render(request, "dispatch/problem_detail.html", {"problem": problem})


@login_required
def order_detail(request, pk):
    order = gateway.get_visible_order(request.user, pk)
    return render(request, "dispatch/order_detail.html", {"order": order})
