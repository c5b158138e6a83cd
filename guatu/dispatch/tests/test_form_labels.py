"""Every field of the dispatch forms carries a translated label: a field left without one is labelled with
its English name ("Project"), which the problem list once showed in its filter bar's error line."""

import inspect
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from guatu.dispatch import forms as dispatch_forms

CJK = re.compile(r"[\u4e00-\u9fff]")

FORMS = [
    cls
    for _, cls in inspect.getmembers(dispatch_forms, inspect.isclass)
    if issubclass(cls, forms.BaseForm) and cls.__module__ == dispatch_forms.__name__
]


@pytest.mark.parametrize("form", FORMS, ids=lambda cls: cls.__name__)
def test_every_field_has_a_chinese_label(form):
    with translation.override("zh-hans"):
        for name, field in form.base_fields.items():
            assert field.label is not None, f"{form.__name__}.{name} has no label"
            assert CJK.search(str(field.label)), f"{form.__name__}.{name}: {field.label}"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "0"])
def test_a_bad_project_filter_is_named_in_chinese(client, world, value):
    client.force_login(world.reviewer)
    html = client.get(reverse("dispatch:problem_list"), {"project": value}).content.decode()
    assert "<li>项目：" in html and "Project" not in html
