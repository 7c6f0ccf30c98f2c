"""Public procurement vocabulary: NHS contract types, LSAS levels, the statement registry, PPN 009, exclusions.

The fields live on Supplier (suppliers/models/register.py): one supplier, one set of answers.
A supplier holding several contracts with us is recorded under its main contract; the
statement, LSAS certificate and exclusion grounds belong to the supplier whatever the contract.
"""

from django.db import models

# Modern Slavery Act 2015 s.54(2)(b): a commercial organisation with a total turnover of
# £36 million or more must publish a slavery and human trafficking statement each year.
# The Modern Slavery Act 2015 (Transparency in Supply Chains) Regulations 2015, reg. 2:
# https://www.legislation.gov.uk/uksi/2015/1833/regulation/2
# GOV.UK guidance: https://www.gov.uk/government/publications/transparency-in-supply-chains-a-practical-guide
STATEMENT_TURNOVER_THRESHOLD = 36_000_000


class ContractType(models.TextChoices):
    NHS_STANDARD = "nhs_standard", "NHS Standard Contract"
    NHS_TC_GOODS = "nhs_tc_goods", "NHS Terms and Conditions for the supply of goods"
    NHS_TC_SERVICES = "nhs_tc_services", "NHS Terms and Conditions for the supply of services"
    FRAMEWORK_CALL_OFF = "framework_call_off", "Framework call-off"
    OTHER = "other", "Other"


class LsasLevel(models.TextChoices):
    """NHS Supply Chain's Labour Standards Assurance System: a maturity matrix of four levels.

    https://www.supplychain.nhs.uk/about-us/sustainability/lsas/ ("four possible levels of
    compliance"); Level 1 (Foundation) is the minimum an NHS Supply Chain framework supplier must
    reach within six months of the contract launch.
    """

    LEVEL_1 = "1", "Level 1: Foundation"
    LEVEL_2 = "2", "Level 2: Implementation"
    LEVEL_3 = "3", "Level 3: Established"
    LEVEL_4 = "4", "Level 4: Progressive"


class RegistryStatus(models.TextChoices):
    """Whether the supplier's statement is on the GOV.UK modern slavery statement registry.

    https://modern-slavery-statement-registry.service.gov.uk/
    """

    FOUND = "found", "Found on the registry"
    NOT_FOUND = "not_found", "Not found on the registry"
    NOT_REQUIRED = "not_required", "Not required to publish"


class Ppn009Outcome(models.TextChoices):
    """The outcome of the PPN 009 risk assessment for the contract.

    PPN 009 (Tackling Modern Slavery in Government Supply Chains, February 2025) replaced PPN 02/23
    for procurements under the Procurement Act 2023 (commenced on or after 24 February 2025):
    https://www.gov.uk/government/publications/ppn-009-tackling-modern-slavery-in-government-supply-chains
    """

    PROCEED = "proceed", "Proceed: risk managed by the standard contract terms"
    MITIGATE = "mitigate", "Proceed with mitigation (supply chain information, enhanced due diligence)"
    DO_NOT_PROCEED = "do_not_proceed", "Do not proceed"


class ExclusionGround(models.TextChoices):
    """Procurement Act 2023 exclusion grounds that concern modern slavery or labour market misconduct.

    Mandatory: Schedule 6 para. 23, an offence under s.1, 2, 4 or 30 of the Modern Slavery Act 2015
    (https://www.legislation.gov.uk/ukpga/2023/54/schedule/6). Discretionary: Schedule 7 paras. 1-3,
    a slavery and trafficking prevention or risk order, a labour market enforcement order under s.18
    Immigration Act 2016, or sufficient evidence of such conduct
    (https://www.legislation.gov.uk/ukpga/2023/54/schedule/7). GOV.UK guidance:
    https://www.gov.uk/government/publications/procurement-act-2023-guidance-documents-procure-phase
    """

    MANDATORY = "mandatory", "Mandatory: modern slavery offence (Procurement Act 2023, Sch. 6)"
    DISCRETIONARY = "discretionary", "Discretionary: slavery, trafficking or labour market order or conduct (Sch. 7)"
