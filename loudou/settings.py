"""Loudou settings: one module, read from the environment (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Read a variable; NAME_FILE (a path) takes precedence for secrets."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = env(name, default).lower()
    if value not in {"true", "false", "1", "0", "yes", "no"}:
        raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")
    return value in {"true", "1", "yes"}


def envint(name: str, default: str) -> int:
    value = env(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = envbool("LOUDOU_DEBUG", "false")
SECRET_KEY = env("LOUDOU_SECRET_KEY", "loudou-insecure-development-key-change-me-in-production")
ALLOWED_HOSTS = [h for h in env("LOUDOU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
SITE_URL = env("LOUDOU_SITE_URL", "http://127.0.0.1:8000")
DATA_DIR = Path(env("LOUDOU_DATA_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "loudou.core.admin_site.LoudouAdminConfig",  # django.contrib.admin, every save audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "loudou.core",
    "loudou.org",
    "loudou.compliance",
    "loudou.customers",
    "loudou.leads",
    "loudou.pipeline",
    "loudou.activities",
    "loudou.notifications",
    "loudou.webforms",
    "loudou.imports",
    "loudou.assignment",
    "loudou.targets",
    "loudou.commerce",
    "loudou.service",
    "loudou.scoring",
    "loudou.analytics",
    "loudou.health",
    "loudou.teamwork",
    "loudou.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "loudou.org.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "loudou.urls"
WSGI_APPLICATION = "loudou.wsgi.application"
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["loudou.org.auth.ThrottledLoginBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "loudou" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "loudou.org.context_processors.navigation",
            ],
        },
    },
]


def _database() -> dict:
    url = env("LOUDOU_DATABASE_URL")
    if url:
        return dj_database_url.parse(url, conn_max_age=60)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env("LOUDOU_SQLITE_PATH", str(DATA_DIR / "loudou.sqlite3")),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA busy_timeout=20000;",
        },
        # A file, not memory, so that threads in concurrency tests share one database.
        "TEST": {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")},
    }


DATABASES = {"default": _database()}
# A streaming replica of the default database for the analytics reads (ADR 0018). In tests
# it mirrors `default`, so that every test reads what it wrote.
if env("LOUDOU_REPLICA_DATABASE_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(env("LOUDOU_REPLICA_DATABASE_URL"), conn_max_age=60),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["loudou.core.replica.ReplicaRouter"]


_CACHE_BACKENDS = {
    "redis": "django.core.cache.backends.redis.RedisCache",  # needs the `redis` package
    "rediss": "django.core.cache.backends.redis.RedisCache",
    "pymemcache": "django.core.cache.backends.memcached.PyMemcacheCache",
    "db": "django.core.cache.backends.db.DatabaseCache",  # `manage.py createcachetable`
}


def _cache() -> dict:
    """LOUDOU_CACHE_URL: empty → memory of each process (LocMemCache); redis://host:6379/0,
    pymemcache://host:11211 or db://table_name → one cache shared by every process (the
    web-form rate limit then counts across workers)."""
    url = env("LOUDOU_CACHE_URL")
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    scheme, _sep, rest = url.partition("://")
    if scheme not in _CACHE_BACKENDS or not rest:
        raise ImproperlyConfigured(f"LOUDOU_CACHE_URL: unknown cache {url!r}")
    return {"BACKEND": _CACHE_BACKENDS[scheme], "LOCATION": url if "redis" in scheme else rest}


CACHES = {"default": _cache()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_LOCKOUT_ATTEMPTS = envint("LOUDOU_LOGIN_LOCKOUT_ATTEMPTS", "5")
LOGIN_LOCKOUT_MINUTES = envint("LOUDOU_LOGIN_LOCKOUT_MINUTES", "15")
LOGIN_IP_ATTEMPTS = envint("LOUDOU_LOGIN_IP_ATTEMPTS", "50")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "loudou" / "locale"]
TIME_ZONE = env("LOUDOU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
PHONE_DEFAULT_REGION = env("LOUDOU_PHONE_REGION", "CN")

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = envbool("LOUDOU_SECURE_COOKIES", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],  # no inline script, no eval (the API docs page: loudou/api.py)
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
}

DEFAULT_FROM_EMAIL = env("LOUDOU_FROM_EMAIL", "loudou@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOUDOU_LOG_LEVEL", "WARNING")},
    # every task's start and end is logged at INFO: a failed task (ERROR) is what to see
    "loggers": {"django.tasks": {"level": env("LOUDOU_LOG_LEVEL", "WARNING")}},
}
STATICFILES_DIRS = [BASE_DIR / "loudou" / "static"]

# --- notifications: email, robot webhooks and the background worker (loudou/notifications) --
# Email goes through Django's default mailer (MAILERS replaces the deprecated EMAIL_*
# settings in Django 6.1). Without LOUDOU_EMAIL_HOST, mail is printed to the console.
_email_host = env("LOUDOU_EMAIL_HOST")
if _email_host:
    _smtp = {
        "host": _email_host,
        "username": env("LOUDOU_EMAIL_USER"),
        "password": env("LOUDOU_EMAIL_PASSWORD"),
        "use_tls": envbool("LOUDOU_EMAIL_USE_TLS", "false"),
        "use_ssl": envbool("LOUDOU_EMAIL_USE_SSL", "false"),
        "timeout": 10,
    }
    if _smtp["use_tls"] and _smtp["use_ssl"]:
        raise ImproperlyConfigured("Set at most one of LOUDOU_EMAIL_USE_TLS and _USE_SSL.")
    if env("LOUDOU_EMAIL_PORT"):
        _smtp["port"] = envint("LOUDOU_EMAIL_PORT", "25")
    MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": _smtp}
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Seconds a robot webhook (WeCom, DingTalk, Feishu) may take to answer before a retry.
LOUDOU_WEBHOOK_TIMEOUT: float = envint("LOUDOU_WEBHOOK_TIMEOUT", "5")
# One transport module per delivery channel (tests swap in fakes).
LOUDOU_NOTIFICATION_TRANSPORTS = {
    "email": "loudou.notifications.transports.email",
    "wecom": "loudou.notifications.transports.wecom",
    "dingtalk": "loudou.notifications.transports.dingtalk",
    "feishu": "loudou.notifications.transports.feishu",
}

# Background tasks: Django Tasks with the database queue of django-tasks-db, run by
# `uv run loudou worker` (docs/adr/0005-background-worker.md).
# LOUDOU_TASKS_BACKEND=redis puts the queue in Redis (django-tasks-redis, LOUDOU_REDIS_URL)
# for several web servers and workers; the database queue stays the default.
INSTALLED_APPS += ["django_tasks_db"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if env("LOUDOU_TASKS_BACKEND", "database") == "redis":
    INSTALLED_APPS += ["django_tasks_redis"]
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_redis.RedisTaskBackend",
            "QUEUES": [],
            "OPTIONS": {
                "REDIS_URL": env("LOUDOU_REDIS_URL", "redis://127.0.0.1:6379/0"),
                "REDIS_KEY_PREFIX": env("LOUDOU_REDIS_PREFIX", "loudou_tasks"),
            },
        }
    }
elif env("LOUDOU_TASKS_BACKEND", "database") != "database":
    raise ImproperlyConfigured("LOUDOU_TASKS_BACKEND must be database or redis")
# Periodic jobs the worker enqueues: (dotted path of a task, every N seconds).
LOUDOU_PERIODIC_TASKS = [
    ("loudou.activities.tasks.scan_reminders", 60),
    ("loudou.notifications.tasks.deliver_notifications", 30),
    ("loudou.notifications.tasks.prune_task_results", 24 * 3600),
    ("loudou.assignment.tasks.recycle_leads", 3600),
    ("loudou.targets.tasks.remind_milestones", 3600),
    ("loudou.targets.tasks.remind_actions", 3600),
    ("loudou.health.tasks.hourly", 3600),
    ("loudou.webforms.tasks.prune_spam", 24 * 3600),
    ("loudou.core.tasks.refresh_planner_statistics", 24 * 3600),
    ("loudou.org.tasks.purge_login_counts", 24 * 3600),
    ("loudou.imports.tasks.restart_analyses", 600),
    ("loudou.teamwork.tasks.remind_due_items", 3600),
    ("loudou.service.tasks.refresh_tiers", 24 * 3600),
    ("loudou.service.tasks.remind_due_actions", 3600),
    ("loudou.service.tasks.escalate_tickets", 300),
    ("loudou.compliance.tasks.purge_personal_data", 24 * 3600),
    ("loudou.scoring.tasks.retrain_lead_score", 24 * 3600),
    ("loudou.analytics.tasks.snapshot_director_targets", 600),
]
#: Lost or invalid leads untouched for this many days have their personal data (names,
#: contact details, notes, follow-up texts) anonymised by the worker; figures are kept.
LOUDOU_RETENTION_DAYS = envint("LOUDOU_RETENTION_DAYS", "1095")
#: How long refused web-form posts are kept for administrators to review.
LOUDOU_SPAM_KEPT_DAYS = int(os.environ.get("LOUDOU_SPAM_KEPT_DAYS", "90"))

# --- imports: what an uploaded file may hold (loudou/imports; docs/domain/imports.md) ------
_MB = 1024 * 1024
#: Bytes an upload may have; a larger one is refused while it is being stored.
LOUDOU_IMPORT_MAX_BYTES = envint("LOUDOU_IMPORT_MAX_BYTES", str(100 * _MB))
#: Data rows a file may have; a longer file is refused as a whole, never cut short.
LOUDOU_IMPORT_MAX_ROWS = envint("LOUDOU_IMPORT_MAX_ROWS", "1000000")
#: An .xlsx: bytes all its parts may inflate to, the compression ratio any part over 1 MB
#: may have, and the bytes of its shared-string table (read whole into memory).
LOUDOU_IMPORT_MAX_XLSX_UNCOMPRESSED = envint("LOUDOU_IMPORT_MAX_XLSX_UNCOMPRESSED", str(1024 * _MB))
LOUDOU_IMPORT_MAX_XLSX_RATIO = envint("LOUDOU_IMPORT_MAX_XLSX_RATIO", "100")
LOUDOU_IMPORT_MAX_XLSX_SHARED_STRINGS = envint(
    "LOUDOU_IMPORT_MAX_XLSX_SHARED_STRINGS", str(64 * _MB)
)
#: Files that read through more bytes than this (an .xlsx: inflated) are checked row by
#: row by the worker, not in the web request (the job shows 分析中 meanwhile).
LOUDOU_IMPORT_INLINE_BYTES = envint("LOUDOU_IMPORT_INLINE_BYTES", str(4 * _MB))

# --- commerce: quotes and contract attachments (loudou/commerce; docs/domain/commerce.md) --
#: A quote more than this many percent below list price waits for the owner's manager or
#: a director (待审批); at or below it, submitting approves it.
LOUDOU_QUOTE_APPROVAL_DISCOUNT_PCT = envint("LOUDOU_QUOTE_APPROVAL_DISCOUNT_PCT", "10")
#: Bytes a contract attachment may have (PDF, PNG, JPEG, DOCX, XLSX; stored under DATA_DIR).
LOUDOU_ATTACHMENT_MAX_BYTES = envint("LOUDOU_ATTACHMENT_MAX_BYTES", str(10 * _MB))
