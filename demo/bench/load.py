"""The load generators of ``make bench`` (loopback only, bounded in time and count).

Pages: wrk (Debian package ``wrk``, closed loop, C, one thread) with a Lua script that picks a
random URL of the page's list per request and prints p50/p95/p99 from wrk's full latency
histogram (wrk's ``--latency`` prints no p95). Saves: a small Python generator (threads and
``http.client``): every save needs a fresh CSRF token, form fields and the row's current version,
which wrk's fixed requests cannot carry. Both send the session cookie of a logged-in session.
"errors" are HTTP statuses >= 400 and timeouts (gunicorn's sync workers close every connection,
which wrk counts as socket read errors: those are not failures).
"""

from __future__ import annotations

import http.client
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from collections.abc import Callable

CSRF_SECRET = "benchcsrfsecretbenchcsrfsecret12"  # 32 chars: Django accepts it unmasked

LUA = """
local paths = {%(paths)s}
local n = #paths
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[math.random(n)], {["Cookie"] = "%(cookie)s"})
end
local non2xx = 0
response = function(status, headers, body)
  if status >= 300 then non2xx = non2xx + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format(
    "BENCHJSON {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%f, \\"p95\\": %%f, " ..
    "\\"p99\\": %%f, \\"errors\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    summary.errors.status + summary.errors.timeout))
end
"""


@dataclass
class Result:
    label: str
    connections: int
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int
    notes: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def drain(host: str, port: int, *, probes: int = 2, limit: float = 120.0) -> float:
    """Wait until the server has finished what a run left behind: wrk stops waiting at the end
    of a run, but a sync worker still computes every request it accepted (a slow page leaves a
    backlog that would otherwise land on the next page's figures). Idle = ``probes`` parallel
    requests to the login page all answered within 0.5 s. Returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        times: list[float] = []

        def probe(times: list[float] = times) -> None:
            t0 = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(host, port, timeout=limit)
                conn.request("GET", "/login/")
                conn.getresponse().read()
                times.append(time.perf_counter() - t0)
            except OSError:
                times.append(limit)

        threads = [threading.Thread(target=probe) for _ in range(probes)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if max(times) < 0.5:
            break
    return time.perf_counter() - started


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    label: str, base: str, paths: list[str], cookie: str, *, connections: int, seconds: int
) -> Result:
    """One wrk run (1 thread) over ``paths``; a 1-second warm-up first (not counted)."""
    script = LUA % {
        "paths": ", ".join(json.dumps(p) for p in paths),
        "cookie": cookie.replace('"', ""),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
        lua = fh.name
    try:
        for duration in (1, seconds):  # warm-up, then the measurement
            out = subprocess.run(
                [
                    "wrk",
                    "-t1",
                    f"-c{connections}",
                    f"-d{duration}s",
                    "--timeout",
                    "10s",
                    "-s",
                    lua,
                    base,
                ],
                capture_output=True,
                text=True,
                timeout=duration + 30,
                check=True,
            ).stdout
    finally:
        Path(lua).unlink(missing_ok=True)
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCHJSON "))
    data = json.loads(line.removeprefix("BENCHJSON "))
    return Result(label, connections, **data)


class Session:
    """A logged-in browser, reduced to what the saves need: cookies and form posts."""

    def __init__(self, host: str, port: int, session_cookie: str) -> None:
        self.host, self.port = host, port
        self.cookie = f"{session_cookie}; __Host-csrftoken={CSRF_SECRET}"
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, float]:
        body = urlencode({**fields, "csrfmiddlewaretoken": CSRF_SECRET})
        started = time.perf_counter()
        self.conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Cookie": self.cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}{path}",
            },
        )
        response = self.conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000


def run_saves(
    label: str,
    make_request: Callable[[int, int], tuple[str, dict[str, str]]],
    *,
    host: str,
    port: int,
    cookie: str,
    connections: int,
    count: int,
    after: Callable[[int, int], float | None] | None = None,
) -> tuple[Result, list[float]]:
    """``count`` saves spread over ``connections`` threads; ``make_request(thread, i)`` gives
    the path and fields; ``after(thread, i)`` (optional) waits for the follow-up (e.g. the
    analysis) and returns its latency in ms, measured from the start of the save."""
    latencies: list[float] = []
    follow: list[float] = []
    errors = [0]
    lock = threading.Lock()
    per_thread = max(1, count // connections)

    def worker(t: int) -> None:
        s = Session(host, port, cookie)
        for i in range(per_thread):
            path, fields = make_request(t, i)
            started = time.perf_counter()
            try:
                status, ms = s.post(path, fields)
            except OSError:  # a timeout or a dropped connection: a failed save, timed as such
                s = Session(host, port, cookie)
                status, ms = 0, (time.perf_counter() - started) * 1000
            extra = after(t, i) if after is not None and status in (200, 302, 303) else None
            with lock:
                latencies.append(ms)
                if status not in (200, 302, 303):
                    errors[0] += 1
                if extra is not None:
                    follow.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(connections)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.perf_counter() - started
    latencies.sort()
    return Result(
        label,
        connections,
        len(latencies),
        took,
        percentile(latencies, 50),
        percentile(latencies, 95),
        percentile(latencies, 99),
        errors[0],
    ), sorted(follow)


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
