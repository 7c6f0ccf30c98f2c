from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from compliance import rules as r
from compliance.views import _require

PREDICATE = r.can_work_cases


@login_required
def index(request):
    _require(PREDICATE, request.user)
    return render(request, "safeguarding/index.html")
