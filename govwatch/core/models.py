"""What the records of every area share: a timeline of steps and evidence files (abstract models;
each area's own table keeps its name and rows)."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import models

from .fields import FreeTextField


class Step(models.Model):
    """One step in a record's timeline: when, what, who, and what they wrote.

    A concrete step adds the foreign key to its record; the timeline template
    (web/_timeline.html) shows `linked_order` and `files` when a step has them.
    """

    at = models.DateTimeField("时间")
    kind = models.CharField("环节", max_length=16)
    actor = models.CharField("操作人", max_length=150)
    text = FreeTextField("内容", blank=True)

    # A supervision order the step caused, and evidence attached to it: none by default.
    linked_order = None
    files: tuple = ()

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class Attachment(models.Model):
    """Evidence attached to a record, kept whole with its digest (govwatch.core.attachments checks
    what may be attached). A concrete attachment adds its foreign keys and its own `file` field with
    the directory its files go to."""

    file = models.FileField("附件", upload_to="attachments/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @classmethod
    def keep(cls, name: str, content: bytes, **owner) -> Attachment:
        """Store one checked file (`owner`: the record and step it belongs to)."""
        return cls.objects.create(
            name=name[:200],
            sha256=hashlib.sha256(content).hexdigest(),
            file=ContentFile(content, name=name),
            **owner,
        )
