from django.urls import path

from suppliers import views, views_admin, views_audit, views_questionnaire

app_name = "suppliers"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.supplier_create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.supplier_edit, name="edit"),
    path("<int:pk>/activate/", views.activate, name="activate"),
    path("<int:pk>/rescore/", views.rescore, name="rescore"),
    path("<int:pk>/enhanced-checks/", views.enhanced_checks, name="enhanced_checks"),
    path("<int:pk>/agency/", views.agency, name="agency"),
    path("<int:pk>/decision/", views.decision, name="decision"),
    path("<int:pk>/conduct/accept/", views.conduct_accept, name="conduct_accept"),
    path("<int:pk>/questionnaires/send/", views.questionnaire_send, name="questionnaire_send"),
    path("<int:pk>/audits/new/", views_audit.audit_create, name="audit_create"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("agencies/", views.agency_list, name="agencies"),
    path("reviews/", views.review_tasks, name="review_tasks"),
    path("reviews/<int:pk>/done/", views.review_task_done, name="review_task_done"),
    path("audits/", views_audit.audit_list, name="audits"),
    path("audits/<int:pk>/", views_audit.audit_detail, name="audit_detail"),
    path("findings/<int:pk>/actions/new/", views_audit.corrective_action_create, name="action_create"),
    path("actions/", views_audit.action_list, name="actions"),
    path("actions/<int:pk>/", views_audit.action_detail, name="action_detail"),
    path("questionnaires/", views_questionnaire.questionnaire_list, name="questionnaires"),
    path("questionnaires/<int:pk>/", views_questionnaire.questionnaire_review, name="questionnaire_review"),
    path("questionnaire-templates/", views_questionnaire.template_list, name="templates"),
    path("questionnaire-templates/<int:pk>/", views_questionnaire.template_detail, name="template_detail"),
    path("q/", views_questionnaire.questionnaire_answer, name="questionnaire_answer"),
    path("q/<str:token>/", views_questionnaire.questionnaire_public, name="questionnaire_public"),
    path("conduct/", views_admin.conduct, name="conduct"),
    path("risk-settings/", views_admin.risk_settings, name="risk_settings"),
    path("import/", views_admin.import_register, name="import"),
    path("import/<int:pk>/", views_admin.import_detail, name="import_detail"),
    path("import/<int:pk>/confirm/", views_admin.import_confirm, name="import_confirm"),
    path("import/<int:pk>/abandon/", views_admin.import_abandon, name="import_abandon"),
    path("export/", views_admin.export_register, name="export"),
]
