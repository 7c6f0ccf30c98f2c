"""axe-core (WCAG 2.2 AA) on every page, for every role that sees it differently, at desktop and phone width.

The page list is the URL configuration itself: every route is visited, and a
route that takes arguments needs an entry in SAMPLES (the test fails naming it
otherwise), so a new page is covered the day it is added. Each page is opened
by the first persona that may see it; the pages whose content depends on the
role (home, notifications, training, the reporting journey) are opened by every
persona. Violations of any impact fail, not only serious and critical ones.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Error as PlaywrightError

from compliance import roles
from compliance.demo import DEMO_DOMAIN
from compliance.models import User
from tests.browser import axe_violations, sign_in_as
from tests.support import enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}
SKIP_PREFIXES = ("admin/", "api/", "static/", "media/", "__")

# Demo logins (compliance.demo), in the order tried: the first that may open a page visits it.
PERSONAS = ("lead", "admin", "procurement", "hr", "director", "board", "safeguarding", "manager", "staff")
# Pages whose content depends on who asks: the home page (tiles and navigation) for every persona,
# the others for each persona that sees a different version.
ROLE_VARIANTS = {
    "home": PERSONAS,
    "safeguarding:report": ("staff", "manager"),  # a line manager may report on someone's behalf
    "training:index": ("staff", "manager", "hr"),
    "suppliers:agencies": ("procurement", "hr"),  # HR's read-only version has no register links
}
# Who opens the pages of a section first (the persona that sees most of it); others are tried after.
SECTION_PERSONA = {
    "cases/": "lead",
    "suppliers/": "procurement",
    "reporting/": "lead",
    "organisation/": "admin",
    "access-log/": "admin",
    "training/admin/": "hr",
    "training/policies/": "admin",
    "training/": "hr",
}

# Routes that never answer a GET with a page: downloads, and actions that only take a POST.
NOT_PAGES = {
    "safeguarding:case_summary",
    "safeguarding:attachment_download",
    "safeguarding:my_report_file",
    "safeguarding:report_follow_up_file",
    "safeguarding:case_export",
    "safeguarding:case_export_xlsx",
    "suppliers:document",
    "suppliers:export",
    "training:record_evidence",
    "training:policy_document",
    "reporting:kpi_csv",
    "reporting:kpi_xlsx",
    "reporting:registry_csv",
    "reporting:registry_xlsx",
    "reporting:statement_pdf",
    "reporting:public_statement_pdf",
    "reporting:board_report_download",
    "export_job_download",
    "health",
    "account_logout",
    "mfa_download_recovery_codes",
    # The questionnaire link is exchanged for a session and redirects here: visited through that link.
    "suppliers:questionnaire_answer",
    # The same for the supplier portal's link.
    "suppliers:portal",
    "suppliers:portal_link_revoke",  # POST only
}
# Links whose answer is a redirect to the page to check.
FOLLOW_REDIRECT = {"suppliers:questionnaire_public", "suppliers:portal_public"}
# Routes no persona gets as a page by a plain GET: steps of a sign-in or set-up flow that redirect
# when not in that flow, POST-only actions that answer 404 rather than 405, and the follow-up
# page (it needs a receipt code: checked below through the reporting journey).
NOT_A_PAGE_BY_GET = {
    "/accounts/login/code/confirm/",
    "/accounts/reauthenticate/code/confirm/",
    "/accounts/reauthenticate/code/",
    "/accounts/password/set/",
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/authenticate/",
    "/accounts/2fa/recovery-codes/",
    "/report/status/view/",
    "/i18n/setlang/",  # Django's language switch: POST only, a GET redirects back
    "/suppliers/import/{supplier_import}/abandon/",
    "/suppliers/import/{supplier_import}/confirm/",
    "/training/admin/imports/{training_import}/abandon/",
}


def _first(model, **filters):
    obj = model.objects.filter(**filters).order_by("pk").first()
    assert obj is not None, f"the demo data has no {model.__name__} matching {filters}"
    return obj


def _samples():
    """URL name -> (kwargs, persona or None for the first that may open it[, query string]), from the demo data."""
    from compliance.leases import ImportStatus
    from compliance.models import ExportJob, Notification, OutboxMessage
    from compliance.policy_models import PolicyVersion
    from reporting.models import ActionPlanItem, BoardReport, GovernanceMeeting, RiskRegisterEntry, Statement
    from safeguarding.models import Concern, FirstResponder
    from suppliers.models import (
        Audit,
        CorrectiveAction,
        Finding,
        QuestionnaireRequest,
        QuestionnaireTemplate,
        ReviewTask,
        Supplier,
        SupplierImport,
    )
    from training.models import AssignmentRule, Course, ImportBatch, RecruitmentCheck, TrainingRecord

    staff = User.objects.get(email=f"staff@{DEMO_DOMAIN}")
    lead = User.objects.get(email=f"lead@{DEMO_DOMAIN}")
    hr = User.objects.get(email=f"hr@{DEMO_DOMAIN}")
    procurement = User.objects.get(email=f"procurement@{DEMO_DOMAIN}")
    # Job pages the demo has no rows for: one each, as the worker left them.
    supplier_import = SupplierImport.objects.create(filename="register.csv", content=b"", uploaded_by=procurement)
    training_import = ImportBatch.objects.create(filename="roster.csv", kind="roster", content="", uploaded_by=hr)
    # Uploads waiting on the column-mapping step: a heading the import does not know.
    supplier_mapping = SupplierImport.objects.create(
        filename="register.csv",
        content=b"Supplier name,Country,Mystery column\nAcme Care Ltd,GB,x\n",
        uploaded_by=procurement,
        status=ImportStatus.MAPPING,
    )
    training_mapping = ImportBatch.objects.create(
        filename="roster.csv",
        kind="roster",
        content="Full name,Email address,Mystery column\nAda Byron,ada@example.org,x\n",
        uploaded_by=hr,
        status=ImportStatus.MAPPING,
    )
    board_report = BoardReport.objects.create(financial_year=2026, requested_by=lead)
    # A large export the Lead asked for, still being written (its page polls until the file is there).
    export_job = ExportJob.objects.create(
        requested_by=lead, export="cases", fmt="xlsx", description="Case list", filename="cases.xlsx"
    )
    review = ReviewTask.objects.order_by("pk").first()
    concern = _first(Concern, reporter__isnull=False)
    own = Concern.objects.filter(reporter=staff).order_by("pk").first() or concern
    published = _first(Statement, status="published")
    statement = _first(Statement, status="draft")
    supplier = _first(Supplier)
    pk = lambda obj: {"pk": obj.pk}  # noqa: E731
    return {
        "person_edit": (pk(staff), "admin"),
        "journey_wording_remove": ({"pk": 1}, "admin"),  # POST-only: any number answers 405
        "export_job_detail": (pk(export_job), "lead"),
        "outbox_resend": ({"pk": OutboxMessage.objects.order_by("pk").first().pk}, "admin"),
        "notification_read": ({"pk": _first(Notification).pk}, None),
        "safeguarding:my_report_detail": ({"reference": own.reference}, "staff" if own.reporter == staff else None),
        "safeguarding:case_detail": ({"reference": concern.reference}, None),
        "safeguarding:first_responder_edit": (pk(_first(FirstResponder)), "admin"),
        # A GET runs the action with nothing filled in: the case page with the errors shown.
        "safeguarding:case_action": ({"reference": concern.reference, "action": "close"}, None),
        "suppliers:detail": (pk(supplier), None),
        "suppliers:edit": (pk(supplier), None),
        "suppliers:activate": (pk(supplier), None),
        "suppliers:rescore": (pk(supplier), None),
        "suppliers:enhanced_checks": (pk(supplier), None),
        "suppliers:agency": (pk(supplier), None),
        "suppliers:decision": (pk(supplier), None),
        "suppliers:conduct_accept": (pk(supplier), None),
        "suppliers:questionnaire_send": (pk(supplier), None),
        "suppliers:conduct_send": (pk(supplier), None),
        "suppliers:audit_create": (pk(supplier), None),
        "suppliers:review_task_done": ({"pk": review.pk if review else 1}, None),
        "suppliers:audit_detail": (pk(_first(Audit)), None),
        "suppliers:action_create": (pk(_first(Finding)), None),
        "suppliers:action_detail": (pk(_first(CorrectiveAction)), None),
        "suppliers:questionnaire_review": (pk(_first(QuestionnaireRequest, status="submitted")), None),
        "suppliers:template_detail": (pk(_first(QuestionnaireTemplate)), None),
        "suppliers:questionnaire_public": ({"token": _questionnaire_token(supplier, procurement)}, "anonymous"),
        "suppliers:portal_public": ({"token": _portal_token(procurement)}, "anonymous"),
        "suppliers:import_detail": (pk(supplier_import), None),
        "suppliers:import_columns": (pk(supplier_mapping), None),
        "suppliers:procurement": (pk(supplier), None),
        "suppliers:supply_chain": (pk(supplier), None),
        "suppliers:import_confirm": (pk(supplier_import), None),
        "suppliers:import_abandon": (pk(supplier_import), None),
        "training:record_detail": (pk(_first(TrainingRecord, user=staff)), "staff"),
        "training:person": ({"user_id": staff.pk}, None),
        "training:course_edit": (pk(_first(Course)), None),
        "training:rule_edit": (pk(_first(AssignmentRule)), None),
        "training:import_detail": (pk(training_import), None),
        "training:import_columns": (pk(training_mapping), None),
        "training:import_abandon": (pk(training_import), None),
        "training:recruitment_edit": ({"user_id": _first(RecruitmentCheck).worker_id}, None),
        "training:policy_detail": ({"pk": _first(PolicyVersion).policy_id}, None),
        "training:policy_publish": ({"pk": _first(PolicyVersion).policy_id}, None),
        "training:policy_version": (pk(_first(PolicyVersion)), "staff"),
        "training:policy_acknowledge": (pk(_first(PolicyVersion)), None),
        **{
            f"reporting:{name}": (pk(statement), None)
            for name in (
                "statement_detail",
                "statement_edit",
                "statement_approve",
                "statement_sign",
                "statement_publish",
                "statement_registry",
                "statement_refresh_figures",
                "statement_new_version",
                "statement_actions",
            )
        },
        # The draft against last year's published statement (a first version has nothing to compare with).
        "reporting:statement_diff": (pk(statement), None, f"?against={published.pk}"),
        "reporting:public_statement": (
            {"year": published.period_end.year},
            "anonymous",
        ),
        "reporting:board_report_detail": (pk(board_report), None),
        "reporting:risk_detail": (pk(_first(RiskRegisterEntry)), None),
        "reporting:risk_edit": (pk(_first(RiskRegisterEntry)), None),
        "reporting:risk_review": (pk(_first(RiskRegisterEntry)), None),
        "reporting:meeting_edit": (pk(_first(GovernanceMeeting)), None),
        "reporting:action_detail": (pk(_first(ActionPlanItem)), None),
        "reporting:action_edit": (pk(_first(ActionPlanItem)), None),
    }


def _questionnaire_token(supplier, actor) -> str:
    """A working questionnaire link (the demo's links were e-mailed and their tokens are not kept)."""
    from suppliers.models import QuestionnaireTemplate
    from suppliers.services.questionnaire import questionnaire_send

    template = _first(QuestionnaireTemplate, is_active=True)
    return questionnaire_send(
        supplier=supplier,
        template=template,
        actor=actor,
        contact_name="Sam Supplier",
        contact_email="sam@supplier.example",
    )[1]


def _portal_token(actor) -> str:
    """A working supplier portal link (as for the questionnaire, the demo's tokens are not kept)."""
    from suppliers.models import Supplier
    from suppliers.services.portal import portal_link_issue

    # A terminated supplier's links never open the portal.
    supplier = Supplier.objects.exclude(status=Supplier.Status.TERMINATED).order_by("pk").first()
    return portal_link_issue(supplier=supplier, actor=actor, contact_email="sam@supplier.example")[1]


def _routes(resolver=None, prefix="", namespace=""):
    """(URL name, route) for every page in the URL configuration."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIP_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", route


def _has_arguments(route: str) -> bool:
    return "<" in route or "(?P" in route


def _run_axe(page, where: str, found: dict) -> None:
    """axe at desktop width, then again at 320 px on the same page (no reload needed: axe reads the layout)."""
    for label, viewport in (("desktop", DESKTOP), ("320px", PHONE)):
        page.set_viewport_size(viewport)
        for violation in axe_violations(page):
            found.setdefault(f"{where} [{label}]", []).append(violation)
    page.set_viewport_size(DESKTOP)


def test_every_page_passes_axe_for_every_role_at_desktop_and_phone_width(browser, live_server):
    # seed_demo puts back the rows data migrations made (role groups, risk tables, questionnaires),
    # which an earlier live-server test has flushed.
    call_command("seed_demo", force=True, stdout=io.StringIO())
    users = {}
    for persona in PERSONAS:
        user = User.objects.get(email=f"{persona}@{DEMO_DOMAIN}")
        if set(user.groups.values_list("name", flat=True)) & roles.PRIVILEGED_ROLES:
            enrol_totp(user)
        users[persona] = user
    samples = _samples()
    tabs = {}

    def tab(persona):
        if persona not in tabs:
            context = browser.new_context(bypass_csp=True, viewport=DESKTOP)
            page = context.new_page()
            page.set_default_timeout(30_000)  # the biggest pages are slow on a busy machine
            if persona != "anonymous":
                sign_in_as(page, live_server, users[persona])
            tabs[persona] = page
        return tabs[persona]

    def visit(persona, path, follow=False):
        """Open the page; the status, or None when the answer is not an HTML page."""
        page = tab(persona)
        # A POST-only action answers 405 with no body, which Chromium turns into an error page that
        # can interrupt the next navigation: ask over HTTP first (same cookies) and open only pages.
        if page.request.get(f"{live_server.url}{path}", max_redirects=0).status == 405:
            return 405
        for attempt in range(3):
            try:
                response = page.goto(f"{live_server.url}{path}")
                break
            except PlaywrightError as error:
                # Chromium shows no page for an error answer without a body: a POST-only action's 405.
                if "ERR_HTTP_RESPONSE_CODE_FAILURE" in str(error):
                    return 405
                # The error page of the previous 405 may still be arriving: go again.
                if "interrupted by another navigation" not in str(error) or attempt == 2:
                    raise
        # goto follows redirects: a page that sends this persona elsewhere is not theirs to check.
        if (response.request.redirected_from is not None and not follow) or "text/html" not in (
            response.headers.get("content-type") or ""
        ):
            return None
        return response.status

    found, visited, missing, unvisited = {}, [], [], []
    for name, route in sorted(set(_routes())):
        # allauth's emailed-key links need a real key; their pages share the account templates checked here.
        if name in NOT_PAGES or (route.startswith("accounts/") and _has_arguments(route)):
            continue
        if _has_arguments(route):
            if name not in samples:
                missing.append(name)
                continue
            kwargs, persona, *query = samples[name]
            path = reverse(name, kwargs=kwargs) + "".join(query)
        else:
            path, persona = reverse(name), None
        if route.startswith(("report/", "accounts/login", "accounts/signup", "accounts/password/reset")):
            persona = "anonymous"
        elif route.startswith("accounts/"):
            persona = "lead"  # the account pages, with two-factor authentication set up
        if name in ROLE_VARIANTS:
            candidates = ROLE_VARIANTS[name]
        elif persona:
            candidates = [persona]
        else:
            first = next((p for prefix, p in SECTION_PERSONA.items() if route.startswith(prefix)), "staff")
            candidates = [first, *(p for p in PERSONAS if p != first)]
        seen = False
        for candidate in candidates:
            status = visit(candidate, path, follow=name in FOLLOW_REDIRECT)
            if status == 405:
                seen = True  # a POST-only action: there is no page to check, for anyone
                break
            if status is None or status in (403, 404):
                continue
            _run_axe(tab(candidate), f"{path} as {candidate}", found)
            visited.append((path, candidate))
            seen = True
            if name not in ROLE_VARIANTS:
                break
        if not seen:
            unvisited.append(path)

    # Page states reached only by doing something: the reporting journey's errors, thank-you and follow-up.
    journey = tab("anonymous")
    journey.goto(f"{live_server.url}/report/")
    journey.get_by_role("button", name="Send report").click()
    _run_axe(journey, "/report/ with errors", found)
    journey.get_by_label("A service user").check()
    journey.get_by_label("What happened?").fill("Her 'cousin' answers every question for her.")
    journey.get_by_role("button", name="Send report").click()
    code = journey.get_by_test_id("receipt-code").inner_text()
    _run_axe(journey, "/report/ thank-you page", found)
    journey.goto(f"{live_server.url}/report/status/")
    journey.get_by_label("Your receipt code").fill("WRONG-CODE")
    journey.get_by_role("button", name="Show my report").click()
    _run_axe(journey, "/report/status/ with a wrong code", found)
    journey.get_by_label("Your receipt code").fill(code)
    journey.get_by_role("button", name="Show my report").click()
    _run_axe(journey, "/report/status/view/", found)
    journey.goto(f"{live_server.url}/no-such-page/")
    _run_axe(journey, "404 page", found)

    for page in tabs.values():
        page.context.close()
    expected_unvisited = {
        path.format(
            supplier_import=samples["suppliers:import_detail"][0]["pk"],
            training_import=samples["training:import_detail"][0]["pk"],
        )
        for path in NOT_A_PAGE_BY_GET
    }
    problems = [f"{where}: {v['id']} ({v['impact']}) {v['nodes']}" for where, vs in found.items() for v in vs]
    if missing:
        problems.append(f"add a sample for these routes to _samples(): {missing}")
    if set(unvisited) - expected_unvisited:
        problems.append(f"no persona could open: {sorted(set(unvisited) - expected_unvisited)}")
    assert not problems, "\n".join(problems)
    assert len(visited) > 80, visited
