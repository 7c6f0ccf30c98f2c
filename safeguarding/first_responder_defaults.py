"""The organisations a case is referred through: seeded once by a data migration, then kept as data.

Designated NRM first responder organisations, as listed by the Home Office in *Modern Slavery:
Statutory Guidance for England and Wales (under s49 of the Modern Slavery Act 2015)*, section
"First Responder Organisations" (https://www.gov.uk/government/publications/modern-slavery-how-to-identify-and-support-victims)
and its detailed guide *Report modern slavery as a First Responder*
(https://www.gov.uk/guidance/report-modern-slavery-as-a-first-responder):

* statutory: police forces, parts of the Home Office (UK Visas and Immigration, Border Force,
  Immigration Enforcement), the National Crime Agency, local authorities and the Gangmasters and
  Labour Abuse Authority;
* non-statutory: The Salvation Army, Migrant Help, Medaille Trust, Kalayaan, Barnardo's, Unseen,
  New Pathways, BAWSO, the Refugee Council, NSPCC (Child Trafficking Advice Centre) and TARA
  (Trafficking Awareness Raising Alliance, Scotland).

The Duty to Notify (Modern Slavery Act 2015 s.52(5),
https://www.legislation.gov.uk/ukpga/2015/30/section/52) falls on the police (including British
Transport Police), the National Crime Agency, local authorities and the Gangmasters and Labour Abuse
Authority: only they can make the anonymous notification for an adult who declines the NRM.

The list changes: the Compliance admin adds their own local authority's teams or a newly
designated organisation, and deactivates one that is no longer designated.
"""

from __future__ import annotations

# (name, category, NRM first responder, Duty to Notify)
FIRST_RESPONDERS = [
    ("Police (local force)", "police", True, True),
    ("British Transport Police", "police", True, True),
    ("Local authority adult social care", "local_authority", True, True),
    ("Local authority children's services", "local_authority", True, True),
    ("National Crime Agency", "government", True, True),
    ("Gangmasters and Labour Abuse Authority (GLAA)", "government", True, True),
    ("Home Office: UK Visas and Immigration", "government", True, False),
    ("Home Office: Border Force", "government", True, False),
    ("Home Office: Immigration Enforcement", "government", True, False),
    ("The Salvation Army", "charity", True, False),
    ("Migrant Help", "charity", True, False),
    ("Medaille Trust", "charity", True, False),
    ("Kalayaan", "charity", True, False),
    ("Barnardo's", "charity", True, False),
    ("Unseen", "charity", True, False),
    ("New Pathways", "charity", True, False),
    ("BAWSO", "charity", True, False),
    ("Refugee Council", "charity", True, False),
    ("NSPCC Child Trafficking Advice Centre", "charity", True, False),
    ("TARA (Trafficking Awareness Raising Alliance)", "charity", True, False),
    # Not a first responder: advice, and a report it passes on (run by Unseen).
    ("Modern Slavery & Exploitation Helpline", "helpline", False, False),
]


def seed_first_responders(model) -> int:
    """Create the listed organisations that are missing (by name); returns how many were created."""
    created = 0
    for name, category, nrm, notify in FIRST_RESPONDERS:
        _, made = model.objects.get_or_create(
            name=name,
            defaults={"category": category, "is_nrm_first_responder": nrm, "has_duty_to_notify": notify},
        )
        created += made
    return created
