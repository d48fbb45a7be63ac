# One image for every Django process: web (gunicorn), worker and beat (Celery), and the one-shot
# migrate service. docker-compose.yml runs it; `docker build -t luanchuyen .` builds it alone.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

# WeasyPrint's runtime libraries, and Liberation Serif (Times-metric, full Vietnamese) for decisions.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Requirements first: the dependency layer is rebuilt only when they change.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Static files belong to the image (WhiteNoise serves them). The key only lets settings load here;
# the real one comes from the environment at run time.
RUN SECRET_KEY=collectstatic-at-build-time-only DEBUG=false \
    python manage.py collectstatic --noinput

# Run as an unprivileged user. A new named volume mounted at /data/media takes this owner. The home
# directory is gunicorn's place for its control socket.
RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid app --create-home --home-dir /home/app app \
    && mkdir -p /data/media \
    && chown app:app /data/media
USER app

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "-b", "0.0.0.0:8000"]
