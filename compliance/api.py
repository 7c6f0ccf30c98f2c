"""Core API: who am I."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response


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
