"""Django settings for Rustmail for Django.

Every value comes from the environment through ``rustmail.env`` (strict parsing, documented
defaults: see the README's configuration table). Malformed values are reported by the system checks
in ``rustmail.checks`` and stop startup.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import dj_database_url

from rustmail.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_proxy_header,
    env_secret_key,
    env_snowflake,
    env_str,
    env_timezone,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file and the broker folder live here

DEBUG = env_bool("DEBUG", False)
DEVELOPMENT_SECRET_KEY = "rustmail-development-only-secret-key-never-use-in-production"
SECRET_KEY = env_secret_key(debug=DEBUG, development_default=DEVELOPMENT_SECRET_KEY, data_dir=DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
PORT = env_int("PORT", 3002, minimum=1, maximum=65535)
# Processes of the web server (`manage.py runweb`, which `make run` and the Docker image start): one
# runs Python on one core at a time, and its requests' Django code in one thread, which waits on the
# database and the network in turn: one per CPU core, plus one to use a core while another waits.
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", _CORES + 1, minimum=1, maximum=64)
TIME_ZONE = env_timezone("TIME_ZONE", "UTC")

# Discord access. DISCORD_API_BASE points every process (bot, web, worker) at another base URL, such as
# the local emulator; unset means Discord itself.
DISCORD_TOKEN = env_str("DISCORD_TOKEN")
DISCORD_CLIENT_ID = env_snowflake("DISCORD_CLIENT_ID")
DISCORD_CLIENT_SECRET = env_str("DISCORD_CLIENT_SECRET")
DISCORD_API_BASE = (
    env_url("DISCORD_API_BASE", schemes=("http", "https")) or "https://discord.com/api/v10"
).rstrip("/")

# The bot runs service calls in this many threads (events of one user always in order).
BOT_SERVICE_THREADS = env_int("BOT_SERVICE_THREADS", 8, minimum=1, maximum=64)

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "rest_framework",
    "drf_spectacular",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.discord",
    "tickets",
    "apikeys",
    "panel",
    "botrunner",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "rustmail.urls"
WSGI_APPLICATION = "rustmail.wsgi.application"
ASGI_APPLICATION = "rustmail.asgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DEFAULT_SQLITE_URL = f"sqlite:///{DATA_DIR / 'rustmail.sqlite3'}"
DATABASE_URL = env_url("DATABASE_URL", schemes=("sqlite", "postgres", "postgresql")) or DEFAULT_SQLITE_URL
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue instead of
    # failing with "database is locked" when a read transaction tries to upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file (not memory) so the concurrency tests' threads share it; one per run, so runs side by
    # side do not delete each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password login is for Django superusers only (the panel's sign-in form, the Django admin); every
# other panel user signs in with Discord (allauth's social login needs no backend of its own).
AUTHENTICATION_BACKENDS = ["panel.auth.backends.SuperuserPasswordBackend"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- HTTPS in production (see the README's "Deploying"): all off by default, from the environment --
# Cookies only over HTTPS unless DEBUG (browsers accept them from http://localhost too).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The health check of a container or load balancer speaks plain HTTP to the process itself.
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0, maximum=2 * 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# "X-Forwarded-Proto": behind a proxy that terminates TLS, the header telling Django a request was
# HTTPS (only set it when the proxy always sets or strips that header).
SECURE_PROXY_SSL_HEADER = env_proxy_header("SECURE_PROXY_SSL_HEADER")
# Django's debug pages never show a password of DATABASE_URL or REDIS_URL.
DEFAULT_EXCEPTION_REPORTER_FILTER = "rustmail.logfilters.SafeReporterFilter"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- Live events (tickets.events, panel.live): the outbox table every web process follows -----------
# Seconds between two reads of the outbox by a web process (with Redis, a ping wakes it at once).
LIVE_EVENTS_POLL = 0.2
# Seconds events are kept for pages that reconnect (the worker trims older ones).
LIVE_EVENTS_RETENTION = env_int("LIVE_EVENTS_RETENTION", 3600, minimum=60)
# Most events a reconnecting page is sent; beyond that it is told to reload what it shows.
LIVE_EVENTS_CATCH_UP = 1000
# Seconds a WebSocket trusts the permissions it computed before checking them again.
LIVE_EVENTS_ACCESS_RECHECK = 30.0

# Channels: in memory on embedded defaults, Redis when REDIS_URL is set.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery: the worker and beat (tickets.tasks) -------------------------------------------------
# Redis is the broker when REDIS_URL is set. Without it, kombu's filesystem transport keeps the
# queue as files in DATA_DIR/celery: no server to run, the same tasks, and several local processes
# can share it (a message taken twice in a race is harmless: every job is claimed in the database).
CELERY_BROKER_DIR = DATA_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task not acknowledged within an hour is delivered again (tasks are idempotent).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://localhost//"
    for _folder in ("queue", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 1.0,
    }
    # The filesystem transport has no broadcast worth the polling: no remote control, no events.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# Threads: the tasks wait on Discord and the database, and SQLite prefers one process writing.
CELERY_WORKER_POOL = "threads"
CELERY_WORKER_CONCURRENCY = 4
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# Seconds between two looks for due closes, reminders and prompt timeouts; a look that could not
# start within that time is dropped (the next one does its work).
SCHEDULER_TICK = 5.0
CELERY_BEAT_SCHEDULE = {
    "closures": {"task": "tickets.run_due_closures", "schedule": SCHEDULER_TICK},
    "reminders": {"task": "tickets.run_due_reminders", "schedule": SCHEDULER_TICK},
    "category-prompts": {"task": "tickets.expire_category_prompts", "schedule": SCHEDULER_TICK},
    "blocks": {"task": "tickets.expire_blocks", "schedule": 60.0},
    "channel-names": {"task": "tickets.refresh_channel_names", "schedule": 60.0},
    # Tickets left without a channel: repaired or cancelled (tickets.services.opening).
    "stuck-tickets": {"task": "tickets.repair_stuck_tickets", "schedule": 60.0},
    "expired-sessions": {"task": "tickets.clear_expired_sessions", "schedule": 3600.0},
    "live-events": {"task": "tickets.live_events_housekeeping", "schedule": 5.0},
    # Stored attachments past ATTACHMENT_RETENTION_DAYS deleted, downloads left pending retried.
    "attachments": {"task": "tickets.attachments_housekeeping", "schedule": 600.0},
}
for _entry in CELERY_BEAT_SCHEDULE.values():
    _entry["options"] = {"expires": _entry["schedule"]}
# Threads one task uses to carry out due jobs (each claims its own; Discord's rate still applies).
SCHEDULER_THREADS = env_int("SCHEDULER_THREADS", 8, minimum=1, maximum=64)
# Requests per second one process sends to Discord's REST API (Discord allows 50 per bot token:
# raise it only for a REST proxy or the local emulator).
DISCORD_REST_RATE = env_int("DISCORD_REST_RATE", 50, minimum=1, maximum=100_000)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [],
    # orjson: the output of DRF's JSONRenderer, several times faster (panel/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["panel.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rustmail for Django API",
    "DESCRIPTION": "REST API of the modmail bot: panel endpoints (session) and external endpoints (API key).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

SOCIALACCOUNT_PROVIDERS = {
    "discord": {
        "APPS": [
            {
                "client_id": str(DISCORD_CLIENT_ID or ""),
                "secret": DISCORD_CLIENT_SECRET,
                "key": "",
            }
        ],
        "SCOPE": ["identify", "guilds"],
    }
}
SOCIALACCOUNT_STORE_TOKENS = True
ACCOUNT_EMAIL_VERIFICATION = "none"

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
# The worker's per-task lines (received, succeeded) come every few seconds: warnings only unless
# LOG_LEVEL=DEBUG, so failures stand out; the beat's "sending due task" lines are dropped likewise.
ROUTINE_LEVEL = "DEBUG" if LOG_LEVEL == "DEBUG" else "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"skip_routine": {"()": "rustmail.logfilters.SkipRoutine"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": [] if LOG_LEVEL == "DEBUG" else ["skip_routine"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler (DEBUG only) would print every django.request line a second
        # time beside the root's: Django's records go to the root handler alone.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.db.backends": {"level": "INFO"},
        "celery.app.trace": {"level": ROUTINE_LEVEL},
        "celery.worker.strategy": {"level": ROUTINE_LEVEL},
    },
}

# --- REST API: errors, authentication, login, rate limits ---------------------------------------
# Every API error is {"error": "..."} (one exception handler); panel endpoints authenticate with the
# Django session of the Discord login and check panel permissions; /api/externals/* use API keys.
REST_FRAMEWORK["EXCEPTION_HANDLER"] = "panel.exceptions.api_exception_handler"
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = ["panel.auth.authentication.PanelSessionAuthentication"]
REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] = ["panel.auth.permissions.HasPanelPermission"]
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "panel.schema.ApiAutoSchema"
SPECTACULAR_SETTINGS["SERVE_AUTHENTICATION"] = []
SPECTACULAR_SETTINGS["COMPONENT_SPLIT_REQUEST"] = True
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "PresenceEnum": "tickets.services.botcontrol.PRESENCES",
    "LanguageEnum": "tickets.configschema.SUPPORTED_LANGUAGES",
    "PanelPermissionEnum": "panel.selectors.ALL_PERMISSIONS",
}

# The Discord login (allauth): its URLs follow DISCORD_API_BASE, its client ID and secret come from
# the environment or else the bot configuration, and its callback is /api/auth/callback.
SOCIALACCOUNT_ADAPTER = "panel.auth.adapter.PanelSocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS["discord"]["provider_class"] = "panel.auth.discord.PanelDiscordProvider"
# Seconds a panel user's computed permissions are cached (Rustmail: 60); 0 turns the cache off.
PANEL_ACCESS_CACHE_SECONDS = env_int("PANEL_ACCESS_CACHE_SECONDS", 60, minimum=0)
# Where the panel lives: the login and the logout end there (default "/").
PANEL_URL = env_str("PANEL_URL", "/")
LOGIN_REDIRECT_URL = PANEL_URL
ACCOUNT_LOGOUT_REDIRECT_URL = PANEL_URL

# Limits of the external API, beyond Rustmail (as Ticketeer and Rimpllee do): ticket creations per
# API key per minute (default 30), and seconds between two tickets opened for one user (default 20,
# 0 turns it off). Counted in Django's cache: Redis when REDIS_URL is set, so web processes share them.
EXTERNAL_API_RATE_PER_MINUTE = env_int("EXTERNAL_API_RATE_PER_MINUTE", 30, minimum=1)
EXTERNAL_API_USER_COOLDOWN = env_int("EXTERNAL_API_USER_COOLDOWN", 20, minimum=0)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # --- Persistent cache without Redis: a database table (made by botrunner's migration 0001) --
    # Rate-limit counters and cooldowns outlive a restart and are shared by every process.
    CACHES = {
        "default": {
            "BACKEND": "rustmail.cache.AtomicDatabaseCache",
            "LOCATION": "rustmail_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# --- Ticket channels: a ticket whose channel Discord refused (or whose creator died) ------------
# Seconds a ticket without a channel is left to the request creating it; after that the next
# attempt for its user, or the worker's sweep, repairs it (if it holds messages) or cancels it.
TICKET_CHANNEL_GRACE_SECONDS = env_int("TICKET_CHANNEL_GRACE_SECONDS", 60, minimum=5, maximum=86_400)

# --- Sign-in: allauth is the Discord login only ------------------------------------------------
# No local sign-up, e-mail or password pages (rustmail.urls answers them with a redirect); the
# login's state lives in a session that expires after LOGIN_STATE_SECONDS unless the login ends.
ACCOUNT_ADAPTER = "panel.auth.adapter.PanelAccountAdapter"
LOGIN_STATE_SECONDS = 600

# --- Web panel: static files, htmx, pages --------------------------------------------------------
# whitenoise serves /static/ from every process (daphne, `make run`, docker) with no web server in
# front. Without a collectstatic (development, tests) it finds the files in the apps themselves;
# with one (the Docker image runs it at build time) it serves STATIC_ROOT with hashed, compressed
# names (a file added after the collectstatic is linked by its plain name).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
_COLLECTING_STATIC = sys.argv[1:2] == ["collectstatic"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "panel.staticstorage.PanelStaticFilesStorage"
        if _COLLECTING_STATIC or (not DEBUG and (STATIC_ROOT / "staticfiles.json").exists())
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# --- Attachments: the files users and staff send, stored for good --------------------------------
# Discord's attachment URLs expire after about a day: each file is downloaded once and kept in the
# "attachments" storage (DATA_DIR/media by default, any S3-compatible store when
# ATTACHMENTS_S3_BUCKET is set), served only through an authenticated URL, never a public path.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
ATTACHMENTS_S3_BUCKET = env_str("ATTACHMENTS_S3_BUCKET")
_S3_ADDRESSING = env_choice("ATTACHMENTS_S3_ADDRESSING_STYLE", "AUTO", ("AUTO", "PATH", "VIRTUAL"))
if ATTACHMENTS_S3_BUCKET:
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ATTACHMENTS_S3_BUCKET,
            "endpoint_url": env_url("ATTACHMENTS_S3_ENDPOINT_URL", schemes=("http", "https")),
            "region_name": env_str("ATTACHMENTS_S3_REGION") or None,
            "access_key": env_str("ATTACHMENTS_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("ATTACHMENTS_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("ATTACHMENTS_S3_PREFIX"),
            "addressing_style": None if _S3_ADDRESSING == "AUTO" else _S3_ADDRESSING.lower(),
            "default_acl": None,
            "querystring_auth": True,
        },
    }
else:
    STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
# --- Statistics: seconds the panel and the API serve figures computed earlier (0: every time) -----
STATISTICS_CACHE_SECONDS = env_int("STATISTICS_CACHE_SECONDS", 60, minimum=0, maximum=3600)

# Files larger than this are announced (name, size) but not downloaded nor stored.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024, minimum=1, maximum=2**40)
# Stored files are deleted this many days after their message (0: kept for good).
ATTACHMENT_RETENTION_DAYS = env_int("ATTACHMENT_RETENTION_DAYS", 0, minimum=0, maximum=36500)
# Without a collectstatic, STATIC_ROOT does not exist: nothing to warn about.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "panel.pages.language.UserLanguageMiddleware",  # a user's chosen language wins
)
MIDDLEWARE.append("django_htmx.middleware.HtmxMiddleware")
INSTALLED_APPS.insert(INSTALLED_APPS.index("django.contrib.staticfiles"), "whitenoise.runserver_nostatic")
INSTALLED_APPS.append("django_htmx")
TEMPLATES[0]["OPTIONS"]["context_processors"] += [
    "django.template.context_processors.i18n",
    "panel.pages.access.panel_context",
]
# Pages send anonymous visitors to the sign-in page, which passes ?next= on to the login.
LOGIN_URL = "/"

# --- Secrets at rest (tickets.crypto): earlier SECRET_KEYs still decrypt, for a rotation -------
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

# --- Bad input answered, not crashed on: body size, deep JSON, admin date filters ---------------
# A request body above this many bytes is a 413 (JSON under /api, a page elsewhere).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The API's JSON parser refuses bodies nested too deeply (400) instead of failing.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["panel.parsers.ApiJSONParser"]
# Date drill-down filters of the admin that no date can be built from are dropped (not a 500).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware"),
    "rustmail.middleware.AdminDateFilterGuard",
)
