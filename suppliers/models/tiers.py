"""Tier-2 and tier-3 suppliers: who supplies our suppliers, with country and category."""

from django.core.exceptions import ValidationError
from django.db import models
from django_countries.fields import CountryField

from suppliers.models.querysets import RegisterQuerySet
from suppliers.models.register import Supplier


class SubSupplier(models.Model):
    """One of a supplier's own suppliers (tier 2), or one of theirs (tier 3, under its tier-2 parent).

    The list replaces the single yes/no "supply chain mapped": the risk score rolls up the worst
    country/category among them (suppliers/scoring.py), naming the sub-supplier.
    """

    class Tier(models.IntegerChoices):
        TIER_2 = 2, "Tier 2"
        TIER_3 = 3, "Tier 3"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="sub_suppliers")
    name = models.CharField(max_length=200)
    country = CountryField()
    category = models.CharField(max_length=30, choices=Supplier.Category.choices)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.TIER_2)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        help_text="For a tier-3 supplier: the tier-2 supplier it supplies.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["tier", "name", "pk"]

    def __str__(self):
        return f"{self.name} ({self.get_tier_display()})"

    def clean(self):
        super().clean()
        if self.tier == self.Tier.TIER_3:
            if self.parent_id is None:
                raise ValidationError({"parent": "A tier-3 supplier needs its tier-2 supplier."})
            if self.parent.tier != self.Tier.TIER_2 or self.parent.supplier_id != self.supplier_id:
                raise ValidationError({"parent": "Choose one of this supplier's tier-2 suppliers."})
        elif self.parent_id is not None:
            raise ValidationError({"parent": "Only a tier-3 supplier has a tier-2 parent."})
