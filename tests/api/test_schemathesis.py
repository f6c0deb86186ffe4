"""Schemathesis runs the API's own OpenAPI schema against a live server (issue #17): every
operation, generated valid and invalid inputs, zero server errors and every answer as the schema
says (status code, content type, headers, body).

The server is pytest-django's ``live_server`` (this process, the test database); Ana, who has
Jannick on her caseload, lends it a read-and-write token. The path ids are pinned to Jannick's
records so the generated bodies and queries reach the code behind the 404 (a random UUID would
only ever test the 404). Bounded: ``SCHEMATHESIS_MAX_EXAMPLES`` examples per operation (default
25), so the run takes a few minutes on two cores."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.signals import got_request_exception

from api.throttling import PerTokenOrUserThrottle, WriteThrottle
from tests.api.conftest import token_for

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "ignored_auth",
    )
)


@pytest.mark.timeout(900)
@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema(
    live_server, jannick_record, ana, tmp_path, monkeypatch
):
    # The fuzzer sends thousands of requests a minute: the rate limit is not what is tested here.
    rates = {"token_or_user": "100000/min", "writes": "100000/min"}
    monkeypatch.setattr(PerTokenOrUserThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(WriteThrottle, "THROTTLE_RATES", rates)
    raw = token_for(ana)
    record = jannick_record
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n"
        + "".join(
            f'"path.{name}" = {json.dumps(str(record[name]))}\n'
            for name in ("patient_id", "study_id", "measurement_id")
        )
    )
    report = tmp_path / "report"
    examples = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
    executable = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    command = [
        executable,
        "--config-file",
        str(config),
        "run",
        f"{live_server.url}/api/v1/schema/",
        "--header",
        f"Authorization: Bearer {raw}",
        "--checks",
        CHECKS,
        "--max-examples",
        examples,
        "--workers",
        "1",
        "--seed",
        "17",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-dir",
        str(report),
        "--no-color",
    ]
    # Counted in the server itself (the live server runs in this process), not only by the tool.
    server_errors = []

    def count(sender, request=None, **kwargs):
        server_errors.append(getattr(request, "path", "?"))

    got_request_exception.connect(count)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=840)
    finally:
        got_request_exception.disconnect(count)
    (Path(os.environ.get("SCHEMATHESIS_LOG", tmp_path / "run.log"))).write_text(result.stdout)
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-2000:]
    (report_file,) = report.glob("*.json")
    figures = json.loads(report_file.read_text())
    operations, cases = figures["operations"], figures["test_cases"]
    print(
        f"schemathesis: {operations['tested']} operations, {cases['generated']} test cases, "
        f"{cases['with_failures']} failing, {len(server_errors)} server errors"
    )
    assert operations["tested"] == operations["total"] >= 13
    assert figures["failures"] == []
    assert figures["errors"] == []
    assert cases["generated"] >= operations["tested"]
    assert cases["with_failures"] == 0
    assert server_errors == []
