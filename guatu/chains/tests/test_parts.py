"""Editing and deleting a chain's parts from its page (version-checked; deleting with a reason, audited), the
chain page's links to its enterprises and leads, and its history in Chinese labels and names."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from guatu.attraction.tests.helpers import make_lead
from guatu.audit.models import AuditEvent
from guatu.chains import services
from guatu.chains.models import ChainTarget, FollowThrough, Metric, Policy, TeamMember
from guatu.testing import PASSWORD, make_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(settings):
    settings.GUATU_TODAY = date(2022, 4, 24)


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def parts(world, chain):
    r = world.reviewer
    return {
        "member": services.member_add(chain=chain, name="张三", unit=world.drc, duty="专班组长", by=r),
        "target": services.target_add(chain=chain, year=2022, metric=Metric.OUTPUT, target=Decimal("1000"), by=r),
        "policy": services.policy_add(chain=chain, title="锑产业扶持办法", document_number="冷政发〔2022〕3号", by=r),
        "progress": services.progress_add(
            chain=chain, happened_on=date(2022, 3, 9), content="走访链主企业", done_by="专班", by=r
        ),
    }


EDITS = {
    "member": ({"name": "张三丰", "unit": "drc", "duty": "副组长", "position": 2}, "name", "张三丰"),
    "target": ({"year": 2022, "metric": "output", "target": "1200.5"}, "target", Decimal("1200.5")),
    "policy": ({"title": "锑产业扶持办法（修订）", "document_number": "", "issued_on": "2022-03-01", "summary": ""},
               "title", "锑产业扶持办法（修订）"),
    "progress": ({"happened_on": "2022-03-10", "content": "走访并协调用电", "done_by": "专班"}, "content", "走访并协调用电"),
}


@pytest.mark.parametrize("part", list(EDITS))
def test_reviewer_edits_a_part_against_its_version(client, world, chain, parts, part):
    _login(client, world.reviewer)
    data, field, value = EDITS[part]
    data = {key: (world.drc.pk if v == "drc" else v) for key, v in data.items()}
    obj = parts[part]
    url = reverse("chains:part_edit", args=[chain.pk, part, obj.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 422  # no version: refused like a stale one
    assert client.post(url, data | {"expected_version": 0}).status_code == 422
    assert client.post(url, data | {"expected_version": 1}).status_code == 302
    obj.refresh_from_db()
    assert getattr(obj, field) == value and obj.version == 2
    assert AuditEvent.objects.filter(object_type=obj._meta.model_name, action__endswith=".update").count() == 1


@pytest.mark.parametrize("part", list(EDITS))
def test_reviewer_deletes_a_part_with_a_reason(client, world, chain, parts, part):
    _login(client, world.reviewer)
    obj = parts[part]
    url = reverse("chains:part_delete", args=[chain.pk, part, obj.pk])
    assert client.get(url).status_code == 200
    page = client.post(url, {"reason": "  ", "expected_version": 1})
    assert page.status_code == 422 and list(page.context["form"].errors) == ["reason"]
    assert client.post(url, {"reason": "x" * 501, "expected_version": 1}).status_code == 422
    assert client.post(url, {"reason": "重复录入", "expected_version": 0}).status_code == 422
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert client.post(url, {"reason": "重复录入", "expected_version": 1}).status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    event = AuditEvent.objects.get(object_type=obj._meta.model_name, action__endswith=".delete")
    assert event.reason == "重复录入" and event.actor == world.reviewer


@pytest.mark.parametrize("persona", ["reporter", "leader", "viewer"])
def test_read_only_roles_may_neither_edit_nor_delete(client, world, chain, parts, persona):
    _login(client, world.personas[persona])
    target = parts["target"]
    assert client.get(reverse("chains:part_edit", args=[chain.pk, "target", target.pk])).status_code == 403
    delete = reverse("chains:part_delete", args=[chain.pk, "target", target.pk])
    assert client.post(delete, {"reason": "x", "expected_version": 1}).status_code == 403
    assert ChainTarget.objects.filter(pk=target.pk).exists()


def test_another_chains_part_or_county_is_not_found_and_anonymous_goes_to_login(client, world, chain, other_chain, parts):
    target = parts["target"]
    edit = reverse("chains:part_edit", args=[chain.pk, "target", target.pk])
    assert "login" in client.get(edit)["Location"]
    _login(client, world.reviewer)
    assert client.get(reverse("chains:part_edit", args=[other_chain.pk, "target", target.pk])).status_code == 404
    assert client.get(reverse("chains:part_edit", args=[chain.pk, "policy", target.pk])).status_code in (200, 404)
    assert client.get(reverse("chains:part_edit", args=[chain.pk, "target", 10**9])).status_code == 404
    assert client.get(reverse("chains:part_delete", args=[chain.pk, "nothing", target.pk])).status_code == 404
    _login(client, world.outsider)
    assert client.get(edit).status_code == 403  # a reporter of the county sees the chain, may not change it


def test_the_chain_page_links_its_firms_and_leads_and_shows_its_history_in_chinese(client, world, chain, parts):
    firm = make_enterprise(world.town_a, "湖南锑晶新材料有限公司", chain=chain)
    lead = make_lead(world.town_a, name="锑基新材料项目", chain=chain)
    services.member_remove(member=parts["member"], expected_version=1, reason="人员调整", by=world.reviewer)
    services.target_update(
        target=parts["target"], year=2022, metric=Metric.OUTPUT, value=Decimal("1500"), expected_version=1,
        by=world.reviewer,
    )
    _login(client, world.reviewer)
    page = client.get(reverse("chains:detail", args=[chain.pk]), {"period": "2022-03"})
    text = page.content.decode()
    assert reverse("enterprises:detail", args=[firm.pk]) in text
    assert reverse("attraction:detail", args=[lead.pk]) in text
    assert reverse("chains:part_edit", args=[chain.pk, "policy", parts["policy"].pk]) in text
    history = text[text.index('id="history"'):]
    for words in ("工作专班成员", "张三", "人员调整", "产值", "1000.00", "1500.00", world.drc.name, "锑产业扶持办法", "走访链主企业"):
        assert words in history, words
    assert "teammember" not in history and "chaintarget" not in history and "output" not in history
    assert f">{world.drc.pk}<" not in history


def test_a_readers_chain_page_offers_no_edit_links(client, world, chain, parts):
    _login(client, world.viewer)
    text = client.get(reverse("chains:detail", args=[chain.pk])).content.decode()
    assert "/edit/" not in text and "/delete/" not in text
    assert TeamMember.objects.count() == Policy.objects.count() == FollowThrough.objects.count() == 1
