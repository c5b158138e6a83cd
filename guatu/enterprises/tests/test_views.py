"""The enterprise pages and API: allowed, not visible (404), forbidden (403), anonymous (login / 401); bad input
shows a Chinese message and writes nothing; lists run a fixed number of queries. And the dispatch pages' request
parts: the firm on the problem page, the satisfaction asked at closing, the list's requests filter."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from guatu import clock
from guatu.audit.models import AuditEvent
from guatu.dispatch.models import Problem, ProblemStatus
from guatu.dispatch.services import problem_assign, problem_feedback, problem_verify
from guatu.enterprises.models import Enterprise, EnterpriseFigure
from guatu.enterprises.services import enterprise_figures_set, request_raise
from guatu.projects.models import IndustryChain
from guatu.testing import make_enterprise, make_other_county

pytestmark = pytest.mark.django_db

# Who sees a firm of township A on the housing department's chain (reporter: its township; dept_reporter: the
# chain's lead department; leader: its chain's chief); outsider: township B's reporter.
SEES_FIRM = ["city_admin", "reviewer", "reporter", "dept_reporter", "leader", "viewer"]


def url(name, *args):
    return reverse(f"enterprises:{name}", args=args)


@pytest.fixture
def chain(world):
    w = world
    return IndustryChain.objects.create(
        name="锑品产业链", jurisdiction=w.city, chief=w.leader, lead_unit=w.dept
    )


@pytest.fixture
def firm(world, chain):
    firm = make_enterprise(
        world.town_a, "冷水江锑业有限公司", chain=chain, above_scale=True, by=world.reviewer
    )
    enterprise_figures_set(
        enterprise=firm,
        year=2021,
        output=Decimal("1234.50"),
        tax=Decimal("88.00"),
        expected_version=None,
        by=world.reviewer,
    )
    return firm


@pytest.mark.parametrize("name", ["list", "request_figures", "new", "export"])
def test_anonymous_goes_to_login(client, name):
    response = client.get(url(name))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_anonymous_api_is_401(client):
    assert client.get("/api/v1/enterprises").status_code == 401


@pytest.mark.parametrize("persona", SEES_FIRM)
def test_who_sees_the_firm(client, world, firm, persona):
    client.force_login(world.personas[persona])
    assert firm.name in client.get(url("list")).content.decode()
    page = client.get(url("detail", firm.pk)).content.decode()
    assert "1234.50" in page and firm.uscc in page


def test_another_township_and_county_get_404(client, world, firm):
    w = world
    other = make_other_county()
    for user in (w.outsider, other.admin, other.reporter):
        client.force_login(user)
        assert firm.name not in client.get(url("list")).content.decode()
        for name in ("detail", "edit", "request_raise"):
            assert client.get(url(name, firm.pk)).status_code == 404
        assert (
            client.post(url("figures", firm.pk), {"year": 2022, "output": "1", "tax": "1"}).status_code == 404
        )
        assert client.get("/api/v1/enterprises").json()["count"] == 0


def test_roles_that_may_not_act_get_403(client, world, firm):
    w = world
    for user in (w.viewer, w.leader_user):
        client.force_login(user)
        assert client.get(url("new")).status_code == 403
        assert client.get(url("edit", firm.pk)).status_code == 403
        assert client.get(url("request_raise", firm.pk)).status_code == 403
        assert (
            client.post(url("figures", firm.pk), {"year": 2022, "output": "1", "tax": "1"}).status_code == 403
        )
    client.force_login(
        w.dept_reporter
    )  # the chain's lead department raises requests but does not keep the firm
    assert client.get(url("request_raise", firm.pk)).status_code == 200
    assert client.get(url("edit", firm.pk)).status_code == 403


def test_add_a_firm_with_a_bad_code_then_a_good_one(client, world, chain):
    w = world
    client.force_login(w.reporter)
    data = {
        "name": "禾青新材料有限公司",
        "uscc": "91350100M000100Y44",
        "unit": w.town_a.pk,
        "chain": chain.pk,
    }
    response = client.post(url("new"), data)
    assert response.status_code == 200
    assert "统一社会信用代码第18位（校验码）应为“3”，现为“4”。" in response.content.decode()
    assert not Enterprise.objects.exists()
    response = client.post(url("new"), {**data, "uscc": "91350100m000100y43", "above_scale": "on"})
    firm = Enterprise.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", firm.pk)
    assert (firm.uscc, firm.above_scale, firm.chain, firm.unit) == (
        "91350100M000100Y43",
        True,
        chain,
        w.town_a,
    )
    # The history shows Chinese labels and names, never field names or ids.
    page = client.get(url("detail", firm.pk)).content.decode()
    history = page.split('id="history"')[1]
    assert "统一社会信用代码" in history and "禾青镇" in history and "锑品产业链" in history
    assert "uscc" not in history and f">{w.town_a.pk}<" not in history


def test_edit_is_version_checked(client, world, firm):
    w = world
    client.force_login(w.reviewer)
    form = client.get(url("edit", firm.pk)).content.decode()
    assert 'name="version" value="1"' in form
    data = {"name": firm.name, "uscc": firm.uscc, "unit": w.town_a.pk, "contact_name": "张经理", "version": 1}
    assert client.post(url("edit", firm.pk), data).status_code == 302
    response = client.post(url("edit", firm.pk), {**data, "contact_name": "李经理"})
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()
    assert Enterprise.objects.get().contact_name == "张经理"


def test_figures_entry_bounded(client, world, firm):
    w = world
    client.force_login(w.reporter)
    for output in ("-1", "1.234", "abc", "1" * 15):
        response = client.post(url("figures", firm.pk), {"year": 2022, "output": output, "tax": "1"})
        assert response.status_code == 200 and "产值" in response.content.decode()
    assert client.post(url("figures", firm.pk), {"year": 1800, "output": "1", "tax": "1"}).status_code == 200
    assert not EnterpriseFigure.objects.filter(year=2022).exists()
    assert (
        client.post(url("figures", firm.pk), {"year": 2022, "output": "10.5", "tax": "1"}).status_code == 302
    )
    figure = EnterpriseFigure.objects.get(year=2022)
    assert (
        client.post(
            url("figures", firm.pk), {"year": 2021, "output": "9", "tax": "1", "version": 1}
        ).status_code
        == 302
    )
    assert EnterpriseFigure.objects.get(year=2021).output == Decimal("9.00") and figure.output == Decimal(
        "10.50"
    )


def test_raise_a_request_and_close_it_with_satisfaction(client, world, firm):
    w = world
    client.force_login(w.reporter)
    response = client.post(url("request_raise", firm.pk), {"description": "", "category": "power"})
    assert response.status_code == 200 and not Problem.objects.exists()
    response = client.post(url("request_raise", firm.pk), {"description": "用电增容", "category": "power"})
    request = Problem.objects.get()
    assert response["Location"] == reverse("dispatch:problem", args=[request.pk])
    assert request.enterprise == firm
    problem_assign(
        problem=request,
        unit=w.town_a,
        deadline=clock.today() + timedelta(days=5),
        expected_version=1,
        by=w.reviewer,
    )
    problem_feedback(problem=request, text="已办", expected_version=2, by=w.reporter)
    problem_verify(problem=request, expected_version=3, by=w.reviewer)
    client.force_login(w.reviewer)
    page = client.get(reverse("dispatch:problem", args=[request.pk])).content.decode()
    assert firm.name in page and 'name="satisfaction"' in page and "基本满意" in page
    close = reverse("dispatch:problem_close", args=[request.pk])
    response = client.post(close, {"version": 4})
    assert response.status_code == 200 and "企业满意度" in response.content.decode()
    assert Problem.objects.get().status == ProblemStatus.VERIFIED
    assert client.post(close, {"version": 4, "satisfaction": "satisfied"}).status_code == 302
    assert Problem.objects.get().satisfaction == "satisfied"
    page = client.get(url("detail", firm.pk)).content.decode()
    assert "用电增容" in page and "满意" in page
    history = client.get(reverse("dispatch:problem", args=[request.pk])).content.decode()
    assert "satisfied" not in history.split('id="history"')[1].split("</section>")[0]


def test_problem_list_filters_enterprise_requests(client, world, firm):
    w = world
    request_raise(enterprise=firm, description="融资难", category="financing", by=w.reporter)
    from guatu.dispatch.services import problem_raise

    problem_raise(project=w.project_a, description="征地未完成", category="land", by=w.reporter)
    client.force_login(w.reviewer)
    page = client.get(reverse("dispatch:problem_list"), {"requests": "on"}).content.decode()
    assert "融资难" in page and "征地未完成" not in page and firm.name in page
    assert AuditEvent.objects.filter(action="problem.raise").count() == 2


def test_requests_figures_page(client, world, firm):
    w = world
    request_raise(enterprise=firm, description="融资难", category="financing", by=w.reporter)
    client.force_login(w.reviewer)
    page = client.get(url("request_figures")).content.decode()
    assert "锑品产业链" in page and "尚未交办" in page
    client.force_login(w.outsider)
    assert "锑品产业链" not in client.get(url("request_figures")).content.decode()


def test_list_filters_export_and_api(client, world, firm, chain):
    w = world
    make_enterprise(w.town_b, "渣渡小微企业", by=w.reviewer)
    client.force_login(w.reviewer)
    page = client.get(url("list"), {"above_scale": "1"}).content.decode()
    assert firm.name in page and "渣渡小微企业" not in page
    page = client.get(url("list"), {"unit": w.town_b.pk}).content.decode()
    assert firm.name not in page and "渣渡小微企业" in page
    response = client.get(url("export"), {"chain": chain.pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = client.get("/api/v1/enterprises", {"chain": chain.pk}).json()
    assert (
        data["count"] == 1
        and data["items"][0]["uscc"] == firm.uscc
        and data["items"][0]["chain"]["name"] == "锑品产业链"
    )
    assert client.get("/api/v1/enterprises", {"limit": 501}).status_code == 422
    assert client.get("/api/v1/enterprises", {"offset": -1}).status_code == 422
    other = make_other_county()
    assert client.get("/api/v1/enterprises", {"unit": other.town.pk}).status_code == 404


def test_list_query_count_does_not_grow(client, world, chain, django_assert_num_queries):
    w = world

    def add(n, start):
        for i in range(n):
            firm = make_enterprise(
                w.town_a if i % 2 else w.town_b, f"企业{start + i}", chain=chain, by=w.reviewer
            )
            request_raise(enterprise=firm, description="诉求", category="other", by=w.reviewer)

    add(2, 0)
    client.force_login(w.reviewer)
    client.get(url("list"))
    with django_assert_num_queries(10) as few:
        assert client.get(url("list")).status_code == 200
    add(7, 10)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url("list")).status_code == 200
    with django_assert_num_queries(len(few.captured_queries) - 2):  # the API: no filter choices to render
        client.get("/api/v1/enterprises")


def test_who_sees_a_request(client, world, firm):
    """The firm's unit (and above), its chain's lead department and chief, the jurisdiction's office; not another
    township or county."""
    w = world
    request = request_raise(enterprise=firm, description="用地指标", category="land", by=w.reporter)
    problem = reverse("dispatch:problem", args=[request.pk])
    for persona in ["city_admin", "reviewer", "reporter", "dept_reporter", "leader", "viewer"]:
        client.force_login(w.personas[persona])
        assert client.get(problem).status_code == 200, persona
    other = make_other_county()
    for user in (w.outsider, other.admin, other.reporter):
        client.force_login(user)
        assert client.get(problem).status_code == 404
    client.logout()
    assert client.get(problem).status_code == 302


@pytest.mark.parametrize("name", ["detail", "edit", "request_raise"])
def test_anonymous_goes_to_login_from_a_firms_pages(client, firm, name):
    response = client.get(url(name, firm.pk))
    assert response.status_code == 302 and "/login" in response["Location"]
    response = client.post(url("figures", firm.pk), {"year": 2022, "output": "1", "tax": "1"})
    assert response.status_code == 302 and not EnterpriseFigure.objects.filter(year=2022).exists()


def test_figures_page_query_count_does_not_grow(client, world, chain, django_assert_num_queries):
    w = world
    other_chain = IndustryChain.objects.create(
        name="新能源产业链", jurisdiction=w.city, chief=w.other_leader, lead_unit=w.drc
    )

    def add(n, start):
        for i in range(n):
            firm = make_enterprise(
                w.town_a if i % 2 else w.town_b,
                f"企业{start + i}",
                chain=chain if i % 3 else other_chain,
                by=w.reviewer,
            )
            request = request_raise(enterprise=firm, description="诉求", category="other", by=w.reviewer)
            unit = w.town_a if i % 2 else w.dept
            problem_assign(
                problem=request,
                unit=unit,
                deadline=clock.today() + timedelta(days=3),
                expected_version=1,
                by=w.reviewer,
            )

    add(2, 0)
    client.force_login(w.reviewer)
    client.get(url("request_figures"))
    # the frame's (session, user, unread count), the total, by unit, by chain, and the units' and chains' names
    with django_assert_num_queries(10) as few:
        page = client.get(url("request_figures")).content.decode()
    assert "新能源产业链" in page and "禾青镇" in page
    add(7, 10)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url("request_figures")).status_code == 200
