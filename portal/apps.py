from django.contrib.admin.apps import AdminConfig


class SecretariatAdminConfig(AdminConfig):
    default_site = "portal.admin_site.SecretariatAdminSite"
