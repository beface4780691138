"""People who sign in: secretariat staff and focal points, each focal point bound to one State."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import erasure


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("role", User.Role.SECRETARIAT)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat")
        FOCAL_POINT = "focal_point", _("Focal point")

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    state = models.ForeignKey(
        "reference.Country",
        verbose_name=_("State"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="focal_points",
    )
    language = models.CharField(
        _("language for mail"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the secretariat admin"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # A focal point speaks for exactly one State; the secretariat for none in particular.
            models.CheckConstraint(
                condition=(
                    models.Q(role="focal_point", state__isnull=False) | models.Q(role="secretariat", state__isnull=True)
                ),
                name="user_role_state_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_secretariat(self) -> bool:
        return self.is_active and self.role == self.Role.SECRETARIAT

    @property
    def is_focal_point(self) -> bool:
        return self.is_active and self.role == self.Role.FOCAL_POINT and self.state_id is not None

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


erasure.exempt(User, reason="accounts of focal points and secretariat staff, not experts; closed by deactivation")


class OneTimeToken(models.Model):
    """A secret sent in a link (or a form) that opens one thing, once, for a while.

    Only a hash of the secret is kept, so a copy of the database opens nothing. The purpose says what
    the subject is: a user for a password link or an import preview, an expert for the expert's link.
    """

    class Purpose(models.TextChoices):
        PASSWORD_SET = "password_set", _("set a password")
        EXPERT_LINK = "expert_link", _("expert's own pages")
        NEEDS_IMPORT = "needs_import", _("confirm a needs import")
        EXPERTS_IMPORT = "experts_import", _("confirm an experts import")
        AVAILABILITY_ANSWER = "availability_answer", _("answer a request for availability")
        DEPLOYMENT_RATING = "deployment_rating", _("an expert's rating of a deployment")

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    subject_id = models.PositiveBigIntegerField()
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time token")
        verbose_name_plural = _("one-time tokens")
        constraints = [
            # A newer token for the same purpose and subject voids the older ones: at most one is open.
            models.UniqueConstraint(
                fields=["purpose", "subject_id"],
                condition=models.Q(used_at__isnull=True, superseded_at__isnull=True),
                name="one_open_token_per_purpose_and_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="token_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} #{self.subject_id}"


erasure.exempt(
    OneTimeToken,
    reason="a hash and a subject's id, nothing about the person; an erased expert's link opens nothing",
)
