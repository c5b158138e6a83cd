from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from guatu.chains import services
from guatu.chains.models import ChainTarget, Metric
from guatu.projects.services import chain_create
from guatu.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("persona", ["city_admin", "reviewer", "reporter", "leader", "viewer"])
def test_everyone_of_the_county_sees_the_list_and_the_chain(client, world, chain, other_chain, persona):
    services.target_add(chain=chain, year=2022, metric=Metric.OUTPUT, target=Decimal("1000"), by=world.reviewer)
    _login(client, world.personas[persona])
    page = client.get(reverse("chains:list"), {"period": "2022-03"})
    assert page.status_code == 200
    assert [row.chain for row in page.context["rows"]] == [chain]
    detail = client.get(reverse("chains:detail", args=[chain.pk]), {"period": "2022-03"})
    assert detail.status_code == 200 and "锑产业链" in detail.content.decode() and "产值" in detail.content.decode()
    assert client.get(reverse("chains:detail", args=[other_chain.pk])).status_code == 404
    assert client.get(reverse("chains:chief", args=[world.leader.pk])).status_code == 200


def test_anonymous_is_sent_to_login(client, chain):
    for url in (reverse("chains:list"), reverse("chains:detail", args=[chain.pk]), reverse("chains:edit", args=[chain.pk])):
        page = client.get(url)
        assert page.status_code == 302 and "login" in page["Location"]


@pytest.mark.parametrize("persona", ["reporter", "leader", "viewer"])
def test_read_only_roles_may_not_write(client, world, chain, persona):
    _login(client, world.personas[persona])
    url = reverse("chains:part_add", args=[chain.pk, "target"])
    assert client.post(url, {"year": 2022, "metric": "output", "target": "5"}).status_code == 403
    assert client.get(reverse("chains:edit", args=[chain.pk])).status_code == 403
    assert not ChainTarget.objects.exists()


def test_reviewer_adds_a_target_and_bad_input_is_refused_in_chinese(client, world, chain, other_chain):
    _login(client, world.reviewer)
    url = reverse("chains:part_add", args=[chain.pk, "target"])
    bad = client.post(url, {"year": 2022, "metric": "output", "target": "-5"})
    assert bad.status_code == 422 and not ChainTarget.objects.exists()
    assert client.post(url, {"year": 2022, "metric": "output", "target": "5000.5"}).status_code == 302
    assert ChainTarget.objects.get().target == Decimal("5000.5")
    assert client.post(reverse("chains:part_add", args=[other_chain.pk, "target"]), {}).status_code == 404
    assert client.get(reverse("chains:part_add", args=[chain.pk, "nothing"])).status_code == 404


def test_chain_edit_is_version_checked(client, world, chain):
    _login(client, world.city_admin)
    url = reverse("chains:edit", args=[chain.pk])
    data = {"name": "锑品产业链", "kind": "main", "chief": world.leader.pk, "lead_unit": world.drc.pk, "sort_order": 1}
    stale = client.post(url, data | {"expected_version": 0})
    assert stale.status_code == 422
    assert client.post(url, data | {"expected_version": 1}).status_code == 302
    chain.refresh_from_db()
    assert chain.name == "锑品产业链" and chain.version == 2


def test_a_leader_lands_on_their_own_chains(client, world, chain):
    _login(client, world.leader_user)
    page = client.get(reverse("chains:mine"))
    assert page["Location"] == reverse("chains:chief", args=[world.leader.pk])


def test_list_and_chain_page_query_counts_do_not_grow(client, world, chain, django_assert_max_num_queries):
    _login(client, world.city_admin)
    client.get(reverse("chains:list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("chains:list"), {"period": "2022-03"})
    with django_assert_max_num_queries(28):  # + the history: its events and the names they point at
        client.get(reverse("chains:detail", args=[chain.pk]), {"period": "2022-03"})
    for n in range(5):
        more = chain_create(jurisdiction=world.city, name=f"产业链{n}", chief=world.leader, lead_unit=world.drc)
        services.target_add(chain=more, year=2022, metric=Metric.TAX, target=Decimal("1"), by=world.reviewer)
        services.member_add(chain=chain, name=f"成员{n}", unit=world.dept, by=world.reviewer)
        services.policy_add(chain=chain, title=f"政策{n}", by=world.reviewer)
        services.progress_add(chain=chain, happened_on=date(2022, 1, 1), content="调度", done_by="专班", by=world.reviewer)
    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse("chains:list"), {"period": "2022-03"})
    assert len(page.context["rows"]) == 6
    with django_assert_max_num_queries(28):  # + the history: its events and the names they point at
        client.get(reverse("chains:detail", args=[chain.pk]), {"period": "2022-03"})
