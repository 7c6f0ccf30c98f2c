from django.urls import path

from reporting import views, views_governance

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("kpis.csv", views.kpi_export, {"fmt": "csv"}, name="kpi_csv"),
    path("kpis.xlsx", views.kpi_export, {"fmt": "xlsx"}, name="kpi_xlsx"),
    path("statements/", views.statement_list, name="statement_list"),
    path("statements/start/", views.statement_start, name="statement_start"),
    path("statements/registry.csv", views.registry_export, {"fmt": "csv"}, name="registry_csv"),
    path("statements/registry.xlsx", views.registry_export, {"fmt": "xlsx"}, name="registry_xlsx"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/edit/", views.statement_edit, name="statement_edit"),
    path("statements/<int:pk>/approve/", views.statement_approve, name="statement_approve"),
    path("statements/<int:pk>/sign/", views.statement_sign, name="statement_sign"),
    path("statements/<int:pk>/publish/", views.statement_publish, name="statement_publish"),
    path("statements/<int:pk>/registry/", views.statement_registry, name="statement_registry"),
    path("statements/<int:pk>/refresh-figures/", views.statement_refresh_figures, name="statement_refresh_figures"),
    path("statements/<int:pk>/new-version/", views.statement_new_version, name="statement_new_version"),
    path("statements/<int:pk>/actions/", views.statement_actions, name="statement_actions"),
    path("statements/<int:pk>/diff/", views.statement_diff_view, name="statement_diff"),
    path("statements/<int:pk>/pdf/", views.statement_pdf, name="statement_pdf"),
    # Public, no login: the stable address the statement is published at.
    path("statement/", views.public_statement_index, name="public_statement_index"),
    path("statement/<int:year>/", views.public_statement, name="public_statement"),
    path("statement/<int:year>/pdf/", views.public_statement_pdf, name="public_statement_pdf"),
    path("board-reports/", views.board_report_list, name="board_report_list"),
    path("board-reports/<int:pk>/", views.board_report_detail, name="board_report_detail"),
    path("board-reports/<int:pk>/download/", views.board_report_download, name="board_report_download"),
    path("risks/", views_governance.risk_list, name="risk_list"),
    path("risks/new/", views_governance.risk_edit, name="risk_new"),
    path("risks/annual-review/", views_governance.register_review, name="register_review"),
    path("risks/<int:pk>/", views_governance.risk_detail, name="risk_detail"),
    path("risks/<int:pk>/edit/", views_governance.risk_edit, name="risk_edit"),
    path("risks/<int:pk>/review/", views_governance.risk_review, name="risk_review"),
    path("meetings/", views_governance.meeting_list, name="meeting_list"),
    path("meetings/new/", views_governance.meeting_edit, name="meeting_new"),
    path("meetings/<int:pk>/edit/", views_governance.meeting_edit, name="meeting_edit"),
    path("actions/", views_governance.action_list, name="action_list"),
    path("actions/new/", views_governance.action_edit, name="action_new"),
    path("actions/<int:pk>/", views_governance.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views_governance.action_edit, name="action_edit"),
]
