# One image for every process of Rustmail for Django; docker-compose.yml gives each its command.
FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 DATA_DIR=/data DJANGO_SETTINGS_MODULE=rustmail.settings
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Static files (the panel's CSS and scripts, the admin's) collected with hashed names; whitenoise
# serves them from the web process. DEBUG only spares the build a secret key.
RUN DEBUG=true DATA_DIR=/tmp/build-data python manage.py collectstatic --noinput && rm -rf /tmp/build-data
# /data/media exists in the image so that a volume mounted there belongs to rustmail.
RUN useradd --create-home --uid 1000 rustmail && mkdir -p /data/media && chown -R rustmail /data
USER rustmail
EXPOSE 3002
# Alone (without compose) the image is the web process, migrating first.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec python manage.py runweb --bind 0.0.0.0"]
