from django.db import migrations

from reference.loading import reference_names_update


class Migration(migrations.Migration):
    """Article 58's Spanish title as the authentic Spanish text has it (reference/data/README.md, "Article titles")."""

    dependencies = [
        ("reference", "0004_reference_names_in_french_and_spanish"),
    ]

    operations = [
        migrations.RunPython(reference_names_update, migrations.RunPython.noop),
    ]
