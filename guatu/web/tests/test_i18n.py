"""Translations: every catalog is complete and compiled, and the UI speaks Chinese unless asked for English.

The .po files are parsed here directly (no gettext tools needed), and each compiled .mo is read back with
Python's gettext and compared message by message, so a .po edited without `make messages` fails here.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

PACKAGE_DIR = Path(settings.PACKAGE_DIR)
CATALOGS = sorted(PACKAGE_DIR.glob("*/locale/*/LC_MESSAGES/django.po")) + sorted(
    PACKAGE_DIR.glob("locale/*/LC_MESSAGES/django.po")
)
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')
# Source markers of translatable text: an app that has any of them needs a Chinese catalog.
_MARKERS = re.compile(
    r"{%\s*(translate|trans|blocktranslate|blocktrans)\b|\bgettext(_lazy|_noop)?\b|\bngettext\b"
)


@dataclass
class Entry:
    fields: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def translations(self) -> list[str]:
        return [value for key, value in sorted(self.fields.items()) if key.startswith("msgstr")]


def parse_po(path: Path) -> list[Entry]:
    """The live (not obsolete) entries of a .po file, header included."""
    entries: list[Entry] = []
    entry, key = Entry(), None

    def flush():
        nonlocal entry, key
        if "msgid" in entry.fields:
            entries.append(entry)
        entry, key = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#~"):
            continue  # obsolete: kept by makemessages for reference, never compiled
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := _KEYWORD.match(line):
            if match.group(1) in ("msgctxt", "msgid") and key and key.startswith("msgstr"):
                flush()  # a new entry without a blank line before it
            key = match.group(1)
            entry.fields[key] = ast.literal_eval(match.group(2))
            entry.line = entry.line or number
        elif line.startswith('"') and key:
            entry.fields[key] += ast.literal_eval(line)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    flush()
    return entries


def expected_catalog(entries: list[Entry]) -> dict:
    """What msgfmt puts in the .mo, keyed the way Python's gettext reads it back."""
    catalog = {}
    for entry in entries:
        if not entry.msgid or "fuzzy" in entry.flags or not all(entry.translations):
            continue
        msgid = entry.msgid
        if "msgctxt" in entry.fields:
            msgid = f"{entry.fields['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry.fields:
            for key, value in entry.fields.items():
                if key.startswith("msgstr["):
                    catalog[(msgid, int(key[7:-1]))] = value
        else:
            catalog[msgid] = entry.fields["msgstr"]
    return catalog


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE_DIR.parent))


def test_there_are_catalogs():
    assert CATALOGS, "no .po file found under guatu/*/locale"


@pytest.mark.parametrize("po", CATALOGS, ids=_name)
def test_catalog_is_fully_translated(po):
    entries = [entry for entry in parse_po(po) if entry.msgid]
    untranslated = [f"line {e.line}: {e.msgid!r}" for e in entries if not all(e.translations)]
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{_name(po)} has untranslated messages:\n" + "\n".join(untranslated)
    assert not fuzzy, f"{_name(po)} has fuzzy messages (check them, then drop the flag):\n" + "\n".join(fuzzy)


@pytest.mark.parametrize("po", CATALOGS, ids=_name)
def test_compiled_catalog_matches_its_source(po):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{_name(mo)} is missing: run `make messages`"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    compiled = {key: value for key, value in compiled.items() if key != ""}
    expected = expected_catalog(parse_po(po))
    stale = sorted(
        str(key) for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key)
    )
    assert not stale, (
        f"{_name(mo)} is out of date with its .po: run `make messages`. Differs on:\n" + "\n".join(stale)
    )


def test_a_message_has_one_translation_across_the_catalogs():
    """Django merges every app's catalog and, for the same (msgctxt, msgid), the app listed first in
    INSTALLED_APPS wins on every page. So two catalogs translating the same message differently means one
    app silently shows the other's wording: use one translation, or give the message a context
    (pgettext / `{% translate "..." context "..." %}`) where the meaning differs by place."""
    seen: dict[tuple[str, str, str], dict[str, str]] = {}
    for po in CATALOGS:
        for entry in parse_po(po):
            if not entry.msgid or "fuzzy" in entry.flags or not all(entry.translations):
                continue
            key = (entry.fields.get("msgctxt", ""), entry.msgid, entry.fields.get("msgid_plural", ""))
            seen.setdefault(key, {})[_name(po).split("/")[1]] = " | ".join(entry.translations)
    conflicts = [
        f"{(context + ' / ') if context else ''}{msgid!r}: "
        + ", ".join(f"{app} {text!r}" for app, text in by_app.items())
        for (context, msgid, _plural), by_app in sorted(seen.items())
        if len(set(by_app.values())) > 1
    ]
    assert not conflicts, (
        f"{len(conflicts)} messages are translated differently in different catalogs (the first app in "
        "INSTALLED_APPS wins everywhere):\n" + "\n".join(conflicts)
    )


def test_the_merged_catalog_gives_each_place_its_own_wording():
    """The same English word reads differently by place once it has a context; without one, one wording."""
    with translation.override("zh-hans"):
        assert translation.pgettext("import", "Row") == "行"
        assert translation.pgettext("reference data", "Row") == "条目"
        assert translation.pgettext("import", "created") == "新增"
        assert translation.gettext("created") == "创建时间"
        assert translation.pgettext("report", "source") == "来源"
        assert translation.pgettext("indicator value", "source") == "取值方式"
        assert translation.pgettext("time", "closed") == "销号时间"
        assert translation.pgettext("month", "closed") == "已关账"
        assert translation.pgettext("problems", "Open") == "未办结"
        assert translation.pgettext("report page", "Progress") == "进展情况"
        assert translation.gettext("Progress") == "进度"
        assert translation.gettext("Edit") == "修改"


def _apps_with_translatable_text() -> list[Path]:
    apps = []
    for app in sorted(path.parent for path in PACKAGE_DIR.glob("*/apps.py")):
        sources = [
            path
            for pattern in ("**/*.py", "templates/**/*.html", "templates/**/*.txt")
            for path in app.glob(pattern)
            if "tests" not in path.parts and "migrations" not in path.parts
        ]
        if any(_MARKERS.search(path.read_text(encoding="utf-8")) for path in sources):
            apps.append(app)
    return apps


@pytest.mark.parametrize("app", _apps_with_translatable_text(), ids=lambda app: app.name)
def test_app_with_translatable_text_has_a_chinese_catalog(app):
    po = app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    assert po.exists(), (
        f"guatu/{app.name} marks text for translation but has no Chinese catalog: "
        f"mkdir guatu/{app.name}/locale, then `make messages` and fill in every msgstr"
    )


def test_login_page_is_in_chinese_by_default(client):
    response = client.get(reverse("login"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    for text in ("登录", "用户名", "密码"):
        assert text in page
    assert "Username" not in page


def test_login_page_is_in_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("login"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in page
    for text in ("Log in", "Username", "Password"):
        assert text in page
    assert "用户名" not in page


def test_guatu_catalogs_take_precedence_over_djangos_own():
    """Django's admin catalog also translates "Log out" (as 注销): ours must win, so the guatu apps must
    come before django.contrib.admin in INSTALLED_APPS (earlier apps' translations take precedence)."""
    with translation.override("zh-hans"):
        assert translation.gettext("Log out") == "退出登录"


def test_page_frame_navigation_is_in_chinese(world):
    request = RequestFactory().get("/")
    request.user = world.reviewer
    with translation.override("zh-hans"):
        page = render_to_string("base.html", request=request)
    for text in ("投资汇总", "项目库", "月报审核", "退出登录"):
        assert text in page
