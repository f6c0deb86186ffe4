"""In the browser (issue #17): Bob, after two-step verification, creates an API token for the ward
tablet from the top bar, sees it once, and reads the API documentation page, drawn from the
packaged Swagger UI under the strict CSP (nothing blocked, nothing from a CDN)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from api.models import ApiToken


@pytest.mark.django_db(transaction=True)
def test_bob_creates_a_token_and_reads_the_api_documentation(
    page, live_server, login, screenshot, bob
):
    blocked = []
    outside = []
    page.on(
        "console",
        lambda m: (
            blocked.append((page.url, m.text[:120]))
            if "Content Security Policy" in m.text
            else None
        ),
    )
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    login("bob")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    page.get_by_label("Name").fill("Ward tablet diary")
    page.get_by_label("Allows").select_option("write")
    page.get_by_role("button", name="Create token").click()
    shown = page.get_by_test_id("new-token")
    expect(shown).to_contain_text("will not be shown again")
    assert ApiToken.objects.get(user=bob).prefix in shown.inner_text()
    screenshot("api_01_token_created")

    page.get_by_role("link", name="API documentation").click()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Painclinic API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 13
    screenshot("api_02_documentation")
    # Nothing of the documentation page is blocked (htmx's indicator style on the other pages
    # is not this story's).
    assert [text for url, text in blocked if "/api/v1/docs/" in url] == []
    assert outside == []
