# OMOOC production image: gunicorn web, Celery worker and beat share it.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && mkdir -p /vendor && cp node_modules/hls.js/dist/hls.min.js node_modules/hls.js/dist/hls.min.js.map /vendor/

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 OMOOC_ENV=production OMOOC_VAR_DIR=/var/lib/omooc
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/omooc omooc
WORKDIR /app
COPY pyproject.toml ./
COPY omooc omooc
COPY courses courses
COPY production production
COPY api api
RUN pip install --no-cache-dir .
COPY . .
COPY --from=frontend /vendor/ static/vendor/
# collectstatic needs settings; the build-time secret is thrown away with this layer's environment.
RUN SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -d '\n') ALLOWED_HOSTS=build \
    python manage.py compile_translations && \
    SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -d '\n') ALLOWED_HOSTS=build STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --noinput
USER omooc
EXPOSE 8000
CMD ["gunicorn", "omooc.wsgi:application", "-c", "deploy/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
