from django.urls import path

from safeguarding import case_views, views

app_name = "safeguarding"

urlpatterns = [
    # Reporting: signed in, anonymous (stable public URL) and follow-up.
    path("concerns/new/", views.report, name="report"),
    path("report/", views.report_anonymous, name="report_anonymous"),
    path("report/easy/", views.report_easy, name="report_easy"),
    path("report/status/", views.report_status, name="report_status"),
    path("report/status/view/", views.report_follow_up, name="report_follow_up"),
    path("report/status/forget/", views.report_forget, name="report_forget"),
    path("my-reports/", views.my_reports, name="my_reports"),
    path("my-reports/<str:reference>/", views.my_report_detail, name="my_report_detail"),
    # Case work for the Lead and the Safeguarding team.
    path("cases/", case_views.index, name="index"),
    path("cases/export.csv", case_views.case_export, name="case_export"),
    path("cases/<str:reference>/", case_views.case_detail, name="case_detail"),
    path("cases/<str:reference>/summary.pdf", case_views.case_summary, name="case_summary"),
    path("cases/<str:reference>/attachments/<int:pk>/", case_views.attachment_download, name="attachment_download"),
    path("cases/<str:reference>/<slug:action>/", case_views.case_action, name="case_action"),
]
