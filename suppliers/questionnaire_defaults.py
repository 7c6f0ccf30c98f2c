"""The seeded modern slavery assessment, modelled on the themes of the public sector
Modern Slavery Assessment Tool (MSAT, Home Office / Cabinet Office): policy and
governance, risk assessment, due diligence, recruitment practices and fees,
training, supply chain mapping, and remediation. The wording is ours; a gap answer
adds the points for its question's severity to the score (SEVERITIES below).
"""

MSAT_NAME = "Modern slavery assessment (MSAT themes)"
PROVIDER_NAME = "Commissioned provider assurance (modern slavery)"
FEES_MSAT = "Do any workers pay fees, deposits or costs to get or keep their job (the employer pays principle)?"
DOCUMENTS_MSAT = "Do you or any agency you use hold workers' passports or identity documents?"
FEES_PROVIDER = "Have sponsored or overseas staff paid any recruitment fees or training repayment clauses?"

# (section title, [(text, kind, gap_answer, choices, required)])
MSAT_SECTIONS = [
    (
        "Policy and governance",
        [
            (
                "Do you have a modern slavery or human rights policy approved by your board or owner?",
                "yes_no",
                "no",
                "",
                True,
            ),
            ("Is a named senior person accountable for modern slavery risk?", "yes_no", "no", "", True),
            ("Do you publish a modern slavery statement (s.54) or would you share one?", "yes_no", "no", "", True),
            ("Upload your policy or statement", "file", "", "", False),
        ],
    ),
    (
        "Risk assessment",
        [
            (
                "Have you assessed where modern slavery is most likely in your operations and supply chain in the last 12 months?",
                "yes_no",
                "no",
                "",
                True,
            ),
            (
                "Which workers are most at risk in your business?",
                "choice",
                "",
                "Agency or temporary workers\nMigrant or sponsored workers\nSubcontracted workers\nNone identified",
                True,
            ),
        ],
    ),
    (
        "Due diligence",
        [
            ("Do your contracts with your own suppliers include anti-slavery clauses?", "yes_no", "no", "", True),
            (
                "Do you audit or visit suppliers and labour providers, including unannounced visits?",
                "yes_no",
                "no",
                "",
                True,
            ),
        ],
    ),
    (
        "Recruitment practices and fees",
        [
            (
                FEES_MSAT,
                "yes_no",
                "yes",
                "",
                True,
            ),
            (DOCUMENTS_MSAT, "yes_no", "yes", "", True),
            ("Do all workers receive a written contract in a language they understand?", "yes_no", "no", "", True),
            (
                "Do you check that workers are paid at least the National Living Wage for all hours, including travel time?",
                "yes_no",
                "no",
                "",
                True,
            ),
        ],
    ),
    (
        "Training",
        [
            (
                "Have managers and recruiters been trained to recognise the signs of modern slavery in the last year?",
                "yes_no",
                "no",
                "",
                True,
            ),
        ],
    ),
    (
        "Supply chain mapping",
        [
            (
                "Have you mapped your supply chain beyond your direct (tier 1) suppliers for high-risk goods and labour?",
                "yes_no",
                "no",
                "",
                True,
            ),
            ("Which countries do your main goods or workers come from?", "text", "", "", True),
        ],
    ),
    (
        "Remediation and grievance",
        [
            (
                "Can workers raise concerns confidentially, for example through a whistleblowing line?",
                "yes_no",
                "no",
                "",
                True,
            ),
            (
                "Do you have a plan to support workers and repay fees if exploitation is found?",
                "yes_no",
                "no",
                "",
                True,
            ),
            (
                "Describe any modern slavery concerns found in the last two years and what you did.",
                "text",
                "",
                "",
                False,
            ),
        ],
    ),
]

PROVIDER_SECTIONS = [
    (
        "Workforce and recruitment",
        [
            ("Do you employ staff sponsored on Health and Care Worker visas?", "yes_no", "", "", True),
            (
                FEES_PROVIDER,
                "yes_no",
                "yes",
                "",
                True,
            ),
            (
                "Do you carry out right-to-work and identity checks yourselves for every worker?",
                "yes_no",
                "no",
                "",
                True,
            ),
        ],
    ),
    (
        "Safeguarding and reporting",
        [
            ("Is modern slavery covered in your safeguarding training for all staff?", "yes_no", "no", "", True),
            (
                "Have you reported any modern slavery concerns to the local authority in the last year?",
                "yes_no",
                "",
                "",
                True,
            ),
            ("Upload your latest safeguarding or modern slavery policy", "file", "", "", False),
        ],
    ),
]


# Severity of a gap answer, by question text (a question not named here is "medium").
# Worker-paid recruitment fees and retained identity documents are critical: the ILO
# counts "debt bondage" (fees a worker must pay off) and "retention of identity
# documents" among its eleven indicators of forced labour (ILO Indicators of Forced
# Labour, 2012: https://www.ilo.org/publications/ilo-indicators-forced-labour), and HMRC's
# labour provider guidance lists both as signs of modern slavery
# (https://www.gov.uk/hmrc-internal-manuals/labour-provider-operational-guidance/lpog8370).
# In Great Britain an agency may not charge work-seekers for finding them work
# (Employment Agencies Act 1973 s.6: https://www.legislation.gov.uk/ukpga/1973/35/section/6).
# No written contract in the worker's language (deception) and pay below the legal
# minimum (withholding of wages) are further ILO indicators, so "high"; governance and
# mapping gaps weaken due diligence without pointing at exploitation, so "low".
SEVERITIES = {
    FEES_MSAT: "critical",
    DOCUMENTS_MSAT: "critical",
    FEES_PROVIDER: "critical",
    "Do all workers receive a written contract in a language they understand?": "high",
    "Do you check that workers are paid at least the National Living Wage for all hours, including travel time?": "high",
    "Do you carry out right-to-work and identity checks yourselves for every worker?": "high",
    "Is a named senior person accountable for modern slavery risk?": "low",
    "Do you publish a modern slavery statement (s.54) or would you share one?": "low",
    "Have you mapped your supply chain beyond your direct (tier 1) suppliers for high-risk goods and labour?": "low",
    "Do you have a plan to support workers and repay fees if exploitation is found?": "low",
}


def seed_severities(Question) -> int:  # noqa: N803 (model passed in by migrations)
    """Set the seeded questions' severities where they still have the default; returns how many changed."""
    changed = 0
    for text, severity in SEVERITIES.items():
        changed += (
            Question.objects.filter(
                section__template__name__in=(MSAT_NAME, PROVIDER_NAME), text=text, severity="medium"
            )
            .exclude(gap_answer="")
            .update(severity=severity)
        )
    return changed


def seed_templates(QuestionnaireTemplate, QuestionnaireSection, Question) -> None:  # noqa: N803
    """Create the two seeded questionnaires if they are not there yet."""
    for name, purpose, intro, sections in (
        (
            MSAT_NAME,
            "supplier",
            "These questions follow the themes of the government's Modern Slavery Assessment Tool. "
            "Answer for your own organisation. You can save and come back before you submit.",
            MSAT_SECTIONS,
        ),
        (
            PROVIDER_NAME,
            "provider_assurance",
            "Assurance we ask of commissioned care providers each year.",
            PROVIDER_SECTIONS,
        ),
    ):
        template, created = QuestionnaireTemplate.objects.get_or_create(
            name=name, defaults={"purpose": purpose, "introduction": intro}
        )
        if not created:
            continue
        for s_order, (title, questions) in enumerate(sections, start=1):
            section = QuestionnaireSection.objects.create(template=template, order=s_order, title=title)
            for q_order, (text, kind, gap, choices, required) in enumerate(questions, start=1):
                Question.objects.create(
                    section=section,
                    order=q_order,
                    text=text,
                    kind=kind,
                    gap_answer=gap,
                    choices=choices,
                    required=required,
                )
    if any(field.name == "severity" for field in Question._meta.get_fields()):
        # Migration 0003 runs this before questions had a severity; later callers get the seeded severities.
        seed_severities(Question)
