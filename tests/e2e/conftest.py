"""Browser journeys: Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("LOUDOU_CHROMIUM", "/usr/bin/chromium"))
# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (creating the cast) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run browser journeys")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Transactional tests flush every table, the data migrations' rows included; put the
    default regions, sources, grading rules, pipeline and cadence rules back the way the
    migrations wrote them."""
    import importlib

    from django.apps import apps

    for module in [
        "loudou.org.migrations.0002_reference_data",
        "loudou.leads.migrations.0003_default_rules",
        "loudou.pipeline.migrations.0002_default_pipeline",
        "loudou.pipeline.migrations.0004_mark_opportunity_stage",
        "loudou.activities.migrations.0002_default_cadence_and_calendar",
    ]:
        importlib.import_module(module).load(apps, None)


def log_in(page, live_server, username, password):
    """Sign in through the login page and wait for the signed-in header."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("header.top")).to_be_visible()
