"""Questionnaire pages: the public link for supplier contacts and procurement's review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from compliance import rules as role_rules
from compliance.web import form_add_service_errors, found_or_404, paginate, require, require_action
from suppliers import scoring, selectors
from suppliers.filters import QuestionnaireFilter
from suppliers.forms import (
    QuestionForm,
    QuestionnaireAnswerForm,
    QuestionnaireReviewForm,
    QuestionnaireTemplateForm,
    QuestionSeverityForm,
    SectionForm,
)
from suppliers.models import Question, QuestionnaireRequest
from suppliers.services import questionnaire as questionnaire_services

SESSION_KEY = "supplier_questionnaire"


@never_cache
def questionnaire_public(request, token):
    """The link in the email: its token is exchanged for a session at once, then the URL carries no token.

    So the token does not stay in the browser's history, in a Referer, or in
    any log after this one request (whose log lines have it taken out).
    """
    questionnaire = selectors.questionnaire_for_link(token=token)
    if questionnaire is None:
        # Unknown, used or expired links look the same, and show nothing of any supplier.
        response = render(request, "suppliers/questionnaire_closed.html", status=404)
    else:
        # A new session key: whoever planted a session cookie beforehand does not share this one.
        request.session.cycle_key()
        request.session[SESSION_KEY] = {"id": questionnaire.pk, "token_hash": questionnaire.token_hash}
        response = redirect("suppliers:questionnaire_answer")
    response["Referrer-Policy"] = "no-referrer"
    return response


def _session_questionnaire(request) -> QuestionnaireRequest | None:
    held = request.session.get(SESSION_KEY) or {}
    return selectors.questionnaire_for_session(pk=held.get("id"), token_hash=held.get("token_hash"))


@never_cache
def questionnaire_answer(request):
    """The supplier contact's page: no account, only the questionnaire whose link opened this session."""
    response = _questionnaire_answer(request)
    # "same-origin" rather than "no-referrer": with no-referrer Chromium posts the
    # form with "Origin: null", which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def _questionnaire_answer(request):
    questionnaire = _session_questionnaire(request)
    if questionnaire is None:
        request.session.pop(SESSION_KEY, None)
        return render(request, "suppliers/questionnaire_closed.html", status=404)
    form = QuestionnaireAnswerForm(request.POST or None, request.FILES or None, questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        values, files = form.answers()
        try:
            questionnaire_services.questionnaire_save(
                questionnaire=questionnaire, answers=values, files=files, submit=submit
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            form.add_error(None, "Some answers are missing or could not be saved: see the questions marked below.")
        else:
            if submit:
                request.session.pop(SESSION_KEY, None)
                return render(request, "suppliers/questionnaire_thanks.html", {"questionnaire": questionnaire})
            messages.success(
                request,
                f"Your answers are saved. You can come back with the link in your email until "
                f"{questionnaire.expires_at:%d %B %Y}.",
            )
            return redirect("suppliers:questionnaire_answer")
    return render(request, "suppliers/questionnaire_public.html", {"questionnaire": questionnaire, "form": form})


@login_required
def questionnaire_list(request):
    require(role_rules.can_view_suppliers, request.user)
    sent = QuestionnaireFilter(
        request.GET or None, queryset=selectors.questionnaire_list(user=request.user), request=request
    )
    return render(
        request, "suppliers/questionnaire_list.html", {"page": paginate(request, sent.qs), "filter_form": sent.form}
    )


@login_required
def questionnaire_review(request, pk):
    # The read is restricted to the register's readers: anyone else gets 404 from it.
    questionnaire = found_or_404(selectors.questionnaire_get(user=request.user, pk=pk))
    can_manage = role_rules.can_manage_suppliers.test(request.user)
    form = QuestionnaireReviewForm(request.POST if "decision" in request.POST else None)
    if request.method == "POST":
        require_action(role_rules.can_manage_suppliers, request.user)
        if "withdraw" in request.POST:
            try:
                questionnaire_services.questionnaire_cancel(
                    questionnaire=questionnaire, actor=request.user, reason=request.POST.get("reason", "")
                )
            except ValidationError as exc:
                messages.error(request, "Not withdrawn: " + " ".join(exc.messages))
            else:
                messages.success(request, "Questionnaire withdrawn: its link no longer works.")
            return redirect("suppliers:questionnaire_review", pk=questionnaire.pk)
        if form.is_valid():
            try:
                _questionnaire, token = questionnaire_services.questionnaire_review(
                    questionnaire=questionnaire,
                    actor=request.user,
                    accept=form.cleaned_data["decision"] == "accept",
                    comments=form.cleaned_data["comments"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                if token:
                    messages.success(request, "Returned to the supplier with a new link.")
                else:
                    messages.success(request, "Accepted: the answers now count in the risk score.")
                return redirect("suppliers:detail", pk=questionnaire.supplier_id)
    answers = {a.question_id: a for a in questionnaire.answers.all()}
    sections = [
        (section, [(q, answers.get(q.pk)) for q in section.questions.all()])
        for section in questionnaire.template.sections.all()
    ]
    return render(
        request,
        "suppliers/questionnaire_review.html",
        {
            "questionnaire": questionnaire,
            "sections": sections,
            "section_scores": scoring.questionnaire_section_scores(questionnaire),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
def template_list(request):
    require(role_rules.can_view_suppliers, request.user)
    can_manage = role_rules.can_manage_suppliers.test(request.user)
    form = QuestionnaireTemplateForm(request.POST or None)
    if request.method == "POST":
        require_action(role_rules.can_manage_suppliers, request.user)
        if form.is_valid():
            try:
                template = questionnaire_services.questionnaire_template_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, "Template created: add its sections and questions.")
                return redirect("suppliers:template_detail", pk=template.pk)
    templates = selectors.questionnaire_template_list(user=request.user).annotate(
        question_count=Count("sections__questions", distinct=True), request_count=Count("requests", distinct=True)
    )
    return render(
        request, "suppliers/template_list.html", {"templates": templates, "form": form, "can_manage": can_manage}
    )


@login_required
def template_detail(request, pk):
    # The read is restricted to the register's readers: anyone else gets 404 from it.
    template = found_or_404(selectors.questionnaire_template_get(user=request.user, pk=pk))
    can_manage = role_rules.can_manage_suppliers.test(request.user)
    section_form = SectionForm(request.POST if "title" in request.POST else None, prefix=None)
    question_form = QuestionForm(request.POST if "text" in request.POST else None, template=template)
    severity_form = QuestionSeverityForm(request.POST if "severity_question" in request.POST else None)
    if request.method == "POST":
        require_action(role_rules.can_manage_suppliers, request.user)
        try:
            if severity_form.is_bound:
                question = found_or_404(
                    selectors.questionnaire_template_question(
                        template=template, pk=severity_form.data.get("severity_question")
                    )
                )
                if severity_form.is_valid():
                    questionnaire_services.questionnaire_question_severity_set(
                        actor=request.user, question=question, severity=severity_form.cleaned_data["severity"]
                    )
                    messages.success(
                        request, f"Severity of “{question.text}” set to {question.get_severity_display().lower()}."
                    )
                    return redirect("suppliers:template_detail", pk=template.pk)
                messages.error(request, "Severity not changed: choose one of the severities.")
                return redirect("suppliers:template_detail", pk=template.pk)
            if "active" in request.POST:
                questionnaire_services.questionnaire_template_set_active(
                    actor=request.user, template=template, active=request.POST["active"] == "1"
                )
                messages.success(request, "Template updated.")
                return redirect("suppliers:template_detail", pk=template.pk)
            if section_form.is_bound and section_form.is_valid():
                questionnaire_services.questionnaire_section_add(
                    actor=request.user, template=template, **section_form.cleaned_data
                )
                messages.success(request, "Section added.")
                return redirect("suppliers:template_detail", pk=template.pk)
            if question_form.is_bound and question_form.is_valid():
                questionnaire_services.questionnaire_question_add(actor=request.user, **question_form.cleaned_data)
                messages.success(request, "Question added.")
                return redirect("suppliers:template_detail", pk=template.pk)
        except ValidationError as exc:
            form_add_service_errors(question_form if question_form.is_bound else section_form, exc)
    return render(
        request,
        "suppliers/template_detail.html",
        {
            "template": template,
            "section_form": section_form,
            "question_form": question_form,
            "severities": Question.Severity.choices,
            "can_manage": can_manage,
        },
    )
