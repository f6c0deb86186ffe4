"""URLs of the benchmark's floor server (``demo.bench.settings_bare``): the bare view only."""

from django.urls import path

from demo.bench.views import bare_caseload

urlpatterns = [path("bench/bare/", bare_caseload, name="bench_bare")]
