"""Core API: who am I."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from compliance import selectors
from compliance.models import PersonPick, User


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    job_title = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    site = serializers.CharField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())
    mfa_enabled = serializers.BooleanField()


@extend_schema(responses=MeSerializer, summary="The signed-in user and their roles")
@api_view(["GET"])
def me(request):
    from allauth.mfa.utils import is_mfa_enabled

    user = request.user
    data = {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "department": str(user.department) if user.department_id else None,
        "site": str(user.site) if user.site_id else None,
        "roles": sorted(user.role_names),
        "mfa_enabled": is_mfa_enabled(user),
    }
    return Response(MeSerializer(data).data)


# --- Search as you type ----------------------------------------------------------------------
# The searchable selects (compliance.widgets.SearchSelect) ask these as the user types. Each
# answers under the rule of the page that has the field, through restrict(): a user who may not
# use that page gets an empty list, as a page out of scope shows nothing.


class OptionSerializer(serializers.Serializer):
    """One choice: the value the form posts, the text shown and a line that tells namesakes apart."""

    id = serializers.CharField()
    label = serializers.CharField()
    detail = serializers.CharField()


class PeopleSearchQuery(serializers.Serializer):
    field = serializers.ChoiceField(choices=PersonPick.choices, help_text="The form field the person is chosen for.")
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Part of a name or email.")


class PersonOptionSerializer(OptionSerializer):
    def to_representation(self, person):
        detail = " · ".join(part for part in (person.email, person.job_title) if part)
        return {"id": str(person.pk), "label": person.full_name or person.email, "detail": detail}


class PeopleSearch(generics.ListAPIView):
    """People a form field offers, matching ``q``, for whoever may use that field's page."""

    serializer_class = PersonOptionSerializer
    filter_backends: list = []  # the query is validated by PeopleSearchQuery, not a FilterSet
    queryset = User.objects.none()  # for the schema; requests use get_queryset

    @extend_schema(parameters=[PeopleSearchQuery], summary="Search people for a form field")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = PeopleSearchQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.people_search(
            user=self.request.user, pick=query.validated_data["field"], text=query.validated_data.get("q", "")
        )


class CountrySearchQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Part of a name or a code.")


class CountryOptionSerializer(OptionSerializer):
    def to_representation(self, country):
        code, name = country
        return {"id": code, "label": str(name), "detail": code}


class CountrySearch(generics.ListAPIView):
    """Countries (ISO 3166-1) matching ``q`` by name or code; the list is public knowledge."""

    serializer_class = CountryOptionSerializer
    filter_backends: list = []

    @extend_schema(parameters=[CountrySearchQuery], summary="Search countries")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = CountrySearchQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.country_search(text=query.validated_data.get("q", ""))
