"""Ana finds the Export spot on Jannick's record and downloads his record as FHIR; Bob opens the
research export page (issue #17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.assessment.factories import answers_all, signed_result


@pytest.mark.django_db(transaction=True)
def test_ana_downloads_jannicks_record_from_the_export_spot(
    page, live_server, login, screenshot, ana, jannick
):
    signed_result(patient=jannick, key="pcs", answers=answers_all("pcs", 2), actor=ana)
    page.set_default_timeout(15_000)
    login("ana")
    page.goto(f"{live_server.url}/patients/{jannick.pk}/")
    export = page.get_by_role("region", name="Export")
    expect(export).to_be_visible()
    export.scroll_into_view_if_needed()
    screenshot("interop_01_record_export_spot")
    with page.expect_download() as info:
        export.get_by_role("link", name="Download record (FHIR)").click()
    download = info.value
    assert download.suggested_filename.startswith("fhir-record-demo-jannick-")
    bundle = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"


@pytest.mark.django_db(transaction=True)
def test_bob_sees_the_research_export_page(page, live_server, login, screenshot, bob, jannick):
    page.set_default_timeout(15_000)
    login("bob")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Research export").click()
    expect(page.get_by_role("heading", name="Research export of single-case data")).to_be_visible()
    screenshot("interop_02_research_export")
