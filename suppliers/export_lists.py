"""The supplier register as CSV/XLSX, registered by name (compliance/export_registry.py) so a worker can write a large one."""

from __future__ import annotations

from django.http import QueryDict
from django.utils import timezone

from compliance import exports
from compliance import rules as role_rules
from compliance.export_registry import Export, ExportRequest, register
from compliance.web import require
from suppliers import selectors
from suppliers.filters import SupplierFilter
from suppliers.services import imports as import_services

SUPPLIER_REGISTER_EXPORT = "supplier-register"


@register(SUPPLIER_REGISTER_EXPORT)
def supplier_register_export(*, user, params: QueryDict) -> Export:
    """The register the user may see, with the register page's filters."""
    require(role_rules.can_view_suppliers, user)
    # The same filters as the register page, so the file holds the rows the page showed.
    suppliers = SupplierFilter(params, queryset=selectors.supplier_list(user=user), request=ExportRequest(user)).qs
    count = suppliers.count()
    return Export(
        filename=f"supplier-register-{timezone.localdate().isoformat()}",
        header=import_services.EXPORT_HEADER,
        rows=exports.each(suppliers, import_services.register_export_row),
        detail=f"Supplier register export ({count} rows)",
        sheet_title="Suppliers",
        count=lambda: count,
    )
