"""Supplier register and due diligence records."""

from django.conf import settings
from django.db import models
from django_countries.fields import CountryField


class Supplier(models.Model):
    """An organisation that supplies goods, services or labour."""

    class Category(models.TextChoices):
        CLEANING = "cleaning", "Cleaning"
        CATERING = "catering", "Catering"
        LAUNDRY = "laundry", "Laundry"
        CONSTRUCTION = "construction", "Construction and maintenance"
        AGENCY_STAFFING = "agency_staffing", "Agency staffing"
        MEDICAL_PPE = "medical_ppe", "Medical consumables and PPE"
        TEXTILES = "textiles", "Textiles and uniforms"
        IT_HARDWARE = "it_hardware", "IT hardware"
        PROFESSIONAL = "professional", "Professional services"
        COMMISSIONED_CARE = "commissioned_care", "Commissioned care provider"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PROSPECTIVE = "prospective", "Prospective"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        TERMINATED = "terminated", "Terminated"

    name = models.CharField(max_length=255)
    registration_number = models.CharField(
        "Companies House or charity number", max_length=20, blank=True, db_index=True
    )
    category = models.CharField(max_length=30, choices=Category.choices, default=Category.OTHER)
    countries = CountryField(multiple=True, blank=True, help_text="Countries of operation")
    annual_spend = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    contract_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_suppliers"
    )
    contract_start = models.DateField(null=True, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    uses_agency_labour = models.BooleanField(default=False)
    subcontracts = models.BooleanField(default=False)
    migrant_workforce = models.BooleanField(default=False)
    on_site_at_our_premises = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROSPECTIVE, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
