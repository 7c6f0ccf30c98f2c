"""The OpenAPI schema tells the truth about errors: every operation documents the 4xx it can answer.

`tests/test_api_schema.py` holds the schema to the responses with schemathesis.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

_DETAIL = inline_serializer(name="ErrorDetail", fields={"detail": serializers.CharField()})
# A 400 names each field that is wrong (or non_field_errors), each with a list of messages.
_FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}, {}]},
    "description": "Field name -> list of messages (non_field_errors for the request as a whole).",
}
_ERRORS = {
    "400": (_FIELD_ERRORS, "The request is not valid: each field says why."),
    "401": (_DETAIL, "No credentials, or a token that is wrong or expired."),
    "403": (_DETAIL, "Signed in, but this role may not do this (or must set up MFA first)."),
    "404": (_DETAIL, "Nothing here, or nothing within your scope."),
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, (body, description) in _ERRORS.items():
            if code not in responses:
                response = self._get_response_for_code(body, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses
