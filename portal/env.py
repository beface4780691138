"""Typed readers for the environment: settings read it once, through these."""

import os
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def mailer_settings(url: str) -> dict[str, object]:
    """One entry of Django's MAILERS from a URL: smtp://, smtps://, console://, file:///path, locmem://."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": unquote(parts.path) or "var/mail"},
        }
    if scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured("EMAIL_URL needs a host, e.g. smtp://user:password@host:587")
        use_ssl = scheme == "smtps"
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname,
                "port": parts.port or (465 if use_ssl else 587),
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_ssl": use_ssl,
                "use_tls": not use_ssl and parse_qs(parts.query).get("tls", ["1"])[0] != "0",
                "timeout": 30,
            },
        }
    raise ImproperlyConfigured(f"EMAIL_URL scheme {scheme!r} is not supported")


def cache_settings(url: str) -> dict[str, object]:
    """One cache from a URL: locmem:// (one process) or redis://host:port/db (shared)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": parts.netloc or "portal"}
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(f"CACHE_URL scheme {scheme!r} is not supported")


TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}


def tasks_settings(name: str) -> dict[str, object]:
    """The default task backend: `database` (django-tasks-db, run by `manage.py db_worker` on any number of
    machines) or `immediate` (each task runs inside the request that enqueues it: a single-process development
    server without a worker)."""
    if name not in TASK_BACKENDS:
        raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {name!r}")
    return {"BACKEND": TASK_BACKENDS[name]}


def database_settings(url: str, *, conn_max_age: int, sqlite_busy_timeout: int) -> dict[str, object]:
    """The default database from a URL: postgres://… in production, sqlite:///path for a newcomer.

    SQLite starts every transaction as a writer (IMMEDIATE) and waits up to `sqlite_busy_timeout` seconds for
    the one before it: a transaction that read first and then tried to write would otherwise fail at once
    with "database is locked" when another writes at the same time, where PostgreSQL waits for the row lock;
    with the wait, the second of two saves reads the first one's version and is refused as a conflict.
    """
    database = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["OPTIONS"] = {
            **database.get("OPTIONS", {}),
            "transaction_mode": "IMMEDIATE",
            "timeout": sqlite_busy_timeout,
        }
    return database
