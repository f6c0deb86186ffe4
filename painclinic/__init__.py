# Empty on purpose: the pure modules of this package (numbers.py, estimates.py, charts.py) must be
# importable without Django or Celery. The Celery app is loaded by PainclinicConfig.ready() for
# the web process and found as ``painclinic.celery`` by ``celery -A painclinic`` for workers.
