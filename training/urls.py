from django.urls import path

from training import views, views_admin, views_policy

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/evidence/", views.record_evidence, name="record_evidence"),
    path("team/", views.team, name="team"),
    path("people/<int:user_id>/", views.person, name="person"),
    path("rates/", views.rates, name="rates"),
    path("admin/", views_admin.admin_index, name="admin"),
    path("admin/courses/", views_admin.course_list, name="course_list"),
    path("admin/courses/new/", views_admin.course_edit, name="course_create"),
    path("admin/courses/<int:pk>/", views_admin.course_edit, name="course_edit"),
    path("admin/rules/", views_admin.rule_list, name="rule_list"),
    path("admin/rules/new/", views_admin.rule_edit, name="rule_create"),
    path("admin/rules/<int:pk>/", views_admin.rule_edit, name="rule_edit"),
    path("admin/records/", views_admin.record_list, name="record_list"),
    path("admin/records/assign/", views_admin.record_assign, name="record_assign"),
    path("admin/imports/", views_admin.import_upload, name="import_upload"),
    path("admin/imports/<int:pk>/", views_admin.import_detail, name="import_detail"),
    path("admin/imports/<int:pk>/columns/", views_admin.import_columns, name="import_columns"),
    path("admin/imports/<int:pk>/abandon/", views_admin.import_abandon, name="import_abandon"),
    path("admin/recruitment/", views_admin.recruitment_list, name="recruitment_list"),
    path("admin/recruitment/<int:user_id>/", views_admin.recruitment_edit, name="recruitment_edit"),
    path("policies/", views_policy.policy_list, name="policy_list"),
    path("policies/new/", views_policy.policy_create, name="policy_create"),
    path("policies/<int:pk>/", views_policy.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/publish/", views_policy.policy_publish, name="policy_publish"),
    path("policies/versions/<int:pk>/", views_policy.policy_version, name="policy_version"),
    path("policies/versions/<int:pk>/acknowledge/", views_policy.policy_acknowledge, name="policy_acknowledge"),
    path("policies/versions/<int:pk>/document/", views_policy.policy_document, name="policy_document"),
]
