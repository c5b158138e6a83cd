"""One-time form tokens (guatu.web.middleware.OneTimeFormTokenMiddleware): a form posted twice with its token
is handled once; the second post goes back to the page with a message and writes nothing."""

import pytest
from django.urls import reverse

from guatu.dispatch.models import Problem
from guatu.testing import make_report
from guatu.web.models import UsedFormToken

TOKEN = "0123456789abcdef0123456789abcdef"


def _raise(client, report, **extra):
    url = reverse("dispatch:problem_raise") + f"?report={report.pk}"
    data = {"description": "用地指标未落实", "category": "land", "tier": "1", **extra}
    return client.post(url, data, HTTP_REFERER=f"http://testserver{url}")


@pytest.mark.django_db
def test_a_form_posted_twice_with_its_token_is_handled_once(client, world):
    report = make_report(world.project_a, "2022-03", "100", reporter=world.reporter, reviewer=world.reviewer)
    client.force_login(world.reporter)
    first = _raise(client, report, form_token=TOKEN)
    assert first.status_code == 302 and Problem.objects.count() == 1
    again = _raise(client, report, form_token=TOKEN)
    assert again.status_code == 302
    assert again["Location"] == reverse("dispatch:problem_raise") + f"?report={report.pk}"
    assert Problem.objects.count() == 1
    assert "此表单已提交" in client.get(again["Location"]).content.decode()
    # Another page load is another token; a post without one (a script, the API) is not counted at all.
    assert _raise(client, report, form_token="f" * 32).status_code == 302 and Problem.objects.count() == 2
    assert _raise(client, report).status_code == 302 and Problem.objects.count() == 3
    assert UsedFormToken.objects.filter(user=world.reporter).count() == 2


@pytest.mark.django_db
def test_a_resubmission_from_another_site_goes_home_not_there(client, world):
    report = make_report(world.project_a, "2022-03", "100", reporter=world.reporter, reviewer=world.reviewer)
    client.force_login(world.reporter)
    _raise(client, report, form_token=TOKEN)
    url = reverse("dispatch:problem_raise") + f"?report={report.pk}"
    again = client.post(url, {"form_token": TOKEN}, HTTP_REFERER="http://evil.example/x")
    assert again["Location"] == reverse("home")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_form_sent_twice_from_the_page_raises_one_problem(live_server, world, browser_as):
    """What a second click on a slow connection does: the browser sends the same form again. The page's own
    token (site.js) makes the server handle it once. (One after the other: the live server's in-memory SQLite
    test database is one connection shared by its threads; two posts racing are settled by the token's unique
    row, in production as here.)"""
    report = make_report(world.project_a, "2022-03", "100", reporter=world.reporter, reviewer=world.reviewer)
    page = browser_as(world.reporter)
    page.goto(live_server.url + reverse("dispatch:problem_raise") + f"?report={report.pk}")
    page.fill("#id_description", "用地指标未落实")
    form = page.locator("main form[method=post]").last
    assert len(form.locator("input[name=form_token]").input_value()) == 32
    statuses = form.evaluate(
        """async (form) => {
            const send = () => fetch(form.action, {method: "POST", body: new FormData(form)});
            const first = await send();
            const second = await send();
            return [first.status, second.status];
        }"""
    )
    assert statuses == [200, 200]  # each followed its redirect: to the problem, and back to the form
    assert Problem.objects.filter(project=world.project_a).count() == 1
