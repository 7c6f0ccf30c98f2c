from django.urls import path

from safeguarding import views, views_cases, views_responders

app_name = "safeguarding"

urlpatterns = [
    # Reporting: signed in, anonymous (stable public URL) and follow-up.
    path("concerns/new/", views.report, name="report"),
    path("report/", views.report_anonymous, name="report_anonymous"),
    path("report/easy/", views.report_easy, name="report_easy"),
    path("report/status/", views.report_status, name="report_status"),
    path("report/status/view/", views.report_follow_up, name="report_follow_up"),
    path("report/status/view/files/<int:pk>/", views.report_follow_up_file, name="report_follow_up_file"),
    path("report/status/forget/", views.report_forget, name="report_forget"),
    path("my-reports/", views.my_reports, name="my_reports"),
    path("my-reports/<str:reference>/", views.my_report_detail, name="my_report_detail"),
    path("my-reports/<str:reference>/files/<int:pk>/", views.my_report_file, name="my_report_file"),
    # The organisations referrals go through: the Compliance admin keeps the list.
    path("organisation/first-responders/", views_responders.first_responders, name="first_responders"),
    path("organisation/first-responders/<int:pk>/", views_responders.first_responder_edit, name="first_responder_edit"),
    # Case work for the Lead and the Safeguarding team.
    path("cases/", views_cases.index, name="index"),
    path("cases/export.csv", views_cases.case_export, {"fmt": "csv"}, name="case_export"),
    path("cases/export.xlsx", views_cases.case_export, {"fmt": "xlsx"}, name="case_export_xlsx"),
    # Before cases/<reference>/, which would otherwise take "subject-access" for a reference.
    path("cases/subject-access/", views_cases.subject_access, name="subject_access"),
    path("cases/intake/", views_cases.intake, name="intake"),
    path("cases/<str:reference>/", views_cases.case_detail, name="case_detail"),
    path("cases/<str:reference>/summary.pdf", views_cases.case_summary, name="case_summary"),
    path("cases/<str:reference>/attachments/<int:pk>/", views_cases.attachment_download, name="attachment_download"),
    path("cases/<str:reference>/<slug:action>/", views_cases.case_action, name="case_action"),
]
