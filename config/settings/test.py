import os
import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403

# Faster password hashing and in-memory files; behaviour is otherwise production's.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Serve static files from the apps' folders, so tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# SQLite tests use a database file rather than memory: the browser tests' live server answers requests in threads,
# and an in-memory database would make them share the test's one connection, so two requests at once (a page and
# its scripts' calls, each in ATOMIC_REQUESTS' transaction) could leave it outside autocommit for later tests.
# Each test process has its own file (pytest-django also names each xdist worker's), so two runs at once on one
# machine never share, or delete, each other's database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # In shared memory where the machine has it (Linux's /dev/shm): a file each thread opens, at memory's speed.
    folder = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    DATABASES["default"]["TEST"] = {"NAME": str(folder / f"outturn-test-{os.getpid()}.sqlite3")}  # noqa: F405
    # A test database is thrown away: it need not survive a power cut, so writes skip the disk's flush.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA synchronous=OFF"  # noqa: F405
