"""Settings read from the environment (12-factor). With nothing set, Outturn runs on SQLite and local files."""

import datetime
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="outturn-insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "funding",
    "programmes",
    "reports",
    "cms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "funding.users_admin.OutturnUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "axes",
    "djmoney",
    "django_tasks",
    "django_tasks_db",  # the database queue for background tasks in production (TASKS_BACKEND)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.forms",  # lets the portal's form renderer find Django's own widget templates
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: refuses sign-in attempts from an address and account locked out for too many failures.
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: a provider's user who opens the back office is sent to the portal.
    "programmes.portal.access.ProvidersToPortalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
# A form post refused by CSRF protection gets a styled page too, like the handlers in config/urls.py.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "funding.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # a reset or invitation link works for three days
# Sign-in throttling (django-axes): five failures for one account from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Both sign-in forms (portal and admin) post the email address as "username", as Django's own form does.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "static")
# Built by `make` (scripts/build-assets.mjs) from GOV.UK Frontend, our Sass, fonts and images.
STATICFILES_DIRS = [BASE_DIR / "assets" / "build"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Evidence files are never under MEDIA_URL: they are served only by views that check who is asking.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": env("STATICFILES_BACKEND", default="whitenoise.storage.CompressedStaticFilesStorage")},
}

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://outturn")}

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Outturn <no-reply@outturn.invalid>")

TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend")}}

# Money: pounds sterling only, entered and read as exact decimals.
CURRENCIES = ("GBP",)
CURRENCY_CHOICES = [("GBP", "Pound sterling (£)")]
DEFAULT_CURRENCY = "GBP"

WAGTAIL_SITE_NAME = "Outturn"
# The site's public address (scheme, host and port, no path): every absolute link comes from it, in e-mails, the
# sitemap, the news feed, canonical and sharing links; the default Wagtail Site's host name and port are set from it
# by `migrate` and `load_demo_site` (cms.site).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
# Avatars are the default picture or one uploaded here: no request leaves the site for Gravatar, which would also
# receive a hash of each user's e-mail address.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_COMMENTS_ENABLED = False

# The demo data and the reports treat "today" as this date when set (ISO format), so a demo can be replayed.
OUTTURN_TODAY = env("OUTTURN_TODAY", default="")
# Days after a quarter ends that its return falls due, unless a grant says otherwise.
RETURN_DUE_DAYS_DEFAULT = env.int("RETURN_DUE_DAYS_DEFAULT", default=30)
# Working days (Monday to Friday, not bank holidays in England) a provider has to submit a return sent back for
# changes again; never before its original due date.
RETURN_RESUBMISSION_WORKING_DAYS = env.int("RETURN_RESUBMISSION_WORKING_DAYS", default=10)
# Counts of people from 1 to this less one show on the public site as "fewer than 5".
PUBLIC_SMALL_COUNT_THRESHOLD = env.int("PUBLIC_SMALL_COUNT_THRESHOLD", default=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # These log every task, sign-in attempt and PDF step at INFO; only their problems are worth reading.
    "loggers": {name: {"level": "WARNING"} for name in ("django_tasks", "axes", "weasyprint", "fontTools")},
}
