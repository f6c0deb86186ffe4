# The Celery app (painclinic/celery.py) is loaded by PainclinicConfig.ready(), not here: a package
# __init__ runs on every import of a submodule, and the pure modules of this package (charts,
# tokens, ...) must import without Celery or Django (tests/test_pure_cores.py).
