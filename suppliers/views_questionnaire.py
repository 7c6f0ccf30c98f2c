"""Questionnaire pages: the public link for supplier contacts and procurement's review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from compliance import rules as r
from compliance.views import _require
from suppliers import selectors, services_questionnaire
from suppliers.forms import QuestionnaireAnswerForm, QuestionnaireReviewForm
from suppliers.models import QuestionnaireRequest
from suppliers.views import PAGE_SIZE, _apply_errors


@never_cache
def questionnaire_public(request, token):
    """The supplier contact's page: no account, only this one questionnaire."""
    response = _questionnaire_public(request, token)
    # The token is in the URL: never send it on to another site in a Referer header.
    # "same-origin" rather than "no-referrer": with no-referrer Chromium posts the
    # form with "Origin: null", which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def _questionnaire_public(request, token):
    qr = services_questionnaire.questionnaire_by_token(token)
    if qr is None:
        # Unknown, used or expired links look the same, and show nothing of any supplier.
        return render(request, "suppliers/questionnaire_closed.html", status=404)
    qr = (
        QuestionnaireRequest.objects.select_related("supplier", "template")
        .prefetch_related("template__sections__questions", "answers")
        .get(pk=qr.pk)
    )
    form = QuestionnaireAnswerForm(request.POST or None, request.FILES or None, request=qr)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        values, files = form.answers()
        try:
            services_questionnaire.questionnaire_save(request=qr, answers=values, files=files, submit=submit)
        except ValidationError as exc:
            _apply_errors(form, exc)
            form.add_error(None, "Some answers are missing or could not be saved: see the questions marked below.")
        else:
            if submit:
                return render(request, "suppliers/questionnaire_thanks.html", {"qr": qr})
            messages.success(
                request,
                f"Your answers are saved. You can come back to this link until {qr.expires_at:%d %B %Y}.",
            )
            return redirect("suppliers:questionnaire_public", token=token)
    return render(request, "suppliers/questionnaire_public.html", {"qr": qr, "form": form})


@login_required
def questionnaire_list(request):
    _require(r.can_view_suppliers, request.user)
    qs = selectors.questionnaire_request_list(user=request.user)
    status = request.GET.get("status")
    if status in QuestionnaireRequest.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "suppliers/questionnaire_list.html",
        {"page": page, "statuses": QuestionnaireRequest.Status.choices, "status": status},
    )


@login_required
def questionnaire_review(request, pk):
    _require(r.can_view_suppliers, request.user)
    qr = (
        selectors.questionnaire_request_list(user=request.user)
        .prefetch_related("template__sections__questions", "answers__document")
        .filter(pk=pk)
        .first()
    )
    if qr is None:
        raise Http404
    can_manage = r.can_manage_suppliers.test(request.user)
    form = QuestionnaireReviewForm(request.POST if "decision" in request.POST else None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if "withdraw" in request.POST:
            try:
                services_questionnaire.questionnaire_cancel(
                    request=qr, actor=request.user, reason=request.POST.get("reason", "")
                )
            except ValidationError as exc:
                messages.error(request, "Not withdrawn: " + " ".join(exc.messages))
            else:
                messages.success(request, "Questionnaire withdrawn: its link no longer works.")
            return redirect("suppliers:questionnaire_review", pk=qr.pk)
        if form.is_valid():
            try:
                _qr, token = services_questionnaire.questionnaire_review(
                    request=qr,
                    actor=request.user,
                    accept=form.cleaned_data["decision"] == "accept",
                    comments=form.cleaned_data["comments"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if token:
                    messages.success(request, "Returned to the supplier with a new link.")
                else:
                    messages.success(request, "Accepted: the answers now count in the risk score.")
                return redirect("suppliers:detail", pk=qr.supplier_id)
    answers = {a.question_id: a for a in qr.answers.all()}
    sections = [
        (section, [(q, answers.get(q.pk)) for q in section.questions.all()]) for section in qr.template.sections.all()
    ]
    return render(
        request,
        "suppliers/questionnaire_review.html",
        {"qr": qr, "sections": sections, "form": form, "can_manage": can_manage},
    )
