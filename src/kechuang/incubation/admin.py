"""Back office for incubation: rubrics (weights must add up to 100), elimination rules per carrier, and
read-mostly project data. Stages are not editable here: they move only through the platform's decisions
so the timeline stays true."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from simple_history.admin import SimpleHistoryAdmin

from kechuang.incubation import models
from kechuang.incubation.services import check_rubric_weights, make_default_rubric


class CriterionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        weights = [
            form.cleaned_data["weight"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("weight")
        ]
        try:
            check_rubric_weights(weights)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class CriterionInline(admin.TabularInline):
    model = models.RubricCriterion
    formset = CriterionFormSet
    extra = 0


class RubricForm(forms.ModelForm):
    make_default = forms.BooleanField(
        label="设为默认评分表",
        required=False,
        help_text="此后指派评审的项目使用此评分表；已冻结评分标准的项目不受影响",
    )

    class Meta:
        model = models.Rubric
        fields = ["name", "admission_line"]


@admin.register(models.Rubric)
class RubricAdmin(SimpleHistoryAdmin):
    form = RubricForm
    list_display = ["name", "admission_line", "is_default"]
    fields = ["name", "admission_line", "is_default", "make_default"]
    readonly_fields = ["is_default"]
    inlines = [CriterionInline]

    def save_model(self, request: Any, obj: models.Rubric, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("make_default"):
            make_default_rubric(rubric=obj)


@admin.register(models.EliminationRules)
class EliminationRulesAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "no_progress_months", "missed_milestones", "review_score_line", "keep_months"]


class EventInline(admin.TabularInline):
    model = models.ProjectEvent
    extra = 0
    can_delete = False
    readonly_fields = ["happened_on", "actor", "action", "from_stage", "to_stage", "note"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReviewInline(admin.TabularInline):
    model = models.Review
    extra = 0
    can_delete = False
    fields = ["reviewer", "conflict_declared", "conflict_note", "total", "submitted_at"]
    readonly_fields = ["reviewer", "total", "submitted_at"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(models.Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "name", "enclave", "incubator", "stage", "review_score", "admitted_on", "landed_on"]
    list_filter = ["stage", "enclave"]
    search_fields = ["name", "applicant__name", "credit_code"]
    readonly_fields = [
        "stage",
        "stage_changed_on",
        "last_progress_on",
        "rubric",
        "rubric_snapshot",
        "review_score",
        "decision",
        "decided_by",
        "decided_on",
        "admitted_on",
        "graduated_on",
        "eliminated_on",
        "submitted_by",
    ]
    raw_id_fields = ["applicant", "landed_organization"]
    inlines = [ReviewInline, EventInline]


@admin.register(models.Investment)
class InvestmentAdmin(SimpleHistoryAdmin):
    list_display = ["project", "investor_name", "round", "amount", "invested_on"]
    list_filter = ["round"]


@admin.register(models.EliminationDecision)
class EliminationDecisionAdmin(admin.ModelAdmin):
    list_display = ["project", "eliminate", "decided_on", "suppress_until", "decided_by"]
    readonly_fields = ["rules", "evidence", "evidence_keys"]


admin.site.register(models.Milestone, SimpleHistoryAdmin)
admin.site.register(models.ServiceRecord)
admin.site.register(models.PeriodicReview, SimpleHistoryAdmin)
admin.site.register(models.LandingFigure, SimpleHistoryAdmin)
