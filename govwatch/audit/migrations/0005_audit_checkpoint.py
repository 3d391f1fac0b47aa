from django.db import migrations, models


def key_the_chain(apps, schema_editor):
    """A chain begun before the audit key: its head now is signed as the `rekey` checkpoint, so its
    entries keep their SM3 links and stay verifiable, and every later entry is keyed."""
    from govwatch.audit.checkpoints import introduce_key

    introduce_key(apps)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_archived_entries_may_leave")]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(verbose_name="时间")),
                (
                    "kind",
                    models.CharField(
                        choices=[("periodic", "定期检查点"), ("rekey", "启用密钥")],
                        default="periodic",
                        max_length=16,
                        verbose_name="类型",
                    ),
                ),
                ("head_id", models.BigIntegerField(verbose_name="末条日志")),
                ("head_hash", models.CharField(max_length=64, verbose_name="末条哈希")),
                ("signature", models.CharField(max_length=64, verbose_name="签名")),
            ],
            options={
                "verbose_name": "审计日志检查点",
                "verbose_name_plural": "审计日志检查点",
                "ordering": ["-head_id", "-id"],
            },
        ),
        migrations.RunPython(key_the_chain, migrations.RunPython.noop),
    ]
