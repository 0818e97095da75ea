"""What the matching app stores in the database: index builds (with progress) and suggestions
(computed in the background, then confirmed or rejected by staff — the online precision figure)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class IndexBuild(models.Model):
    """One (incremental) rebuild of the on-disk index; the newest finished one is what searches use."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_at = models.DateTimeField("请求时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    stage = models.CharField("阶段", max_length=40, blank=True)
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    documents = models.PositiveIntegerField("文档数", default=0)
    changed = models.PositiveIntegerField("新增或变化", default=0)
    removed = models.PositiveIntegerField("删除", default=0)
    mode = models.CharField("检索方式", max_length=20, blank=True)
    message = models.TextField("说明", blank=True)
    # sha1 of everything a suggestion depends on in the index (documents, who may see them, scoring
    # code and settings): a rebuild that leaves it unchanged cannot change any suggestion
    fingerprint = models.CharField("内容指纹", max_length=40, blank=True)
    suggestions_refreshed = models.BooleanField("推荐已随之更新", default=False)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = verbose_name_plural = "索引构建"

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class SuggestionRun(models.Model):
    """The suggestions computed for one record (a demand, an achievement) at one time."""

    source_kind = models.CharField("来源类型", max_length=20)
    source_id = models.PositiveIntegerField("来源编号")
    computed_at = models.DateTimeField("计算时间", default=timezone.now)
    text_hash = models.CharField("文本指纹", max_length=40, blank=True)
    mode = models.CharField("检索方式", max_length=20, blank=True)
    confidence = models.FloatField("置信度", default=0)
    confidence_label = models.CharField("置信度等级", max_length=4, blank=True)
    nothing_fits = models.BooleanField("库中无合适匹配", default=False)
    message = models.TextField("说明", blank=True)
    # the fusion weights that ranked this run (FusionModel.version); online precision is kept per version
    model_version = models.CharField("排序模型版本", max_length=40, blank=True)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        verbose_name = verbose_name_plural = "推荐计算"
        indexes = [models.Index(fields=["source_kind", "source_id", "computed_at"])]

    def __str__(self) -> str:
        return f"{self.source_kind}:{self.source_id} {self.computed_at:%Y-%m-%d}"


class Suggestion(models.Model):
    class Verdict(models.TextChoices):
        NONE = "", "未判断"
        CONFIRMED = "confirmed", "确认有用"
        REJECTED = "rejected", "不合适"

    run = models.ForeignKey(SuggestionRun, on_delete=models.CASCADE, related_name="suggestions")
    target_kind = models.CharField("对象类型", max_length=20)
    target_id = models.PositiveIntegerField("对象编号")
    title = models.CharField("名称", max_length=300)
    rank = models.PositiveSmallIntegerField("排名")
    score = models.FloatField("得分")
    reasons = models.JSONField("理由", default=dict)  # matched terms, highlight spans, passages
    verdict = models.CharField("判断", max_length=10, choices=Verdict.choices, blank=True, default="")
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict_at = models.DateTimeField("判断时间", null=True, blank=True)

    class Meta:
        ordering = ["run", "target_kind", "rank"]
        verbose_name = verbose_name_plural = "推荐结果"

    def __str__(self) -> str:
        return f"{self.target_kind}:{self.target_id} #{self.rank}"


class SuggestionFeedback(models.Model):
    """An enterprise's or an expert's own word on a suggestion: the demand's owner on what was suggested
    for it, an expert on a suggestion naming them. Kept apart from the staff verdict (one per user)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField("角色", max_length=30)
    useful = models.BooleanField("是否有用")
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = verbose_name_plural = "推荐反馈"
        constraints = [models.UniqueConstraint(fields=["suggestion", "user"], name="one_feedback_per_user")]

    def __str__(self) -> str:
        return f"{self.suggestion_id} {'有用' if self.useful else '不合适'}"


class FusionModel(models.Model):
    """One run of `kechuang matching learn`: the weights it found, what it measured, whether adopted.

    The adopted one, newest first, is what searches use (also written to the data directory, where the
    index reads it); the others stay as the record of why nothing changed."""

    version = models.CharField("版本", max_length=40)
    params = models.JSONField("权重")
    adopted = models.BooleanField("已采用", default=False)
    created_at = models.DateTimeField("时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.JSONField("评估报告", default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = verbose_name_plural = "排序模型"

    def __str__(self) -> str:
        return f"{self.version} {'已采用' if self.adopted else '未采用'}"
