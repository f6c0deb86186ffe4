# painclinic web and worker image. Built by `docker compose build`; runs as a non-root user.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_STATIC_ROOT=/app/staticfiles DJANGO_MEDIA_ROOT=/data/media CHART_CACHE_DIR=/data/chart-cache MPLCONFIGDIR=/tmp/matplotlib

# pango for WeasyPrint (treatment summaries and GP letters as PDF); gettext for compilemessages.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    fonts-dejavu-core gettext && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic and compilemessages (the translations in locale/, .mo never committed) need
# settings but no database or secrets of the deployment.
RUN DJANGO_SECRET_KEY=build-only DJANGO_DEBUG=0 python manage.py collectstatic --noinput -v0 \
    && DJANGO_SECRET_KEY=build-only DJANGO_DEBUG=0 python manage.py compilemessages -v0 \
    && useradd --create-home --uid 10001 painclinic \
    && mkdir -p /data/media /data/chart-cache && chown -R painclinic /data

USER painclinic
EXPOSE 8000
CMD ["gunicorn", "painclinic.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--timeout", "60", "--access-logfile", "-"]
