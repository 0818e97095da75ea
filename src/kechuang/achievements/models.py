"""Technology achievements (科技成果): papers, patents and results offered for transfer."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from kechuang.core.models import SoftDeleteModel


class Maturity(models.TextChoices):
    UNKNOWN = "", "未填写"
    RESEARCH = "research", "基础研究/论文"
    LAB = "lab", "实验室阶段"
    PILOT = "pilot", "中试阶段"
    INDUSTRIAL = "industrial", "可产业化"


class Achievement(SoftDeleteModel):
    title = models.CharField("成果名称", max_length=300)
    abstract = models.TextField("成果简介", max_length=20000)
    category = models.CharField("学科门类", max_length=40, blank=True, db_index=True)
    discipline = models.CharField("学科", max_length=60, blank=True, db_index=True)
    keywords = models.JSONField("关键词", default=list, blank=True)
    maturity = models.CharField("成熟度", max_length=12, choices=Maturity.choices, blank=True)
    institution = models.ForeignKey(
        "orgs.Institution",
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="achievements",
    )
    experts = models.ManyToManyField(
        "orgs.Expert", verbose_name="完成人", blank=True, related_name="achievements"
    )
    source = models.CharField("来源", max_length=60, blank=True)
    source_ref = models.CharField("来源编号", max_length=60, blank=True, db_index=True)
    is_public = models.BooleanField("公开", default=True)
    history = HistoricalRecords(m2m_fields=[experts])

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = verbose_name_plural = "科技成果"

    def __str__(self) -> str:
        return self.title
