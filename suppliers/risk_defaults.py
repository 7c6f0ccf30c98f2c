"""Default risk tables: seeded once by a data migration, then edited as data.

Nothing here is read at scoring time: scoring reads the RiskWeight,
CountryRisk and CategoryRisk tables, which procurement edits in the app. These
values are a sensible starting point, not a verdict:

* Country bands follow the estimated prevalence of modern slavery per 1,000
  people in the Walk Free *Global Slavery Index 2023*, grouped into bands
  (low < 3, medium 3-6, high 6-10, very high >= 10 per 1,000). Only countries
  common in UK health and care supply chains are listed; an unlisted country
  scores the "country not in the table" weight (treated as medium, on the
  precautionary principle). Review the table when a new edition is published.
* Category points follow the categories the UK government and NHS England
  name as high risk for modern slavery (Cabinet Office PPN 02/23 *Tackling
  Modern Slavery in Government Supply Chains* and its guidance; NHS England
  *Modern slavery and human trafficking* supply chain guidance): agency labour,
  medical gloves and PPE, cleaning, laundry, construction, textiles, catering
  and electronics; and, for a care provider, overseas recruitment into
  commissioned care (sponsored care workers).
* Weights for spend, labour model, findings and questionnaire gaps (by the
  question's severity) and the band
  thresholds are our own calibration: a UK cleaning contractor on our premises
  using agency labour lands in medium; add a migrant workforce or an open
  critical finding and it becomes high.
"""

GSI_SOURCE = "Walk Free Global Slavery Index 2023, prevalence per 1,000 (banded)"

# band -> points
COUNTRY_BAND_POINTS = {"low": 0, "medium": 10, "high": 20, "very_high": 30}

# ISO code -> (band, estimated prevalence per 1,000 for the record)
COUNTRIES = {
    "GB": ("low", 1.8),
    "IE": ("low", 1.1),
    "DE": ("low", 0.6),
    "NL": ("low", 0.6),
    "FR": ("low", 2.1),
    "ES": ("low", 2.3),
    "CA": ("low", 1.8),
    "AU": ("low", 1.6),
    "JP": ("low", 1.1),
    "SG": ("low", 2.1),
    "US": ("medium", 3.3),
    "IT": ("medium", 3.3),
    "PL": ("medium", 5.5),
    "CN": ("medium", 4.0),
    "VN": ("medium", 4.1),
    "BR": ("medium", 5.0),
    "MX": ("medium", 5.1),
    "KH": ("medium", 5.0),
    "TH": ("medium", 5.7),
    "RO": ("high", 7.5),
    "IN": ("high", 8.0),
    "BD": ("high", 7.1),
    "MY": ("high", 6.3),
    "ID": ("high", 6.7),
    "PH": ("high", 7.8),
    "NG": ("high", 7.8),
    "LK": ("high", 6.5),
    "NP": ("high", 6.2),
    "QA": ("high", 6.8),
    "UZ": ("high", 7.4),
    "PK": ("very_high", 10.6),
    "TR": ("very_high", 15.6),
    "AE": ("very_high", 13.4),
    "SA": ("very_high", 21.3),
    "MM": ("very_high", 12.1),
    "RU": ("very_high", 13.0),
    "AF": ("very_high", 13.0),
    "TM": ("very_high", 11.2),
    "ER": ("very_high", 90.3),
    "KP": ("very_high", 104.6),
}

# category -> (points, rationale)
CATEGORIES = {
    "agency_staffing": (25, "Named high risk: labour exploitation through recruitment fees and debt bondage"),
    "medical_ppe": (25, "Named high risk: glove and PPE manufacturing (Malaysia, China)"),
    "cleaning": (20, "Named high risk: low-paid, outsourced, often agency or migrant labour"),
    "laundry": (20, "Named high risk: low-paid labour, subcontracted facilities"),
    "construction": (20, "Named high risk: subcontracting chains and labour providers"),
    "textiles": (20, "Named high risk: garment and cotton supply chains"),
    "catering": (15, "Named risk: food supply chains and kitchen staffing"),
    "it_hardware": (15, "Named risk: electronics manufacturing and mineral sourcing"),
    "commissioned_care": (15, "Sector risk: exploitation of sponsored overseas care workers"),
    "professional": (0, "Low inherent risk: skilled, directly employed workforce"),
    "other": (5, "Unclassified: low but not nil"),
}

# key -> (value, label, help)
WEIGHTS = {
    "country_unlisted": (10, "Country not in the country table", "Points for a country of operation with no band."),
    "spend_large_from": (
        1_000_000,
        "Large spend threshold (£ a year)",
        "Annual spend from which 'large spend' applies.",
    ),
    "spend_large": (10, "Large spend", "Points when annual spend is at or above the large threshold."),
    "spend_medium_from": (
        100_000,
        "Medium spend threshold (£ a year)",
        "Annual spend from which 'medium spend' applies.",
    ),
    "spend_medium": (5, "Medium spend", "Points when annual spend is at or above the medium threshold."),
    "labour_agency": (10, "Uses agency labour", ""),
    "labour_subcontracts": (5, "Subcontracts the work", ""),
    "labour_migrant": (10, "Migrant workforce", ""),
    "labour_on_site": (5, "Works on site at our premises", "Their workers are in our homes alongside our staff."),
    "prohibited_agency": (
        50,
        "Agency charges fees or retains ID documents",
        "Policy 4.3: such agencies are prohibited.",
    ),
    "finding_critical": (25, "Each open critical finding", ""),
    "finding_major": (10, "Each open major finding", ""),
    "finding_minor": (3, "Each open minor finding", ""),
    "questionnaire_missing": (10, "No accepted questionnaire", "Until the supplier has answered and we accepted it."),
    # Each gap answer in the accepted questionnaire by its question's severity (a "none" gap counts 0).
    # Medium keeps the old flat 5 points a gap; a critical gap also makes the band high at once.
    "questionnaire_gap_low": (2, "Each low-severity gap in the accepted questionnaire", ""),
    "questionnaire_gap_medium": (
        5,
        "Each medium-severity gap in the accepted questionnaire",
        "An answer such as 'no' to 'Do you have a policy?'",
    ),
    "questionnaire_gap_high": (10, "Each high-severity gap in the accepted questionnaire", ""),
    "questionnaire_gap_critical": (
        25,
        "Each critical gap in the accepted questionnaire",
        "A forced-labour indicator (e.g. workers pay recruitment fees): the supplier is high risk whatever the points.",
    ),
    "band_medium_from": (35, "Medium band starts at (points)", ""),
    "band_high_from": (60, "High band starts at (points)", "High risk requires enhanced due diligence."),
}

# Tier-2/3 suppliers (suppliers.SubSupplier): the worst one adds this share of its own country + category
# points; a tier further away from us counts for less, but a high-risk tier 3 still moves the score.
WEIGHTS |= {
    "tier2_share": (
        50,
        "Tier-2 supply chain: share of the worst tier-2 supplier's risk (%)",
        "Percent of a tier-2 supplier's country and category points added to our supplier's score.",
    ),
    "tier3_share": (
        30,
        "Tier-3 supply chain: share of the worst tier-3 supplier's risk (%)",
        "Percent of a tier-3 supplier's country and category points added to our supplier's score.",
    ),
}


def seed_tables(RiskWeight, CountryRisk, CategoryRisk) -> None:  # noqa: N803 (models passed in by migrations)
    """Create missing rows; never overwrite a value someone has edited."""
    for key, (value, label, help_text) in WEIGHTS.items():
        RiskWeight.objects.get_or_create(key=key, defaults={"value": value, "label": label, "help_text": help_text})
    for code, (band, prevalence) in COUNTRIES.items():
        CountryRisk.objects.get_or_create(
            country=code,
            defaults={
                "band": band,
                "points": COUNTRY_BAND_POINTS[band],
                "source": f"{GSI_SOURCE}: {prevalence}",
            },
        )
    for category, (points, rationale) in CATEGORIES.items():
        CategoryRisk.objects.get_or_create(category=category, defaults={"points": points, "rationale": rationale})
