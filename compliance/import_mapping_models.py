"""Column mappings people saved for a spreadsheet layout they import again and again."""

import rules
from django.conf import settings
from django.db import models

from compliance import rules as compliance_rules
from compliance.querysets import RestrictedQuerySet
from compliance.spreadsheets import ImportKind

# Who may use (and so see and change) the saved mappings of each import: the people who may run it.
IMPORT_KIND_RULES = {
    ImportKind.SUPPLIERS: compliance_rules.can_manage_suppliers,
    ImportKind.ROSTER: compliance_rules.can_manage_training,
    ImportKind.COMPLETIONS: compliance_rules.can_manage_training,
}


def can_use_import_kind(user, kind: str) -> bool:
    rule = IMPORT_KIND_RULES.get(kind)
    return rule is not None and rule.test(user)


@rules.predicate
def can_use_import_mapping(user, mapping) -> bool:
    """The object rule restrict() mirrors: a saved mapping is for the people who run its import."""
    return mapping is not None and can_use_import_kind(user, mapping.kind)


class ImportMappingQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> models.QuerySet:
        # view and change alike: whoever runs an import may reuse and correct its saved mappings.
        if action not in ("view", "change"):
            return self.none()
        return self.filter(kind__in=[kind for kind in IMPORT_KIND_RULES if can_use_import_kind(user, kind)])


class ImportMapping(models.Model):
    """How to read one spreadsheet layout (its normalised headings, in order) for one import, for everyone."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    signature = models.CharField(max_length=64, help_text="compliance.spreadsheets.header_signature of the headings.")
    name = models.CharField(max_length=100)
    columns = models.JSONField(default=dict, help_text="Normalised heading -> field key ('' = ignored).")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImportMappingQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "signature"], name="import_mapping_one_per_layout")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"
