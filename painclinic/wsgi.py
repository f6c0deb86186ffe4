import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painclinic.settings")
application = get_wsgi_application()

from painclinic.warmup import warm_up_web_process  # noqa: E402  (needs the settings above)

warm_up_web_process()
