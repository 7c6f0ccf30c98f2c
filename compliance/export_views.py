"""Export downloads: at once when small, as a background job with its own page when large.

Every export view calls `export_response` with the name its list is registered
under; the job pages show the requester their exports and nobody else's (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from compliance import export_jobs, export_registry, exports, selectors
from compliance.web import found_or_404, paginate


def export_response(request, *, name: str, fmt: str | None):
    """The registered export `name` with the request's filters: a download, or a job page for a large XLSX."""
    # The permission check is the registered function's own: 404 (or 403) here as on the page.
    export = export_registry.export_build(name, user=request.user, params=request.GET)
    fmt = exports.export_format(fmt)
    if export_jobs.export_is_large(export, fmt=fmt):
        job = export_jobs.export_job_request(
            actor=request.user, name=name, fmt=fmt, query=request.GET.urlencode(), export=export
        )
        messages.info(request, "This export is large, so it is being prepared. This page shows when it is ready.")
        return redirect(job)
    return exports.download(
        request=request,
        fmt=fmt,
        filename=export.filename,
        header=export.header,
        rows=export.rows,
        detail=export.detail,
        sheet_title=export.sheet_title,
    )


@login_required
def export_job_list(request):
    page = paginate(request, selectors.export_job_list(user=request.user))
    return render(request, "compliance/export_job_list.html", {"jobs": page, "page": page})


@login_required
def export_job_detail(request, pk: int):
    job = found_or_404(selectors.export_job_get(user=request.user, pk=pk))
    template = "compliance/_export_job_status.html" if request.htmx else "compliance/export_job_detail.html"
    return render(request, template, {"job": job})


@login_required
def export_job_download(request, pk: int):
    job = found_or_404(selectors.export_job_get(user=request.user, pk=pk))
    if not job.is_ready:
        raise Http404
    # The requester's right to the list, checked again: a role taken away since asking gets nothing.
    export_jobs.export_job_download(job=job)
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        # The row says ready but the file is gone (storage cleared): ask again, do not 500.
        raise Http404
    return exports.stored_download(
        request=request,
        handle=handle,
        fmt=job.fmt,
        filename=job.filename,
        detail=f"{job.description} ({job.fmt.upper()}, background export, {job.row_count} rows)",
        obj=job,
    )
