import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from portal.env import cache_settings, database_settings, env_bool, mailer_settings
from tests.conftest import signed_in_client


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code == 405


def test_smtp_url_becomes_a_mailer():
    mailer = mailer_settings("smtp://user:p%40ss@mail.example.org:587")
    assert mailer["BACKEND"].endswith("smtp.EmailBackend")
    assert mailer["OPTIONS"]["host"] == "mail.example.org" and mailer["OPTIONS"]["password"] == "p@ss"
    assert mailer["OPTIONS"]["use_tls"] is True


def test_unknown_mailer_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured):
        mailer_settings("pigeon://loft")


def test_cache_url_redis_is_shared_cache():
    assert cache_settings("redis://127.0.0.1:6379/1")["BACKEND"].endswith("RedisCache")


def test_sqlite_transactions_take_the_write_lock_first_and_wait_for_it():
    sqlite = database_settings("sqlite:////tmp/portal.sqlite3", conn_max_age=0, sqlite_busy_timeout=20)
    assert sqlite["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 20}
    postgres = database_settings("postgres://portal@db:5432/portal", conn_max_age=60, sqlite_busy_timeout=20)
    assert "transaction_mode" not in postgres.get("OPTIONS", {}) and postgres["CONN_MAX_AGE"] == 60


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured):
        env_bool("FLAG")


def test_security_headers_and_csp_are_sent(client, db):
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_a_missing_page_uses_the_portal_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content and b"Skip to main content" in response.content


@pytest.mark.django_db
def test_a_missing_page_keeps_the_navigation_of_a_signed_in_person(cast):
    response = signed_in_client(cast.owner).get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr")
    body = response.content.decode()
    assert response.status_code == 404 and "Page introuvable" in body
    nav = body.split('<nav aria-label="Navigation principale"')[-1].split("</nav>")[0]
    for name in ("roster:expert_list", "needs:need_list", "password_change"):
        assert f'href="{reverse(name)}"' in nav
