"""Reads for the core, each restricted to what the asking user may see."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django_countries import countries

from compliance import rules as compliance_rules
from compliance.figure_cache import carried_figure
from compliance.models import AccessLog, Department, ExportJob, Notification, Organisation, Site, User


def organisation_profile(request=None) -> Organisation | None:
    """The organisation profile; with `request`, read once for it and kept on it.

    Every page's header shows the organisation (compliance.context_processors.platform) and some
    pages' views read it too (the statement page): one read serves both. Its legal entities are
    not prefetched: the header never shows them and the pages that do read them afresh.
    """
    if request is not None and hasattr(request, "organisation_profile"):
        return request.organisation_profile
    organisation = Organisation.objects.order_by("pk").first()
    if request is not None:
        request.organisation_profile = organisation
    return organisation


def department_list(*, user: User, action: str = "change") -> QuerySet[Department]:
    return Department.objects.restrict(user, action)


def site_list(*, user: User, action: str = "change") -> QuerySet[Site]:
    return Site.objects.restrict(user, action)


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.restrict(user, "view")


def notification_unread_count(*, user: User) -> int:
    return notification_list(user=user).filter(read_at__isnull=True).count()


# The access log's kept counts (compliance.figure_cache): the retention purge retires them.
ACCESS_LOG_FIGURES = "access_log"
# Rows written longer ago than this are settled: every row with a smaller key has been committed
# too (the log is written in autocommit or in short transactions, ATOMIC_REQUESTS is off), so
# their count can be kept; the newer rows are counted on each visit.
ACCESS_LOG_SETTLED = datetime.timedelta(minutes=10)


def access_log_count(entries: QuerySet[AccessLog], *, who: str | None = None, now=None) -> int:
    """How many rows the (filtered) access log has, without a COUNT over 150,000 rows on each visit.

    The log only grows: a row is never changed, and the retention purge (the one delete) retires
    the kept counts. So the settled rows' count is kept and carried forward (plus the rows that
    settled since the last visit), and the last ten minutes' rows are counted live: a few index
    range counts instead of the whole log, exact at every visit. Retiring one cached count on
    each write instead meant nothing survived a busy hour (every read of a case writes a row).
    A search by person (`who`) matches people's current names, which change without a row of
    the log: it is counted live.
    """
    if who and who.strip():
        return entries.count()
    try:
        sql = str(entries.query)
    except EmptyResultSet:  # a filter that can match nothing
        return 0
    cutoff = (now or timezone.now()) - ACCESS_LOG_SETTLED
    # The newest key written before the cutoff: read back from the newest key, past the last
    # minutes' rows only. Every smaller key was handed out earlier still.
    settled_upto = AccessLog.objects.filter(at__lt=cutoff).order_by("-pk").values_list("pk", flat=True).first() or 0

    def advance(kept):
        if kept is None or kept[1] > settled_upto:  # nothing kept (or a clock set back): count them all
            return entries.filter(pk__lte=settled_upto).count(), settled_upto
        counted, upto = kept
        if upto < settled_upto:
            counted += entries.filter(pk__gt=upto, pk__lte=settled_upto).count()
        return counted, settled_upto

    settled, upto = carried_figure(ACCESS_LOG_FIGURES, ("settled_count", sql), advance)
    return settled + entries.filter(pk__gt=upto).count()


def access_log_list(*, user: User) -> QuerySet[AccessLog]:
    """The access log, for those who may read it (filtered by compliance.filters.AccessLogFilterSet)."""
    # Newest first with the key last, so pages tile exactly and a deep page's keys come from
    # the accesslog_newest_first index alone (the page reads them first: paginate keys_first).
    # Only the columns the page and its export show: the reader's name and email, not their whole row.
    return (
        AccessLog.objects.restrict(user, "view")
        .select_related("user")
        .only("at", "action", "object_repr", "detail", "ip_address", "path", "user__full_name", "user__email")
        .order_by("-at", "-pk")
    )


def people_for_admin(*, user: User) -> QuerySet[User]:
    """Everyone, for the Compliance admin; nobody for anyone else (filtered by compliance.filters.PeopleFilterSet)."""
    return (
        User.objects.restrict(user, "view")
        .select_related("department", "site", "line_manager")
        .prefetch_related("groups")
        # Ends with the primary key, as the user_by_name index does: a deep page reads its keys
        # from that index (from the far end for the last pages), not 10,000 joined rows.
        .order_by("full_name", "email", "pk")
    )


def people_list_for_admin(*, user: User) -> QuerySet[User]:
    """The people list: people_for_admin without the roles, which the list reads for its page alone."""
    return people_for_admin(user=user).prefetch_related(None)


def people_with_role_names(people: Iterable[User]) -> list[User]:
    """The people, each with `role_names` (in the roles' own order, as the page listed them), read in one query.

    The list shows only the names: a prefetch of the Group rows cost 2 ms a page of 50 to build
    and attach (half the rows' own query), this 0.3 ms.
    """
    people = list(people)
    names: dict[int, list[str]] = {person.pk: [] for person in people}
    memberships = (
        User.groups.through.objects.filter(user_id__in=names)
        .order_by("user_id", "group_id")
        .values_list("user_id", "group__name")
    )
    for user_id, name in memberships:
        names[user_id].append(name)
    for person in people:
        person.role_names = names[person.pk]
    return people


def api_token_for(*, user: User):
    """The user's API token record (a digest and dates, never the token itself), or None."""
    from knox.models import AuthToken

    return AuthToken.objects.filter(user=user).order_by("-created").first()


def outbox_messages_for_admin(*, user: User, status: str) -> QuerySet:
    """Outgoing emails in one delivery state, for the Compliance admin; nothing for anyone else."""
    from compliance.models import OutboxMessage

    return OutboxMessage.objects.restrict(user, "view").filter(status=status).defer("body_text", "body_html")


def outbox_counts(*, user: User) -> dict[str, int]:
    """How many outgoing emails are waiting and how many failed (admin only)."""
    from compliance.models import OutboxMessage

    if not compliance_rules.can_manage_organisation.test(user):
        return {}
    rows = (
        OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).values("status").annotate(n=models.Count("pk"))
    )
    counts = {"pending": 0, "failed": 0}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def people_search(*, user: User, pick: str, text: str = "") -> QuerySet[User]:
    """People the field ``pick`` (PersonPick) offers, matching ``text`` by name or email; nobody outside its page's rule."""
    people = User.objects.restrict(user, f"pick_{pick}")
    if text:
        people = people.filter(models.Q(full_name__icontains=text) | models.Q(email__icontains=text))
    return people.only("pk", "full_name", "email", "job_title")


def country_search(*, text: str = "") -> list[tuple[str, str]]:
    """ISO 3166-1 countries as (code, name) whose name contains ``text`` or whose code is it, by name."""
    text = text.strip().casefold()
    return [
        (code, name) for code, name in countries if not text or text in str(name).casefold() or text == code.casefold()
    ]


def export_job_list(*, user: User) -> QuerySet[ExportJob]:
    """The background exports the user asked for, newest first (nobody else's)."""
    return ExportJob.objects.restrict(user, "view").order_by("-created_at", "-pk")


def export_job_get(*, user: User, pk: int) -> ExportJob | None:
    return ExportJob.objects.restrict(user, "view").select_related("requested_by").filter(pk=pk).first()
