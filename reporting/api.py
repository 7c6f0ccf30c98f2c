"""Reporting API: KPIs, statements (read, and the transitions each role may make), Board reports.

Viewsets call the same selectors and services as the pages: out of reporting is
404, a transition the role may not make is 403, a refused transition is 400.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance import rules as compliance_rules
from compliance.services import organisation_get
from compliance.web import found_or_404, require
from reporting import board_reports, dashboard, forms, kpi_figures, selectors, services
from reporting import rules as reporting_rules
from reporting.models import BoardReport, Statement

# --- KPIs -----------------------------------------------------------------------------------


class KpiRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    section = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    # Null where a figure cannot be worked out (no data for the period, nothing to compare with).
    value = serializers.FloatField(allow_null=True)
    previous = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    direction = serializers.CharField()
    verdict = serializers.CharField()


class KpiResponseSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    previous_start = serializers.DateField()
    previous_end = serializers.DateField()
    as_of = serializers.DateField(
        help_text="The date the figures are as at: the period end, or today if it has not ended."
    )
    to_date = serializers.BooleanField(help_text="True when the period has not ended (figures are to date).")
    as_at_label = serializers.CharField()
    kpis = KpiRowSerializer(many=True)
    breakdowns = serializers.DictField(child=serializers.DictField(child=serializers.FloatField()))


class KpiView(APIView):
    """Every KPI for a period with the previous period beside it."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, enum=["year", "quarter", "month", "custom"]),
            OpenApiParameter("on", str, description="A date in the period (YYYY-MM-DD)"),
            OpenApiParameter("start", str, description="Custom period start (YYYY-MM-DD)"),
            OpenApiParameter("end", str, description="Custom period end (YYYY-MM-DD)"),
        ],
        responses=KpiResponseSerializer,
        summary="KPIs for a period, with the previous period",
    )
    def get(self, request):
        require(compliance_rules.can_view_reporting, request.user)
        form = forms.PeriodForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            return Response(form.errors.get_json_data(), status=status.HTTP_400_BAD_REQUEST)
        today = timezone.localdate()
        comparison = kpi_figures.period_comparison(dashboard.chosen_period(form, organisation_get(), today), today)
        period, previous, figures = comparison["period"], comparison["previous"], comparison["figures"]
        data = {
            "period_start": period.start,
            "period_end": period.end,
            "previous_start": previous.start,
            "previous_end": previous.end,
            "as_of": figures["as_of"],
            "to_date": figures["to_date"],
            "as_at_label": figures["as_at_label"],
            "kpis": comparison["rows"],
            "breakdowns": {key: value for key, value in figures.items() if isinstance(value, dict)},
        }
        return Response(KpiResponseSerializer(data).data)


# --- Statements ---------------------------------------------------------------------------


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    heading = serializers.CharField()
    registry = serializers.CharField()
    text = serializers.CharField()
    evidence = serializers.ListField(child=serializers.CharField())


class StatementSerializer(serializers.ModelSerializer):
    # A plain string, not an enum: several apps name a choice set "status" and the schema names would collide.
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    sections = serializers.SerializerMethodField()
    # Blank until the statement is published (or submitted), so not documented as URIs.
    published_url = serializers.CharField(read_only=True, help_text="Where it is published; empty until then.")
    registry_summary_url = serializers.CharField(
        read_only=True, help_text="The statement's summary page on the GOV.UK registry; empty until submitted."
    )

    class Meta:
        model = Statement
        fields = [
            "id",
            "financial_year",
            "version",
            "period_start",
            "period_end",
            "status",
            "status_label",
            "title",
            "introduction",
            "sections",
            "progress",
            "next_steps",
            "carried_forward",
            "carried_from",
            "previous_version",
            "approved_on",
            "approved_meeting",
            "approved_minute",
            "signatory_name",
            "signatory_title",
            "signed_on",
            "published_on",
            "published_url",
            "homepage_link_checked_on",
            "registry_submitted_on",
            "registry_summary_url",
            "carried_figures",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, obj) -> list[dict]:
        return obj.sections()


class ApproveSerializer(serializers.Serializer):
    # s.54(6): a meeting of the approving body approves; the date is the meeting's.
    meeting = serializers.IntegerField()
    approved_on = serializers.DateField(required=False, allow_null=True, default=None)
    minute = serializers.CharField(required=False, allow_blank=True, default="")


class SignSerializer(serializers.Serializer):
    signatory_title = serializers.CharField()
    signed_on = serializers.DateField()


class PublishSerializer(serializers.Serializer):
    published_on = serializers.DateField()
    url = serializers.URLField(required=False, allow_blank=True, default="")
    homepage_link_checked_on = serializers.DateField(required=False, allow_null=True, default=None)


class StatementViewSet(viewsets.ReadOnlyModelViewSet):
    """Statements and their versions; transitions through the same services as the pages."""

    serializer_class = StatementSerializer
    filterset_fields = ["financial_year", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Statement.objects.none()
        require(compliance_rules.can_view_reporting, self.request.user)
        return selectors.statement_list(user=self.request.user)

    def _done(self, statement):
        # Read back through the selector: the answer shows what this user may see of the new state.
        return Response(
            StatementSerializer(found_or_404(selectors.statement_detail(user=self.request.user, pk=statement.pk))).data
        )

    @extend_schema(
        request=ApproveSerializer,
        responses=StatementSerializer,
        summary="Record approval at a meeting of the approving body",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        statement = self.get_object()
        if not reporting_rules.can_approve_statement.test(request.user):
            raise PermissionDenied("Your role cannot approve a statement.")
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = selectors.meeting_detail(user=request.user, pk=data.validated_data["meeting"])
        if meeting is None:
            raise serializers.ValidationError({"meeting": ["No such meeting."]})
        return self._done(
            services.statement_approve(
                statement=statement,
                actor=request.user,
                approved_on=data.validated_data["approved_on"],
                meeting=meeting,
                minute=data.validated_data["minute"],
            )
        )

    @extend_schema(
        request=SignSerializer,
        responses=StatementSerializer,
        summary="Sign as the signatory (a Director or equivalent)",
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        statement = self.get_object()
        data = SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(services.statement_sign(statement=statement, actor=request.user, **data.validated_data))

    @extend_schema(request=PublishSerializer, responses=StatementSerializer, summary="Publish a signed statement")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        statement = self.get_object()
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(services.statement_publish(statement=statement, actor=request.user, **data.validated_data))

    @extend_schema(request=None, responses={201: StatementSerializer}, summary="Start a new draft version")
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        new = services.statement_new_version(statement=self.get_object(), actor=request.user)
        return Response(StatementSerializer(new).data, status=status.HTTP_201_CREATED)


# --- Board reports ---------------------------------------------------------------------------


class BoardReportSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = BoardReport
        fields = [
            "id",
            "financial_year",
            "status",
            "status_label",
            "failure_reason",
            "requested_at",
            "started_at",
            "finished_at",
            "size_bytes",
            "download_url",
        ]
        read_only_fields = [f for f in fields if f != "financial_year"]

    def get_download_url(self, obj) -> str | None:
        return reverse("reporting:board_report_download", args=[obj.pk]) if obj.status == obj.Status.READY else None

    def validate_financial_year(self, value):
        if not 2015 <= value <= 2100:
            raise serializers.ValidationError("Give a financial year between 2015 and 2100.")
        return value


class BoardReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Request a Board report and follow its status; the PDF downloads through the logged page."""

    serializer_class = BoardReportSerializer
    filterset_fields = ["financial_year", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BoardReport.objects.none()
        require(compliance_rules.can_view_reporting, self.request.user)
        return selectors.board_report_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = board_reports.board_report_request(
            actor=self.request.user, financial_year=serializer.validated_data["financial_year"]
        )
