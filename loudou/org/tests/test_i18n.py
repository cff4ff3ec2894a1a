"""The interface speaks each user's own language: Simplified Chinese by default, or English."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from loudou.org.services import issue_api_token

EN_PO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"\{\w*\}|%\(\w+\)[sd]")


@pytest.fixture(autouse=True)
def restore_active_language():
    """A request for an English user leaves English active in the thread; undo that."""
    before = translation.get_language()
    yield
    translation.activate(before)


def _english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def _po_entries(path: Path) -> list[dict]:
    """Each entry of a .po file as {"flags": [...], "msgctxt": str | None, "msgid": str,
    "msgstr": [str, ...]}."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, key = {"flags": [], "msgctxt": None, "msgid": None, "msgstr": []}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                text = ast.literal_eval(line)
                if key == "msgid":
                    entry["msgid"] += text
                elif key == "msgstr":
                    entry["msgstr"][-1] += text
            else:
                key, _, literal = line.partition(" ")
                key = key.split("[")[0]
                if key == "msgid":
                    entry["msgid"] = ast.literal_eval(literal)
                elif key == "msgctxt":
                    entry["msgctxt"] = ast.literal_eval(literal)
                elif key == "msgstr":
                    entry["msgstr"].append(ast.literal_eval(literal))
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


def test_an_english_user_sees_the_home_page_in_english(client, rep):
    # given
    client.force_login(_english(rep))
    # when
    response = client.get(reverse("home"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert ">Leads</a>" in html
    assert ">Customers</a>" in html
    assert "Register lead" in html
    assert "Recent leads" in html
    assert "登记线索" not in html


def test_an_english_user_sees_the_lead_list_in_english(client, rep):
    # given
    client.force_login(_english(rep))
    # when
    response = client.get(reverse("leads:list"))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Register lead" in html
    assert "Intent grade" in html
    assert "Customer rating" in html
    assert "Lead number" in html
    assert "No matching leads." in html
    assert "线索编号" not in html


def test_a_chinese_user_sees_the_home_page_and_lead_list_in_chinese(client, rep):
    # given
    client.force_login(rep)
    # when
    home = client.get(reverse("home")).content.decode()
    leads = client.get(reverse("leads:list")).content.decode()
    # then
    assert rep.language == "zh-hans"
    assert ">线索</a>" in home
    assert "登记线索" in home
    assert "登记线索" in leads
    assert "意向等级" in leads
    assert "Register lead" not in home + leads


def test_changing_the_language_on_the_profile_page_switches_the_next_page_to_english(client, rep):
    # given
    client.force_login(rep)
    # when
    response = client.post(reverse("profile"), {"language": "en"}, follow=True)
    # then
    html = response.content.decode()
    assert response.redirect_chain == [(reverse("profile"), 302)]
    assert "Interface language updated." in html
    assert "Settings" in html
    rep.refresh_from_db()
    assert rep.language == "en"
    assert "Register lead" in client.get(reverse("home")).content.decode()


def test_the_api_reports_a_bad_phone_in_english_to_an_english_user(client, rep):
    # given
    token = issue_api_token(user=_english(rep))
    # when
    response = client.post(
        "/api/leads",
        {"company_name": "X", "phone": "12345"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    # then
    assert response.status_code == 422
    assert response.json()["errors"]["phone"][0] == "“12345” is not a valid phone number."


def test_every_english_string_is_translated_and_not_fuzzy():
    # given
    entries = _po_entries(EN_PO)
    # when
    untranslated = [e["msgid"] for e in entries if e["msgid"] and not all(e["msgstr"])]
    fuzzy = [e["msgid"] or "(header)" for e in entries if "fuzzy" in e["flags"]]
    # then
    assert len(entries) > 200
    assert untranslated == []
    assert fuzzy == []


def test_every_english_string_keeps_the_placeholders_of_its_source():
    # given
    entries = [e for e in _po_entries(EN_PO) if e["msgid"]]
    # when
    broken = [
        e["msgid"]
        for e in entries
        if any(
            sorted(PLACEHOLDER.findall(e["msgid"])) != sorted(PLACEHOLDER.findall(s))
            for s in e["msgstr"]
        )
    ]
    # then
    assert broken == []


def test_the_compiled_english_catalogue_matches_the_po_file():
    # given
    entries = [e for e in _po_entries(EN_PO) if e["msgid"] and len(e["msgstr"]) == 1]
    # when
    with EN_PO.with_suffix(".mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)

    def translated(e: dict) -> str:
        if e["msgctxt"] is None:
            return catalogue.gettext(e["msgid"])
        return catalogue.pgettext(e["msgctxt"], e["msgid"])

    stale = [e["msgid"] for e in entries if translated(e) != e["msgstr"][0]]
    # then
    assert stale == []
