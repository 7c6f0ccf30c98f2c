from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from compliance import api, export_views, health, views, wording_views

api_v1 = [
    path("me/", api.me, name="api-me"),
    path("people/autocomplete/", api.PeopleSearch.as_view(), name="api-people-search"),
    path("countries/autocomplete/", api.CountrySearch.as_view(), name="api-country-search"),
    path("safeguarding/", include("safeguarding.api_urls")),
    path("suppliers/", include("suppliers.api_urls")),
    path("training/", include("training.api_urls")),
    path("reporting/", include("reporting.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/people/", views.people, name="people"),
    path("organisation/people/new/", views.person_edit, name="person_create"),
    path("organisation/people/<int:pk>/", views.person_edit, name="person_edit"),
    path("organisation/wording/", wording_views.journey_wording, name="journey_wording"),
    path("organisation/wording/<int:pk>/remove/", wording_views.journey_wording_remove, name="journey_wording_remove"),
    path("organisation/messages/", views.outbox_failed, name="outbox_failed"),
    path("organisation/messages/<int:pk>/resend/", views.outbox_resend, name="outbox_resend"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("access-log/", views.access_log, name="access_log"),
    path("exports/", export_views.export_job_list, name="export_job_list"),
    path("exports/<int:pk>/", export_views.export_job_detail, name="export_job_detail"),
    path("exports/<int:pk>/download/", export_views.export_job_download, name="export_job_download"),
    path("account/api-token/", views.api_token, name="api_token"),
    path("accounts/", include("allauth.urls")),
    # The language switch (base.html) posts here; the choice is kept in a cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("safeguarding.urls")),
    path("suppliers/", include("suppliers.urls")),
    path("training/", include("training.urls")),
    path("reporting/", include("reporting.urls")),
]
