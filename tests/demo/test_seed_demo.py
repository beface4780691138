import pytest
from django.core.management import CommandError, call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_prints_logins_and_is_idempotent(capsys):
    call_command("seed_demo", "--seed", "3", "--force")
    first = set(User.objects.values_list("email", "role", "state_id"))
    out = capsys.readouterr().out
    assert "secretariat@demo.example.org" in out and DEMO_PASSWORD in out
    call_command("seed_demo", "--seed", "3", "--force")
    assert set(User.objects.values_list("email", "role", "state_id")) == first
    assert User.objects.get(email="secretariat@demo.example.org").check_password(DEMO_PASSWORD)


def test_seed_demo_refuses_published_passwords_outside_debug():
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo")
    assert not User.objects.exists()
