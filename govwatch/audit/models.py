from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who changed what, when, from where: append-only, each row chained to the one before by SM3.

    Rows are written only by `govwatch.audit.record` and never updated or deleted (the model refuses,
    and database triggers refuse too); `govwatch audit verify` recomputes the chain.
    """

    at = models.DateTimeField("时间")
    actor = models.CharField("操作人", max_length=150, help_text="user:用户名、token:系统名 或 cli:系统账号")
    # PROTECT: the user id is part of the hashed row; people are deactivated, never deleted.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    action = models.CharField("操作", max_length=64, db_index=True)
    target_type = models.CharField("对象类型", max_length=64, blank=True)
    target_id = models.CharField("对象", max_length=200, blank=True)
    summary = models.TextField("摘要", blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    source = models.CharField("来源", max_length=100, blank=True, help_text="IP 地址或 cli")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [models.Index(fields=["at"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除")


class AuditHead(models.Model):
    """The hash of the last entry; locked while appending so the chain has one thread."""

    name = models.CharField(max_length=16, primary_key=True)
    last_hash = models.CharField(max_length=64)
    last_id = models.BigIntegerField(default=0)


class AuditArchive(models.Model):
    """A run of the oldest entries moved out of the table into a file (JSON Lines, gzip) once they
    are past the retention period. The chain runs on through the files: each archive starts from
    the hash the previous one ended with, and the table starts from the last archive's end."""

    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField(unique=True)
    rows = models.PositiveIntegerField()
    first_prev_hash = models.CharField(max_length=64)
    last_hash = models.CharField(max_length=64)
    oldest_at = models.DateTimeField()
    newest_at = models.DateTimeField()
    # Relative to the archive directory; the file's own SM3 guards it against being swapped.
    file = models.CharField(max_length=200)
    file_sm3 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "审计日志归档"
        verbose_name_plural = "审计日志归档"
        ordering = ["first_id"]


class AuditCheckpoint(models.Model):
    """The head of the chain at a moment, signed with the audit key (HMAC-SM3), written here, to the
    audit log and to the checkpoint file an auditor keeps (GOVWATCH_AUDIT_CHECKPOINT_FILE). A
    `rekey` checkpoint marks where a chain begun before the key became keyed: the entries up to
    `head_id` are linked by plain SM3, the later ones by HMAC-SM3."""

    KINDS = [("periodic", "定期检查点"), ("rekey", "启用密钥")]

    at = models.DateTimeField("时间")
    kind = models.CharField("类型", max_length=16, choices=KINDS, default="periodic")
    head_id = models.BigIntegerField("末条日志")
    head_hash = models.CharField("末条哈希", max_length=64)
    signature = models.CharField("签名", max_length=64)

    class Meta:
        verbose_name = "审计日志检查点"
        verbose_name_plural = "审计日志检查点"
        ordering = ["-head_id", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} #{self.head_id} {self.head_hash[:12]}"
