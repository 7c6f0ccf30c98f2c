"""Safeguarding API: staff report concerns; the Lead and the Safeguarding team list, read and move cases.

The same selectors and services as the pages decide what anyone sees or may do.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance import roles
from compliance import rules as role_rules
from compliance.models import AccessLog, Site
from compliance.services import access_log_record
from compliance.web import found_or_404, require
from safeguarding import selectors, services
from safeguarding.filters import CaseFilter
from safeguarding.models import (
    INTAKE_CHANNEL_CHOICES,
    AgeGroup,
    Answer,
    Channel,
    Concern,
    CqcNotification,
    ExploitationPlace,
    FirstResponder,
    Indicator,
    Outcome,
    Referral,
    ReferralOutcome,
    RiskLevel,
    SubjectType,
)
from suppliers.models import Supplier


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id among those the asking user may pick; any other is refused (400) as if it did not exist.

    `scope(user)` gives the choices; `queryset` only names the model (for the schema).
    """

    def __init__(self, *, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return super().get_queryset().none()
        return self.scope(request.user)


class ConcernCreateSerializer(serializers.Serializer):
    subject_type = serializers.ChoiceField(choices=SubjectType.choices)
    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=Indicator.choices), required=False, default=list
    )
    indicators_other = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    narrative = serializers.CharField()
    # Every site is offered to every reporter (the report form lists them all): sites are not confidential.
    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.all(), required=False, allow_null=True, default=None
    )
    location_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    occurred_on = serializers.DateField(required=False, allow_null=True, default=None)
    # Only someone who may read the supplier register may link an entry of it (a reporter names one instead).
    linked_supplier = ScopedPrimaryKeyRelatedField(
        queryset=Supplier.objects.all(),
        scope=lambda user: Supplier.objects.restrict(user),
        required=False,
        allow_null=True,
        default=None,
    )
    supplier_named = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    immediate_danger = serializers.BooleanField(required=False, default=False)
    on_behalf_of = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Line managers only."
    )


class IntakeCreateSerializer(ConcernCreateSerializer):
    """A concern received by phone, in person or by letter, written down by the Lead or the Safeguarding team."""

    on_behalf_of = None  # the caller is named in caller_name
    channel = serializers.ChoiceField(choices=INTAKE_CHANNEL_CHOICES)
    caller_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Optional; confidential."
    )
    caller_contact = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Optional; confidential."
    )
    issue_receipt_code = serializers.BooleanField(
        required=False, default=False, help_text="Give the caller a receipt code (returned once) to follow up online."
    )


class IntakeReceiptSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    # Null unless asked for; returned this once and never again.
    receipt_code = serializers.CharField(allow_null=True)


class ConcernReceiptSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    status_for_reporter = serializers.CharField()


class CaseListSerializer(serializers.ModelSerializer):
    # Null when the case has no site or no assignee yet.
    site = serializers.CharField(read_only=True, allow_null=True)
    assignee = serializers.CharField(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue")

    class Meta:
        model = Concern
        fields = [
            "reference",
            "status",
            "risk_level",
            "subject_type",
            "channel",
            "immediate_danger",
            "site",
            "location_text",
            "assignee",
            "created_at",
            "due_at",
            "overdue",
            "outcome",
            "closed_at",
        ]


class TimelineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    author = serializers.StringRelatedField()
    body = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    created_at = serializers.DateTimeField()


class FirstResponderSerializer(serializers.ModelSerializer):
    class Meta:
        model = FirstResponder
        fields = ["id", "name", "category", "is_nrm_first_responder", "has_duty_to_notify", "active"]


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as the case shows it (free text included: only case workers read a case)."""

    responder = serializers.StringRelatedField()
    made_by = serializers.StringRelatedField()
    treated_as_child = serializers.BooleanField(read_only=True)
    awaiting_outcome = serializers.BooleanField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "responder",
            "kind",
            "organisation",
            "made_on",
            "made_by",
            "contact",
            "external_reference",
            "age_group",
            "treated_as_child",
            "consent",
            "children_services_contacted",
            "police_force",
            "crime_reference",
            "care_act_enquiry_reference",
            "exploitation_types",
            "exploitation_other",
            "exploitation_place",
            "communication_needs",
            "current_location",
            "safe_contact",
            "support_needs",
            "fears_reexploitation",
            "other_victims",
            "outcome",
            "outcome_on",
            "reasonable_grounds_on",
            "conclusive_grounds_on",
            "outcome_notes",
            "awaiting_outcome",
        ]
        read_only_fields = fields


class CqcNotificationSerializer(serializers.ModelSerializer):
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = CqcNotification
        fields = ["id", "notified_on", "cqc_reference", "recorded_by", "created_at"]
        read_only_fields = fields


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    from_reporter = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class ReporterSerializer(serializers.Serializer):
    name = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    on_behalf_of = serializers.CharField()
    contact = serializers.CharField()


class CaseDetailSerializer(CaseListSerializer):
    indicators = serializers.ListField(child=serializers.CharField())
    linked_supplier = serializers.StringRelatedField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "indicators",
            "indicators_other",
            "narrative",
            "occurred_on",
            "linked_supplier",
            "supplier_named",
            "closing_summary",
            "triaged_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["timeline"] = TimelineSerializer(selectors.concern_timeline(concern=instance), many=True).data
        data["referrals"] = ReferralSerializer(selectors.concern_referrals(concern=instance), many=True).data
        data["cqc_notifications"] = CqcNotificationSerializer(
            selectors.concern_cqc_notifications(concern=instance), many=True
        ).data
        data["attachments"] = AttachmentSerializer(selectors.concern_attachments(concern=instance), many=True).data
        # The key is absent, not empty, for anyone who may not know who reported.
        if getattr(instance, "viewer_sees_reporter", False):
            data["reporter"] = ReporterSerializer(
                {
                    "name": instance.reporter.full_name if instance.reporter else None,
                    "email": instance.reporter.email if instance.reporter else None,
                    "on_behalf_of": instance.on_behalf_of,
                    "contact": instance.reporter_contact,
                }
            ).data
        return data


class ReferralCreateSerializer(serializers.Serializer):
    """A referral made through a first responder; the service applies the consent and age rules."""

    responder = ScopedPrimaryKeyRelatedField(
        queryset=FirstResponder.objects.all(), scope=lambda user: selectors.first_responder_choices()
    )
    kind = serializers.ChoiceField(choices=Referral.Kind.choices)
    made_on = serializers.DateField()
    age_group = serializers.ChoiceField(choices=AgeGroup.choices, required=False, default=AgeGroup.ADULT)
    consent = serializers.ChoiceField(choices=Referral.Consent.choices, required=False, allow_blank=True, default="")
    organisation = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    external_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    children_services_contacted = serializers.BooleanField(required=False, default=False)
    police_force = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    crime_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    care_act_enquiry_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    exploitation_types = serializers.ListField(
        child=serializers.ChoiceField(choices=Referral.Exploitation.choices), required=False, default=list
    )
    exploitation_other = serializers.CharField(required=False, allow_blank=True, default="")
    exploitation_place = serializers.ChoiceField(
        choices=ExploitationPlace.choices, required=False, allow_blank=True, default=""
    )
    communication_needs = serializers.CharField(required=False, allow_blank=True, default="")
    current_location = serializers.CharField(required=False, allow_blank=True, default="")
    safe_contact = serializers.CharField(required=False, allow_blank=True, default="")
    support_needs = serializers.CharField(required=False, allow_blank=True, default="")
    fears_reexploitation = serializers.ChoiceField(choices=Answer.choices, required=False, allow_blank=True, default="")
    other_victims = serializers.ChoiceField(choices=Answer.choices, required=False, allow_blank=True, default="")


class ReferralOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ReferralOutcome.choices, required=False, allow_blank=True, default="")
    outcome_on = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    external_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    children_services_contacted = serializers.BooleanField(required=False, default=False)


class CqcNotificationCreateSerializer(serializers.Serializer):
    notified_on = serializers.DateField()
    cqc_reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)


def _transition_triage(concern, user, data):
    return services.concern_triage(
        concern=concern,
        actor=user,
        risk_level=data.get("risk_level", ""),
        assignee=data.get("assignee"),
        note=data["note"],
    )


def _transition_close(concern, user, data):
    return services.concern_close(concern=concern, actor=user, outcome=data.get("outcome", ""), summary=data["summary"])


# The API's transitions, each one service call.
TRANSITIONS = {
    "triage": _transition_triage,
    "investigate": lambda concern, user, data: services.concern_investigate(
        concern=concern, actor=user, note=data["note"]
    ),
    "refer": lambda concern, user, data: services.concern_refer(concern=concern, actor=user, note=data["note"]),
    "close": _transition_close,
    "reopen": lambda concern, user, data: services.concern_reopen(concern=concern, actor=user, reason=data["reason"]),
}


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(TRANSITIONS))
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    # Only the people a case can be assigned to: any other id is refused as not found.
    assignee = serializers.PrimaryKeyRelatedField(queryset=selectors.case_workers(), required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema(tags=["safeguarding"])
class ConcernViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Report a concern as a signed-in member of staff (anonymous reports use the public form)."""

    serializer_class = ConcernCreateSerializer

    @extend_schema(request=ConcernCreateSerializer, responses={201: ConcernReceiptSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ConcernCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        on_behalf_of = data.pop("on_behalf_of", "").strip()
        if on_behalf_of and not request.user.has_role(roles.LINE_MANAGER):
            raise serializers.ValidationError(
                {"on_behalf_of": ["Only a line manager can log a concern on someone's behalf."]}
            )
        concern = services.concern_submit(
            reporter=request.user,
            channel=Channel.MANAGER_ON_BEHALF if on_behalf_of else Channel.STAFF_FORM,
            on_behalf_of=on_behalf_of,
            **data,
        )
        body = {
            "reference": concern.reference,
            "status": concern.status,
            "status_for_reporter": concern.reporter_status,
        }
        return Response(ConcernReceiptSerializer(body).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["safeguarding"])
class IntakeViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Record a concern received by phone, in person or by letter (the Lead and the Safeguarding team)."""

    serializer_class = IntakeCreateSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Like the case list: for anyone else this endpoint does not exist.
        require(role_rules.can_work_cases, request.user)

    @extend_schema(request=IntakeCreateSerializer, responses={201: IntakeReceiptSerializer})
    def create(self, request, *args, **kwargs):
        serializer = IntakeCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        concern = services.concern_submit(
            reporter=None,
            recorded_by=request.user,
            on_behalf_of=data.pop("caller_name"),
            reporter_contact=data.pop("caller_contact"),
            **data,
        )
        body = {"reference": concern.reference, "status": concern.status, "receipt_code": concern.receipt_code}
        response = Response(IntakeReceiptSerializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


@extend_schema(tags=["safeguarding"])
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases for the Lead (all) and the Safeguarding team (assigned and service-user cases)."""

    lookup_field = "reference"
    lookup_value_regex = r"MS-\d{4}-\d+"
    serializer_class = CaseListSerializer
    filterset_class = CaseFilter

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Out of scope is 404, as on the pages, so references do not leak.
        require(role_rules.can_work_cases, request.user)

    def get_queryset(self):
        cases = selectors.concern_list(user=self.request.user)
        # The list's rows read only what CaseListSerializer writes: not the narrative and the other
        # encrypted texts, decrypted for 50 rows and thrown away.
        return cases.only(*selectors.CASE_API_LIST_FIELDS) if self.action == "list" else cases

    def paginated_count(self, queryset) -> int:
        """The page numbers' total (compliance.pagination), the same cached figure as the case list's."""
        return selectors.case_list_count(queryset, live=CaseFilter.reads_the_clock(self.request.query_params))

    def get_object(self):
        concern = selectors.concern_get(user=self.request.user, reference=self.kwargs["reference"])
        access_log_record(user=self.request.user, obj=concern, action=AccessLog.Action.VIEW, request=self.request)
        return concern

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseListSerializer

    @extend_schema(request=TransitionSerializer, responses={200: CaseListSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, reference=None):
        concern = selectors.concern_get(user=request.user, reference=reference)
        serializer = TransitionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        concern = TRANSITIONS[data["action"]](concern, request.user, data)
        concern = selectors.concern_get(user=request.user, reference=concern.reference)
        return Response(CaseListSerializer(concern).data)

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def referrals(self, request, reference=None):
        """Record a referral through a first responder (the case is marked referred)."""
        concern = selectors.concern_get(user=request.user, reference=reference)
        serializer = ReferralCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        referral = services.referral_record(concern=concern, actor=request.user, **serializer.validated_data)
        referral = selectors.concern_referrals(concern=concern).get(pk=referral.pk)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReferralOutcomeSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"], url_path=r"referrals/(?P<referral_id>\d+)/outcome")
    def referral_outcome(self, request, reference=None, referral_id=None):
        """Record what the first responder reported back, or that children's services were contacted."""
        concern = selectors.concern_get(user=request.user, reference=reference)
        referral = found_or_404(selectors.concern_referrals(concern=concern).filter(pk=referral_id).first())
        serializer = ReferralOutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = services.referral_outcome_record(referral=referral, actor=request.user, **serializer.validated_data)
        return Response(ReferralSerializer(referral).data)

    @extend_schema(request=CqcNotificationCreateSerializer, responses={201: CqcNotificationSerializer})
    @action(detail=True, methods=["post"], url_path="cqc-notifications")
    def cqc_notifications(self, request, reference=None):
        """Record that CQC was notified about this service-user case."""
        concern = selectors.concern_get(user=request.user, reference=reference)
        serializer = CqcNotificationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notification = services.cqc_notification_record(
            concern=concern, actor=request.user, **serializer.validated_data
        )
        return Response(CqcNotificationSerializer(notification).data, status=status.HTTP_201_CREATED)


class FirstResponderWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = FirstResponder
        fields = ["name", "category", "is_nrm_first_responder", "has_duty_to_notify", "active"]
        # The service checks the name is new (case-insensitively); the model's exact check would repeat it.
        extra_kwargs = {"name": {"validators": []}}


@extend_schema(tags=["safeguarding"])
class FirstResponderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The organisations referrals go through: case workers read the list, the Compliance admin keeps it."""

    serializer_class = FirstResponderSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.first_responders(user=self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Outsiders get 404, as on the pages. Case workers may read the list; a change is refused by
        # the service (403 on create) or not found among what they may change (404 on update).
        require(role_rules.can_work_cases | role_rules.can_manage_organisation, request.user)

    def get_serializer_class(self):
        return (
            FirstResponderWriteSerializer if self.action in {"create", "partial_update"} else FirstResponderSerializer
        )

    @extend_schema(request=FirstResponderWriteSerializer, responses={201: FirstResponderSerializer})
    def create(self, request, *args, **kwargs):
        serializer = FirstResponderWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        responder = services.first_responder_save(actor=request.user, **serializer.validated_data)
        return Response(FirstResponderSerializer(responder).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FirstResponderWriteSerializer, responses={200: FirstResponderSerializer})
    def partial_update(self, request, *args, **kwargs):
        responder = found_or_404(selectors.first_responder_get(user=request.user, pk=kwargs["pk"]))
        serializer = FirstResponderWriteSerializer(responder, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {
            name: serializer.validated_data.get(name, getattr(responder, name))
            for name in FirstResponderWriteSerializer.Meta.fields
        }
        responder = services.first_responder_save(actor=request.user, responder=responder, **fields)
        return Response(FirstResponderSerializer(responder).data)
