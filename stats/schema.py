"""How drf-spectacular describes the API key header."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "stats.authentication.ApiClientAuthentication"
    name = "apiClientToken"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`, the key printed once by `python manage.py create_api_client NAME`",
        }
