"""Training API: courses, records (own, team or all by role) and completion rates."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.web import require
from training import selectors
from training.filters import CompletionRatesFilterSet, TrainingRecordFilterSet
from training.models import Course, TrainingRecord
from training.rules import can_view_completion_rates


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "code", "title", "kind", "provider", "description", "validity_months", "link", "is_active"]


class TrainingRecordSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    department = serializers.CharField(source="user.department.name", read_only=True, default=None)
    course_code = serializers.CharField(source="course.code", read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "person",
            "email",
            "department",
            "course",
            "course_code",
            "course_title",
            "assigned_on",
            "due_on",
            "completed_on",
            "expires_on",
            "score",
            "source",
            "status",
        ]


class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CourseSerializer
    filterset_fields = ["kind", "provider", "is_active"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Course.objects.none()
        return selectors.course_list(user=self.request.user).order_by("title")


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("scope", str, enum=["own", "team", "all"], description="Narrow what you may see")]
    )
)
class TrainingRecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Your own records; a line manager's also include direct reports; HR and admin see all."""

    serializer_class = TrainingRecordSerializer
    # The records page's filters (q, status, course) and the person, the same FilterSet.
    filterset_class = TrainingRecordFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # Schema generation has no user; it only needs the model.
            return TrainingRecord.objects.none()
        # The rows' joins only (person, department, course): the manager and confirmer the record
        # page shows were two more joins to plan and 100 more people to build on every page.
        qs = selectors.training_record_rows(user=self.request.user).order_by("due_on", "pk")
        scope = self.request.query_params.get("scope")
        if scope == "own":
            qs = qs.filter(user=self.request.user)
        elif scope == "team":
            qs = qs.filter(user__line_manager=self.request.user)
        elif scope not in (None, "", "all"):
            raise serializers.ValidationError({"scope": "Use own, team or all."})
        return qs

    def paginated_count(self, queryset) -> int:
        """The filtered list's size for its page numbers (compliance.pagination), from the cache until a write."""
        return selectors.training_figure_count(queryset)


class RateRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    complete = serializers.IntegerField()
    overdue = serializers.IntegerField()
    expired = serializers.IntegerField()
    not_yet_due = serializers.IntegerField()
    required = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class CompletionRatesSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    group_by = serializers.CharField()
    total = RateRowSerializer()
    rows = RateRowSerializer(many=True)


class CompletionRatesView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="YYYY-MM-DD; default today"),
            OpenApiParameter("group_by", str, enum=[c for c, _ in selectors.GROUP_BY_CHOICES]),
            OpenApiParameter("course", int),
        ],
        responses=CompletionRatesSerializer,
        summary="Training completion rates (leavers excluded); invalid parameters answer 400",
    )
    def get(self, request):
        require(can_view_completion_rates, request.user)
        # The rates page's FilterSet: the same parameters, checked the same way; bad ones answer 400.
        filters = CompletionRatesFilterSet(request.query_params, queryset=Course.objects.none(), request=request)
        if not filters.is_valid():
            raise serializers.ValidationError(filters.errors)
        result = selectors.completion_rates(user=request.user, **filters.rate_params())
        return Response(
            {
                "as_of": result["as_of"],
                "group_by": result["group_by"],
                "total": RateRowSerializer(result["total"]).data,
                "rows": RateRowSerializer(result["rows"], many=True).data,
            }
        )
