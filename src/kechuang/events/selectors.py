"""Event figures like the seed's: participants by type, meetings held, intention orders and amounts, the
conversion intention → contract → landed, and investors' interest at roadshows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from kechuang.core.access import Principal, scope
from kechuang.events.models import (
    Event,
    IntentionOrder,
    InvestorInterest,
    Meeting,
    ParticipantRole,
    Registration,
)


def _order_figures(orders: QuerySet[IntentionOrder]) -> dict[str, Any]:
    """Intention orders and how far they got (one query), for an event's report and the county total."""
    figures = orders.aggregate(
        count=Count("pk"),
        intended=Sum("intended_amount"),
        contracts=Count(
            "pk", filter=Q(stage__in=[IntentionOrder.Stage.CONTRACT, IntentionOrder.Stage.LANDED])
        ),
        contract_amount=Sum("contract_amount"),
        landed=Count("pk", filter=Q(stage=IntentionOrder.Stage.LANDED)),
    )
    return {
        "orders": figures["count"] or 0,
        "intended_amount": float(figures["intended"] or 0),
        "contracts": figures["contracts"],
        "contract_amount": float(figures["contract_amount"] or 0),
        "landed": figures["landed"],
    }


def _interest_figures(interests: QuerySet[InvestorInterest]) -> dict[str, Any]:
    figures = interests.aggregate(
        count=Count("pk"),
        amount=Sum("amount"),
        invested=Count("pk", filter=Q(stage=InvestorInterest.Stage.INVESTED)),
        invested_amount=Sum("invested_amount"),
    )
    return {
        "investor_interests": figures["count"] or 0,
        "interest_amount": float(figures["amount"] or 0),
        "invested": figures["invested"] or 0,
        "invested_amount": float(figures["invested_amount"] or 0),
    }


def event_report(*, event: Event) -> dict[str, Any]:
    registrations = event.registrations.filter(status=Registration.Status.APPROVED)
    by_role = dict(registrations.values("role").annotate(n=Count("pk")).values_list("role", "n"))
    meetings = Meeting.objects.filter(request__event=event).aggregate(
        scheduled=Count("pk"),
        held=Count("pk", filter=Q(status=Meeting.Status.HELD)),
        no_show=Count("pk", filter=Q(status=Meeting.Status.NO_SHOW)),
    )
    orders = _order_figures(event.orders.all())
    count = orders["orders"]
    return {
        "participants": {role.label: by_role.get(role.value, 0) for role in ParticipantRole},
        "checked_in": registrations.filter(checked_in_at__isnull=False).count(),
        "meetings": meetings,
        **orders,
        "to_contract": orders["contracts"] / count if count else None,
        "to_landed": orders["landed"] / count if count else None,
        **_interest_figures(event.investor_interests.all()),
    }


def investor_interests(*, principal: Principal, event: Event) -> QuerySet[InvestorInterest]:
    """The interests recorded at an event that `principal` may see (see kechuang.events.access)."""
    return scope(principal, event.investor_interests.all(), "event.interest.view").select_related(
        "investor__organization", "presenter__organization"
    )


def agenda(*, registration: Registration) -> list[dict[str, Any]]:
    """One participant's meetings in time order, with the other party's name."""
    meetings = (
        Meeting.objects.filter(Q(request__requester=registration) | Q(request__invitee=registration))
        .select_related("slot", "request__requester__organization", "request__invitee__organization")
        .order_by("slot__starts_at", "table")
    )
    rows = []
    for m in meetings:
        other = m.request.invitee if m.request.requester_id == registration.pk else m.request.requester
        rows.append(
            {
                "slot": str(m.slot),
                "table": m.table,
                "other": other.organization.name,
                "status": m.get_status_display(),
            }
        )
    return rows


def county_summary() -> dict[str, Any]:
    """All events together, for the dashboard: what the county's fairs and roadshows produced."""
    orders = _order_figures(IntentionOrder.objects.all())
    return {
        "events": Event.objects.count(),
        "participants": Registration.objects.filter(status=Registration.Status.APPROVED).count(),
        "meetings_held": Meeting.objects.filter(status=Meeting.Status.HELD).count(),
        **orders,
        **_interest_figures(InvestorInterest.objects.all()),
    }
