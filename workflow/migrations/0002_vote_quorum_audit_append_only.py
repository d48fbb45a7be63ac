from django.db import migrations, models

# The audit log's append-only trigger and chain head, once installed here, moved with the log to
# audit/migrations/0001_initial.py (which installs them on a fresh database).


class Migration(migrations.Migration):

    dependencies = [
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="voteround",
            name="quorum",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="rotationproposal",
            index=models.Index(fields=["-created_at", "-id"], name="proposal_newest_first"),
        ),
    ]
