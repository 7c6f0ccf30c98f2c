"""The seeded modern slavery assessment, modelled on the themes of the public sector
Modern Slavery Assessment Tool (MSAT, Home Office / Cabinet Office): policy and
governance, risk assessment, due diligence, recruitment practices and fees,
training, supply chain mapping, and remediation. The wording is ours; each yes/no
question whose "no" is a gap adds the questionnaire-gap points to the score.
"""

MSAT_NAME = "Modern slavery assessment (MSAT themes)"
PROVIDER_NAME = "Commissioned provider assurance (modern slavery)"

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
                "Do any workers pay fees, deposits or costs to get or keep their job (the employer pays principle)?",
                "yes_no",
                "yes",
                "",
                True,
            ),
            ("Do you or any agency you use hold workers' passports or identity documents?", "yes_no", "yes", "", True),
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
                "Have sponsored or overseas staff paid any recruitment fees or training repayment clauses?",
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
