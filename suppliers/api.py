"""Supplier API: the register, risk assessments, audits, findings and corrective actions.

The same selectors decide what anyone sees and the same services make every
change; out of scope answers 404, a reader's write 403, bad input 400.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.fields import SkipField
from rest_framework.response import Response

from compliance import rules as role_rules
from compliance.api import OptionSerializer
from compliance.models import User
from suppliers import selectors
from suppliers.filters import (
    AuditFilter,
    CodeOfConductAcceptanceFilter,
    CorrectiveActionFilter,
    FindingFilter,
    QuestionnaireFilter,
    RiskAssessmentFilter,
    SupplierCertificateFilter,
    SupplierFilter,
)
from suppliers.models import (
    PROCUREMENT_FIELDS,
    REGISTER_FIELDS,
    AgencyFees,
    AgencyIdDocuments,
    Audit,
    CodeOfConductAcceptance,
    CorrectiveAction,
    Finding,
    Question,
    QuestionnaireAnswer,
    QuestionnaireRequest,
    RiskAssessment,
    RiskBand,
    Supplier,
    SupplierCertificate,
)
from suppliers.services import audit as audit_services
from suppliers.services import procurement as procurement_services
from suppliers.services import register as register_services


class SupplierReaders(permissions.BasePermission):
    """Supplier readers may read; managers may write; everyone else gets 404."""

    def has_permission(self, request, view):
        user = request.user
        if not role_rules.can_view_suppliers.test(user):
            # A contract owner reads their own corrective actions through the API too.
            if getattr(view, "allow_owners", False) and (
                request.method in permissions.SAFE_METHODS or getattr(view, "action", "") == "evidence"
            ):
                return True
            raise Http404
        if request.method in permissions.SAFE_METHODS:
            return True
        # Owners submit evidence on their own actions; the service checks ownership.
        if getattr(view, "allow_owners", False) and getattr(view, "action", "") == "evidence":
            return True
        return role_rules.can_manage_suppliers.test(user)


_MISSING = object()


class SupplierSerializer(serializers.ModelSerializer):
    countries = serializers.ListField(child=CountryField(), required=False)
    contract_owner = serializers.SlugRelatedField(
        slug_field="email", queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    is_prohibited_agency = serializers.BooleanField(read_only=True)
    ppn009_assessor = serializers.SlugRelatedField(
        slug_field="email", queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    # Blank outcome = never checked; nobody named until a check is recorded.
    agency_fees_outcome = serializers.ChoiceField(choices=AgencyFees.choices, allow_blank=True, read_only=True)
    agency_ids_outcome = serializers.ChoiceField(choices=AgencyIdDocuments.choices, allow_blank=True, read_only=True)
    agency_fees_checked_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)
    agency_ids_checked_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)

    class Meta:
        model = Supplier
        fields = [
            "id",
            *REGISTER_FIELDS,
            *PROCUREMENT_FIELDS,
            "agency_fees_outcome",
            "agency_fees_checked_on",
            "agency_fees_checked_by",
            "agency_ids_outcome",
            "agency_ids_checked_on",
            "agency_ids_checked_by",
            "agency_glaa_sectors",
            "agency_licence_number",
            "agency_licence_checked_on",
            "is_prohibited_agency",
            "status",
            "risk_score",
            "risk_band",
            "risk_assessed_at",
            "next_review_due",
            "termination_recommended_at",
            "created_at",
            "updated_at",
        ]
        # Status, risk and agency flags change only through their workflows (activation gate, agency checks).
        read_only_fields = [
            "status",
            "agency_fees_outcome",
            "agency_fees_checked_on",
            "agency_fees_checked_by",
            "agency_ids_outcome",
            "agency_ids_checked_on",
            "agency_ids_checked_by",
            "agency_glaa_sectors",
            "agency_licence_number",
            "agency_licence_checked_on",
            "risk_score",
            "risk_band",
            "risk_assessed_at",
            "next_review_due",
            "termination_recommended_at",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance):
        """DRF's own loop, less its per-field lookup machinery: each field's value read with getattr.

        A page of 50 suppliers is 2,550 fields; DRF's get_attribute (its source walk, callable and
        error checks) was a third of the list's serialising. A value DRF would read differently (a
        callable, a missing attribute) still goes through the field's own get_attribute, and
        test_api holds the output equal to DRF's.
        """
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan = self._plan = [(field.field_name, field.source_attrs, field) for field in self._readable_fields]
        ret = {}
        for name, attrs, field in plan:
            value = getattr(instance, attrs[0], _MISSING) if len(attrs) == 1 else _MISSING
            if value is _MISSING or callable(value):
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
            ret[name] = None if value is None else field.to_representation(value)
        return ret

    def validate(self, attrs):
        start = attrs.get("contract_start", getattr(self.instance, "contract_start", None))
        end = attrs.get("contract_end", getattr(self.instance, "contract_end", None))
        if start and end and end < start:
            raise serializers.ValidationError({"contract_end": "The contract cannot end before it starts."})
        if attrs.get("annual_spend") is not None and attrs["annual_spend"] < 0:
            raise serializers.ValidationError({"annual_spend": "Spend cannot be negative."})
        return attrs


class SupplierViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Supplier.objects.none()  # for the schema; requests use get_queryset (the selector)
    serializer_class = SupplierSerializer
    permission_classes = [permissions.IsAuthenticated, SupplierReaders]
    filterset_class = SupplierFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.supplier_records(user=self.request.user)

    def paginated_count(self, queryset) -> int:
        # The total from the register's cached counts (compliance.pagination asks for it).
        return selectors.register_count(queryset)

    # Register details and procurement details are written by their own services, in one transaction.
    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        with transaction.atomic():
            supplier = register_services.supplier_create(actor=self.request.user, data=data)
            serializer.instance = self._procurement_update(supplier, data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        with transaction.atomic():
            supplier = register_services.supplier_update(
                supplier=serializer.instance, actor=self.request.user, data=data
            )
            serializer.instance = self._procurement_update(supplier, data)

    def _procurement_update(self, supplier, data):
        procurement = {k: v for k, v in data.items() if k in PROCUREMENT_FIELDS}
        if not procurement:
            return supplier
        return procurement_services.supplier_procurement_update(
            supplier=supplier, actor=self.request.user, data=procurement
        )

    @extend_schema(request=None, responses=SupplierSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Activate the supplier; 400 with the reasons when a gate blocks it (high risk, agency checks missing or prohibited)."""
        supplier = register_services.supplier_activate(supplier=self.get_object(), actor=request.user)
        return Response(SupplierSerializer(supplier, context=self.get_serializer_context()).data)


class RiskAssessmentSerializer(serializers.ModelSerializer):
    assessed_by = serializers.SlugRelatedField(slug_field="email", read_only=True)
    # Named like the supplier's field so the schema has one RiskBand enum.
    risk_band = serializers.ChoiceField(source="band", choices=RiskBand.choices, read_only=True)

    class Meta:
        model = RiskAssessment
        fields = ["id", "supplier", "assessed_at", "assessed_by", "score", "risk_band", "factors", "reason"]


class RiskAssessmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = RiskAssessment.objects.none()  # for the schema; requests use get_queryset (the selector)
    serializer_class = RiskAssessmentSerializer
    permission_classes = [permissions.IsAuthenticated, SupplierReaders]
    filterset_class = RiskAssessmentFilter

    def get_queryset(self):
        return selectors.risk_assessment_list(user=self.request.user)


class AuditSerializer(serializers.ModelSerializer):
    auditor = serializers.SlugRelatedField(slug_field="email", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)

    class Meta:
        model = Audit
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "kind",
            "method",
            "planned_date",
            "completed_date",
            "auditor",
            "auditor_name",
            "scope",
            "status",
            "result",
            "summary",
            "result_override_reason",
        ]


class AuditCompleteSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=Audit.Result.choices)
    completed_date = serializers.DateField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when the result is better than the audit's worst open finding.",
    )


class AuditViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Audit.objects.none()  # for the schema; requests use get_queryset (the selector)
    serializer_class = AuditSerializer
    permission_classes = [permissions.IsAuthenticated, SupplierReaders]
    filterset_class = AuditFilter

    # What a list row serializes besides the audit's own columns: the supplier's name and the auditor's
    # email, not the supplier's other 60 columns (countries decoded per row) nor the auditor's.
    list_fields = (
        *(f for f in AuditSerializer.Meta.fields if f not in ("id", "supplier", "supplier_name", "auditor")),
        "supplier__name",
        "auditor__email",
    )

    def get_queryset(self):
        audits = selectors.audit_list(user=self.request.user)
        # Only the list: an audit read to be completed goes to the service with its supplier whole.
        return audits.only(*self.list_fields) if self.action == "list" else audits

    @extend_schema(request=AuditCompleteSerializer, responses=AuditSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Record a planned audit's result; 400 when it is better than an open finding and no reason is given."""
        audit = self.get_object()  # first, so an audit out of scope is 404 whatever the body
        serializer = AuditCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = audit_services.audit_complete(audit=audit, actor=request.user, **serializer.validated_data)
        return Response(AuditSerializer(updated, context=self.get_serializer_context()).data)


class FindingSerializer(serializers.ModelSerializer):
    # A questionnaire finding has no audit: it names the questionnaire and the question instead.
    question_text = serializers.CharField(source="question.text", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Finding
        fields = [
            "id",
            "source",
            "audit",
            "questionnaire",
            "question",
            "question_text",
            "supplier",
            "severity",
            "description",
            "status",
            "created_at",
            "closed_at",
        ]


class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Finding.objects.none()  # for the schema; requests use get_queryset (the selector)
    serializer_class = FindingSerializer
    permission_classes = [permissions.IsAuthenticated, SupplierReaders]
    filterset_class = FindingFilter

    def get_queryset(self):
        return selectors.finding_list(user=self.request.user)


class SupplierCertificateSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    file_name = serializers.CharField(source="document.original_name", read_only=True)
    download_url = serializers.SerializerMethodField()
    uploaded_by_contact = serializers.CharField(source="uploaded_via.contact_name", read_only=True, default=None)
    expired = serializers.BooleanField(source="is_expired", read_only=True)

    class Meta:
        model = SupplierCertificate
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "kind",
            "title",
            "issued_on",
            "expires_on",
            "expired",
            "file_name",
            "download_url",
            "uploaded_by_contact",
            "uploaded_at",
            "expiry_reminder_sent_at",
            "expired_flagged_at",
        ]

    def get_download_url(self, certificate) -> str:
        # The permission-checked download page (suppliers.views.document_download), never the storage's URL.
        return reverse("suppliers:document", args=[certificate.document_id])


class SupplierCertificateViewSet(viewsets.ReadOnlyModelViewSet):
    """Certificates and evidence suppliers uploaded in the portal, with their expiry dates."""

    queryset = SupplierCertificate.objects.none()  # for the schema; requests use get_queryset (the selector)
    serializer_class = SupplierCertificateSerializer
    permission_classes = [permissions.IsAuthenticated, SupplierReaders]
    filterset_class = SupplierCertificateFilter

    def get_queryset(self):
        return selectors.certificate_list(user=self.request.user).order_by("expires_on", "pk")


class CodeOfConductAcceptanceSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="code.version", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = CodeOfConductAcceptance
        fields = [
            "id",
            "supplier",
            "code",
            "version",
            "source",
            "accepted_on",
            "accepted_at",
            "signed_by_name",
            "signed_by_role",
            "ip_address",
            "recorded_by",
            "recorded_at",
        ]


class CodeOfConductAcceptanceViewSet(viewsets.ReadOnlyModelViewSet):
    """Code of conduct acceptances, recorded by staff or given by the supplier's contact in the portal."""

    queryset = CodeOfConductAcceptance.objects.none()  # for the schema; requests use get_queryset (the selector)
    serializer_class = CodeOfConductAcceptanceSerializer
    permission_classes = [permissions.IsAuthenticated, SupplierReaders]
    filterset_class = CodeOfConductAcceptanceFilter

    def get_queryset(self):
        return selectors.conduct_acceptance_list(user=self.request.user).order_by("-accepted_on", "-pk")


class QuestionnaireAnswerSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="question.section.title", read_only=True)
    question_text = serializers.CharField(source="question.text", read_only=True)
    is_gap = serializers.BooleanField(read_only=True)
    # Named apart from Finding.severity so the schema keeps two enums with their own values.
    gap_severity = serializers.ChoiceField(
        source="question.severity", choices=Question.Severity.choices, read_only=True
    )

    class Meta:
        model = QuestionnaireAnswer
        fields = ["question", "section", "question_text", "value", "is_gap", "gap_severity"]


class QuestionnaireSerializer(serializers.ModelSerializer):
    template_name = serializers.CharField(source="template.name", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    answers = QuestionnaireAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = QuestionnaireRequest
        # No token fields: the link is the supplier contact's credential, never shown again.
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "template",
            "template_name",
            "contact_name",
            "contact_email",
            "status",
            "sent_at",
            "expires_at",
            "submitted_at",
            "reviewed_at",
            "review_comments",
            "answers",
        ]


class QuestionnaireViewSet(viewsets.ReadOnlyModelViewSet):
    """Sent questionnaires with their answers (which are gaps, and how severe), for the register's readers."""

    queryset = QuestionnaireRequest.objects.none()  # for the schema; requests use get_queryset (the selector)
    serializer_class = QuestionnaireSerializer
    permission_classes = [permissions.IsAuthenticated, SupplierReaders]
    filterset_class = QuestionnaireFilter

    def get_queryset(self):
        return selectors.questionnaire_list_with_answers(user=self.request.user)


class CorrectiveActionSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="email", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "finding",
            "supplier",
            "supplier_name",
            "description",
            "owner",
            "due_date",
            "status",
            "overdue",
            "escalation_level",
            "evidence",
            "evidence_submitted_at",
            "verified_at",
        ]


class EvidenceSerializer(serializers.Serializer):
    evidence = serializers.CharField()


class VerifySerializer(serializers.Serializer):
    accepted = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CorrectiveActionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = CorrectiveAction.objects.none()  # for the schema; requests use get_queryset (the selector)
    serializer_class = CorrectiveActionSerializer
    permission_classes = [permissions.IsAuthenticated, SupplierReaders]
    filterset_class = CorrectiveActionFilter
    allow_owners = True

    def get_queryset(self):
        return selectors.corrective_action_list(user=self.request.user)

    @extend_schema(request=EvidenceSerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def evidence(self, request, pk=None):
        """The owner (or procurement) submits the evidence that the action is done."""
        corrective = self.get_object()  # first, so an action out of scope is 404 whatever the body
        serializer = EvidenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = audit_services.corrective_action_submit_evidence(
            action=corrective, actor=request.user, evidence=serializer.validated_data["evidence"]
        )
        return Response(CorrectiveActionSerializer(updated).data)

    @extend_schema(request=VerifySerializer, responses=CorrectiveActionSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Procurement accepts the evidence (closing the action) or sends it back with a note."""
        # SupplierReaders refuses anyone but procurement and the Lead before this runs (the owners'
        # exception is for `evidence` only), and the service checks again.
        corrective = self.get_object()
        serializer = VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = audit_services.corrective_action_verify(
            action=corrective, actor=request.user, **serializer.validated_data
        )
        return Response(CorrectiveActionSerializer(updated).data)


class SupplierSearchQuery(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Part of a name, or a Companies House or charity number.",
    )


class SupplierOptionSerializer(OptionSerializer):
    def to_representation(self, supplier):
        detail = " · ".join(part for part in (supplier.get_status_display(), supplier.registration_number) if part)
        return {"id": str(supplier.pk), "label": supplier.name, "detail": detail}


class SupplierSearch(generics.ListAPIView):
    """Suppliers matching ``q`` for a searchable select (e.g. the case triage form): the register's readers only."""

    serializer_class = SupplierOptionSerializer
    filter_backends: list = []  # the query is validated by SupplierSearchQuery, not the register's FilterSet
    queryset = Supplier.objects.none()  # for the schema; requests use get_queryset (the selector)

    @extend_schema(parameters=[SupplierSearchQuery], summary="Search suppliers for a form field")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = SupplierSearchQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.supplier_search(user=self.request.user, text=query.validated_data.get("q", ""))
