"""Demo accounts for a newcomer's local portal: obviously fake addresses, a printed password."""

from django.db import transaction

from accounts.models import User
from accounts.services import secretariat_group
from reference.models import Country

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (printed on purpose for local demo logins)
DEMO_SECRETARIAT_EMAIL = "secretariat@demo.example.org"
# One State per regional group and one more in the largest groups, so that every view has data.
DEMO_FOCAL_POINT_STATES = ["KEN", "NGA", "IND", "IDN", "POL", "BRA", "MEX", "FRA"]


def demo_focal_point_email(iso3: str, n: int = 1) -> str:
    return f"focal{n}.{iso3.lower()}@demo.example.org"


@transaction.atomic
def demo_accounts_seed() -> list[tuple[str, str]]:
    """Create or refresh the demo logins; returns (e-mail, description) pairs."""
    logins: list[tuple[str, str]] = []
    staff, _ = User.objects.update_or_create(
        email=DEMO_SECRETARIAT_EMAIL,
        defaults={"role": User.Role.SECRETARIAT, "state": None, "is_staff": True, "full_name": "Demo Secretariat"},
    )
    staff.set_password(DEMO_PASSWORD)
    staff.save()
    staff.groups.add(secretariat_group())
    logins.append((staff.email, "secretariat (sees all States)"))
    for country in Country.objects.filter(iso3__in=DEMO_FOCAL_POINT_STATES).order_by("iso3"):
        for n in (1, 2):
            user, _ = User.objects.update_or_create(
                email=demo_focal_point_email(country.iso3, n),
                defaults={
                    "role": User.Role.FOCAL_POINT,
                    "state": country,
                    "full_name": f"Demo Focal Point {n} {country.iso3}",
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            logins.append((user.email, f"focal point for {country.name}"))
    return logins
