from __future__ import annotations

from django.db import models


class Levels(models.Model):
    """Evaluations by level (5 非常满意 ... 1 非常不满意), and of those the ones whose appeal the office
    upheld (申诉成立): which levels are negative is a setting (GOVWATCH_NEGATIVE_LEVELS), read when
    the figures are read, and the national rule takes the upheld ones out of the negative count."""

    level_5 = models.IntegerField(default=0)
    level_4 = models.IntegerField(default=0)
    level_3 = models.IntegerField(default=0)
    level_2 = models.IntegerField(default=0)
    level_1 = models.IntegerField(default=0)
    upheld_5 = models.IntegerField(default=0)
    upheld_4 = models.IntegerField(default=0)
    upheld_3 = models.IntegerField(default=0)
    upheld_2 = models.IntegerField(default=0)
    upheld_1 = models.IntegerField(default=0)

    class Meta:
        abstract = True


class Counts(Levels):
    """The counts of a unit over a day or a month, the additive parts of contract section 4; its
    levels count the evaluations whose `at` falls on the day (or in the month)."""

    received = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    completed_on_time = models.IntegerField(default=0)
    # Evaluations (any `at`) of the unit's cases completed on the day, and those not auto defaults.
    evaluated = models.IntegerField(default=0)
    actively_evaluated = models.IntegerField(default=0)
    overdue_change = models.IntegerField(default=0)

    class Meta:
        abstract = True


class UnitDay(Counts):
    """One unit's own figures of one local day, the additive parts of contract section 4.

    A row exists only for a day with something to count. `overdue_change` is how much the unit's
    count of overdue open cases (逾期未办结, at the end of a day) changed on that day: the count at the
    end of day D is the sum of the changes up to D. Everything else is summed over the days of a
    period. Written only by govwatch.figures.fold.
    """

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        verbose_name = "单位日指标"
        verbose_name_plural = "单位日指标"
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="figures_unitday_unique")]
        indexes = [
            # Every column, in day order: a period's rows are read from this index alone, side by side,
            # whatever order they were written in (a rebuild writes unit by unit).
            models.Index(
                fields=[
                    "day",
                    "unit",
                    "received",
                    "completed",
                    "completed_on_time",
                    "level_5",
                    "level_4",
                    "level_3",
                    "level_2",
                    "level_1",
                    "upheld_5",
                    "upheld_4",
                    "upheld_3",
                    "upheld_2",
                    "upheld_1",
                    "evaluated",
                    "actively_evaluated",
                ],
                name="figures_unitday_period",
            ),
            # Overdue counts sum every change up to a day: the few rows that carry one, on their own.
            models.Index(
                fields=["day", "unit", "overdue_change"],
                condition=~models.Q(overdue_change=0),
                name="figures_unitday_overdue",
            ),
        ]


class UnitMonth(Counts):
    """One unit's figures of one calendar month (`month`: its first day): the sums of its UnitDay rows.

    A period's whole months are read here and only its partial months from UnitDay, so a year of a
    province sums about 200,000 small rows instead of 600,000. Written only by govwatch.figures.fold,
    from the UnitDay rows, in the same transaction.
    """

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        verbose_name = "单位月指标"
        verbose_name_plural = "单位月指标"
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="figures_unitmonth_unique")]
        indexes = [
            models.Index(
                fields=[
                    "month", "unit", "received", "completed", "completed_on_time", "level_5", "level_4",
                    "level_3", "level_2", "level_1", "upheld_5", "upheld_4", "upheld_3", "upheld_2", "upheld_1",
                    "evaluated", "actively_evaluated", "overdue_change",
                ],
                name="figures_unitmonth_period",
            ),
            # The overdue count at a month's end sums the changes of every month before: the rows
            # that carry one, on their own (a tenth of a province's months).
            models.Index(
                fields=["month", "unit", "overdue_change"],
                condition=~models.Q(overdue_change=0),
                name="figures_unitmonth_overdue",
            ),
        ]  # fmt: skip


class UnitChannelMonth(Levels):
    """One unit's evaluations of one calendar month (`month`: its first day) given through one
    channel (评价渠道), by level, and of those the ones whose appeal was upheld: the channel table
    of the reports page, read for every unit of a province without touching an evaluation.

    A row exists only for a month and channel with an evaluation. Written only by
    govwatch.figures.fold, from the evaluations, in the same transaction as the UnitDay rows.
    """

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    channel = models.CharField(max_length=16)

    class Meta:
        verbose_name = "单位渠道月评价"
        verbose_name_plural = "单位渠道月评价"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "channel"], name="figures_unitchannelmonth_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=[
                    "month", "channel", "unit", "level_5", "level_4", "level_3", "level_2", "level_1",
                    "upheld_5", "upheld_4", "upheld_3", "upheld_2", "upheld_1",
                ],
                name="figures_channelmonth_period",
            ),
        ]  # fmt: skip


class UnitYear(Counts):
    """One unit's figures of one calendar year (`year`: its first day): the sums of its UnitMonth rows.

    A period that covers most of a year is read as its year row minus the months (and days) outside
    it, so a year of a province is one row per unit instead of twelve. Written only by
    govwatch.figures.fold, from the UnitMonth rows, in the same transaction.
    """

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.DateField()

    class Meta:
        verbose_name = "单位年指标"
        verbose_name_plural = "单位年指标"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="figures_unityear_unique")]
        indexes = [
            models.Index(
                fields=[
                    "year", "unit", "received", "completed", "completed_on_time", "level_5", "level_4",
                    "level_3", "level_2", "level_1", "upheld_5", "upheld_4", "upheld_3", "upheld_2", "upheld_1",
                    "evaluated", "actively_evaluated", "overdue_change",
                ],
                name="figures_unityear_period",
            ),
        ]  # fmt: skip


class UnitChannelYear(Levels):
    """The channel table (UnitChannelMonth) of one calendar year (`year`: its first day): the sums of
    its month rows, as UnitYear sums UnitMonth. Written only by govwatch.figures.fold."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.DateField()
    channel = models.CharField(max_length=16)

    class Meta:
        verbose_name = "单位渠道年评价"
        verbose_name_plural = "单位渠道年评价"
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "channel"], name="figures_unitchannelyear_unique")
        ]
        indexes = [
            models.Index(
                fields=[
                    "year", "channel", "unit", "level_5", "level_4", "level_3", "level_2", "level_1",
                    "upheld_5", "upheld_4", "upheld_3", "upheld_2", "upheld_1",
                ],
                name="figures_channelyear_period",
            ),
        ]  # fmt: skip


class ComplaintCounts(models.Model):
    """The counts behind the complaint figures (govwatch.complaints.figures.COUNTS), under the
    complaint's unit: those received (by `at`), of them first of their matter and repeats; those
    closed (by `closed_at`, closed now), of them on time, with a finding, substantiated, reached at
    the callback and satisfied."""

    complaints_received = models.IntegerField(default=0)
    complaint_matters = models.IntegerField(default=0)
    complaint_repeats = models.IntegerField(default=0)
    complaints_closed = models.IntegerField(default=0)
    complaints_closed_on_time = models.IntegerField(default=0)
    complaints_found = models.IntegerField(default=0)
    complaints_substantiated = models.IntegerField(default=0)
    complaint_callbacks = models.IntegerField(default=0)
    complaint_callbacks_satisfied = models.IntegerField(default=0)

    class Meta:
        abstract = True


class UnitComplaintMonth(ComplaintCounts):
    """One unit's complaint counts of one calendar month (`month`: its first day), so that a period's
    complaint figures read one row per unit and month instead of every complaint of the period; the
    days a period cuts off a month are counted from the complaints themselves (few).

    A row exists only for a month with something to count. Written only by govwatch.figures.fold, from
    the complaints, in the same transaction as the UnitDay rows; the complaints' writers mark the
    days they change (govwatch.cases.stale).
    """

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        verbose_name = "单位月投诉指标"
        verbose_name_plural = "单位月投诉指标"
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="figures_unitcomplaintmonth_unique")
        ]
        indexes = [
            models.Index(
                fields=[
                    "month", "unit", "complaints_received", "complaint_matters", "complaint_repeats",
                    "complaints_closed", "complaints_closed_on_time", "complaints_found",
                    "complaints_substantiated", "complaint_callbacks", "complaint_callbacks_satisfied",
                ],
                name="figures_complaintmonth_period",
            ),
        ]  # fmt: skip


class UnitComplaintYear(ComplaintCounts):
    """One unit's complaint counts of one calendar year (`year`: its first day): the sums of its
    UnitComplaintMonth rows. Written only by govwatch.figures.fold."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    year = models.DateField()

    class Meta:
        verbose_name = "单位年投诉指标"
        verbose_name_plural = "单位年投诉指标"
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="figures_unitcomplaintyear_unique")
        ]
        indexes = [
            models.Index(
                fields=[
                    "year", "unit", "complaints_received", "complaint_matters", "complaint_repeats",
                    "complaints_closed", "complaints_closed_on_time", "complaints_found",
                    "complaints_substantiated", "complaint_callbacks", "complaint_callbacks_satisfied",
                ],
                name="figures_complaintyear_period",
            ),
        ]  # fmt: skip


class UnitCatalog(models.Model):
    """One unit's catalog counts (govwatch.figures.rows.ITEM_COUNTS: its items, their legal and
    promised days, online and fully online), so that a province's figures read 16,000 rows instead
    of grouping 200,000 items on every request. Kept by govwatch.figures.catalog whenever items are
    saved, deleted or imported, in the same transaction; a unit with no item has no row."""

    unit = models.OneToOneField("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    items = models.IntegerField(default=0)
    legal_days_sum = models.IntegerField(default=0)
    promised_days_sum = models.IntegerField(default=0)
    online_items = models.IntegerField(default=0)
    full_online_items = models.IntegerField(default=0)

    class Meta:
        verbose_name = "单位事项指标"
        verbose_name_plural = "单位事项指标"


class FoldEpoch(models.Model):
    """How many times the rows from `day` on were rewritten (govwatch.figures.fold `_write`: a fold's
    lot, a refresh, a rebuild from 1900-01-01). A period that ends on day D reads only rows of days up
    to D, which a rewrite from a later day leaves as they were, so the sum of `rewrites` over the days
    up to D changes exactly when a figure of such a period may have (govwatch.figures.memo)."""

    day = models.DateField(unique=True)
    rewrites = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "指标重算记录"
        verbose_name_plural = "指标重算记录"


class FiguresMemo(models.Model):
    """Figures of a whole period kept as computed (govwatch.figures.memo.remembered), with the fold
    epoch of the period's last day they were computed under: served while that epoch stands."""

    key = models.CharField(max_length=200, unique=True)
    epoch = models.BigIntegerField()
    data = models.BinaryField()
    # When it was computed: tables of periods nobody reads any more are dropped after a while.
    stored_at = models.DateTimeField()

    class Meta:
        verbose_name = "指标缓存"
        verbose_name_plural = "指标缓存"
