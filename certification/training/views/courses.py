"""What certified organisations do every week: training centres, trainers, courses and the
attendees of each course.

Owners and managers manage everything here. A trainer whose account is linked to a trainer
of the organisation sees the courses they teach, read-only, and manages their attendees.
Changes need a certified organisation; the service functions say so otherwise.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from certification.accounts.http import AuthenticatedHttpRequest
from certification.accounts.permissions import can, require
from certification.organisations.access import get_organisation_for_member
from certification.organisations.models import Membership, Organisation
from certification.training import services
from certification.training.forms import CourseForm, TrainerForm, TrainingCentreForm
from certification.training.models import Course, Trainer, TrainingCentre

PAGE_SIZE = 25
ATTENDEES_PAGE_SIZE = 100

# Other apps add a panel to the course page without this app importing them: the
# certificates app registers a function (request, course) -> extra template context in its
# AppConfig.ready(), e.g. {"certificates_panel": ...}; the page then includes
# "certificates/_course_panel.html".
CoursePanel = Callable[[HttpRequest, Course], dict[str, Any]]
course_page_panels: list[CoursePanel] = []


def register_course_panel(panel: CoursePanel) -> CoursePanel:
    if panel not in course_page_panels:
        course_page_panels.append(panel)
    return panel


def _page(request: HttpRequest, items: Any, size: int = PAGE_SIZE) -> Page[Any]:
    return Paginator(items, size).get_page(request.GET.get("page"))


def _managed_organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.MANAGER)
    require(request.user, "organisation.manage", organisation)
    return organisation


def _refuse_unless_certified(
    request: HttpRequest, organisation: Organisation, to: str, *args: Any
) -> HttpResponse | None:
    if organisation.is_certified:
        return None
    messages.error(request, _("Only certified organisations run courses."))
    return redirect(to, organisation.slug, *args)


def _map_tiles() -> dict[str, str]:
    """The optional tile server of the location picker's map."""
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def _changed(form: Any) -> list[str]:
    return [name for name in form.changed_data if name in form.Meta.fields]


def _save(
    request: HttpRequest, form: Any, save: Callable[[], object], *, done: str, to: str, slug: str
) -> HttpResponse | None:
    """Once the bound form is valid, `save` its instance through the service and go back to the
    list with the message `done`; None shows the form again, with the service's refusal among
    its errors."""
    if not (form.is_bound and form.is_valid()):
        return None
    try:
        save()
    except services.TrainingError as error:
        form.add_error(None, str(error))
        return None
    messages.success(request, done % {"name": form.instance.name})
    return redirect(to, slug)


def _delete(
    request: HttpRequest, delete: Callable[[], object], *, name: str, to: str, slug: str
) -> HttpResponse:
    """Delete through the service after the confirmation page's POST, then back to the list."""
    try:
        delete()
    except services.TrainingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” is deleted.") % {"name": name})
    return redirect(to, slug)


# --- Training centres ------------------------------------------------------------------------


def _centre(request: HttpRequest, slug: str, public_id: uuid.UUID) -> TrainingCentre:
    organisation = _managed_organisation(request, slug)
    centre = get_object_or_404(organisation.training_centres, public_id=public_id)
    centre.organisation = organisation
    return centre


@login_required
@require_GET
def training_centre_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = _managed_organisation(request, slug)
    centres = organisation.training_centres.annotate(course_count=Count("courses")).order_by(
        "name", "pk"
    )
    return render(
        request,
        "training/courses/centres.html",
        {"organisation": organisation, "page_obj": _page(request, centres)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_centre_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = _managed_organisation(request, slug)
    if refused := _refuse_unless_certified(request, organisation, "training:training_centres"):
        return refused
    form = TrainingCentreForm(
        request.POST if request.method == "POST" else None,
        initial={"country": organisation.country},
    )
    if saved := _save(
        request,
        form,
        lambda: services.add_training_centre(
            organisation, form.save(commit=False), by=request.user
        ),
        done=_("“%(name)s” is added."),
        to="training:training_centres",
        slug=organisation.slug,
    ):
        return saved
    return render(
        request,
        "training/courses/centre_form.html",
        {"organisation": organisation, "form": form, **_map_tiles()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_centre_edit(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    centre = _centre(request, slug, public_id)
    organisation = centre.organisation
    if refused := _refuse_unless_certified(request, organisation, "training:training_centres"):
        return refused
    form = TrainingCentreForm(request.POST if request.method == "POST" else None, instance=centre)
    if saved := _save(
        request,
        form,
        lambda: services.update_training_centre(
            form.save(commit=False), by=request.user, fields=_changed(form)
        ),
        done=_("“%(name)s” is saved."),
        to="training:training_centres",
        slug=organisation.slug,
    ):
        return saved
    return render(
        request,
        "training/courses/centre_form.html",
        {"organisation": organisation, "form": form, "centre": centre, **_map_tiles()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_centre_delete(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    centre = _centre(request, slug, public_id)
    organisation = centre.organisation
    if request.method == "POST":
        return _delete(
            request,
            lambda: services.delete_training_centre(centre, by=request.user),
            name=centre.name,
            to="training:training_centres",
            slug=organisation.slug,
        )
    return render(
        request,
        "training/courses/centre_delete.html",
        {"organisation": organisation, "centre": centre, "in_use": centre.courses.exists()},
    )


# --- Trainers --------------------------------------------------------------------------------


def _trainer(request: HttpRequest, slug: str, public_id: uuid.UUID) -> Trainer:
    organisation = _managed_organisation(request, slug)
    trainer = get_object_or_404(organisation.trainers.select_related("user"), public_id=public_id)
    trainer.organisation = organisation
    return trainer


@login_required
@require_GET
def trainer_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = _managed_organisation(request, slug)
    trainers = (
        organisation.trainers.select_related("user")
        .annotate(course_count=Count("courses"))
        .order_by("name", "pk")
    )
    return render(
        request,
        "training/courses/trainers.html",
        {"organisation": organisation, "page_obj": _page(request, trainers)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def trainer_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = _managed_organisation(request, slug)
    if refused := _refuse_unless_certified(request, organisation, "training:trainers"):
        return refused
    form = TrainerForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    if saved := _save(
        request,
        form,
        lambda: services.add_trainer(organisation, form.save(commit=False), by=request.user),
        done=_("“%(name)s” is added."),
        to="training:trainers",
        slug=organisation.slug,
    ):
        return saved
    return render(
        request, "training/courses/trainer_form.html", {"organisation": organisation, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def trainer_edit(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    trainer = _trainer(request, slug, public_id)
    organisation = trainer.organisation
    if refused := _refuse_unless_certified(request, organisation, "training:trainers"):
        return refused
    form = TrainerForm(
        request.POST if request.method == "POST" else None,
        instance=trainer,
        organisation=organisation,
    )
    if saved := _save(
        request,
        form,
        lambda: services.update_trainer(
            form.save(commit=False), by=request.user, fields=form.changed_fields
        ),
        done=_("“%(name)s” is saved."),
        to="training:trainers",
        slug=organisation.slug,
    ):
        return saved
    return render(
        request,
        "training/courses/trainer_form.html",
        {"organisation": organisation, "form": form, "trainer": trainer},
    )


@login_required
@require_http_methods(["GET", "POST"])
def trainer_delete(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    trainer = _trainer(request, slug, public_id)
    organisation = trainer.organisation
    if request.method == "POST":
        return _delete(
            request,
            lambda: services.delete_trainer(trainer, by=request.user),
            name=trainer.name,
            to="training:trainers",
            slug=organisation.slug,
        )
    return render(
        request,
        "training/courses/trainer_delete.html",
        {"organisation": organisation, "trainer": trainer, "in_use": trainer.courses.exists()},
    )


# --- Courses ---------------------------------------------------------------------------------


def course_for_member(
    request: HttpRequest, slug: str, public_id: uuid.UUID, action: str = "course.view"
) -> Course:
    """A course of an organisation the user belongs to, if `action` is theirs; else 404/403."""
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.TRAINER)
    course = get_object_or_404(
        organisation.courses.select_related("course_type", "training_centre"),
        public_id=public_id,
    )
    course.organisation = organisation
    require(request.user, action, course)
    return course


def _managed_course(request: HttpRequest, slug: str, public_id: uuid.UUID) -> Course:
    course = course_for_member(request, slug, public_id)
    require(request.user, "organisation.manage", course.organisation)
    return course


def _courses_of(
    request: AuthenticatedHttpRequest, organisation: Organisation, *, past: bool
) -> QuerySet[Course]:
    courses = organisation.courses.all()
    if not can(request.user, "organisation.manage", organisation):
        courses = courses.filter(trainers__user=request.user).distinct()
    today = timezone.localdate()
    courses = courses.filter(ends_on__lt=today) if past else courses.filter(ends_on__gte=today)
    return (
        courses.select_related("course_type", "training_centre")
        .prefetch_related("trainers")
        .annotate(attendee_count=Count("attendees", distinct=True))
        .order_by(*(["-starts_on", "-pk"] if past else ["starts_on", "pk"]))
    )


@login_required
@require_GET
def course_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.TRAINER)
    past = request.GET.get("show") == "past"
    page = _page(request, _courses_of(request, organisation, past=past))
    return render(
        request,
        "training/courses/courses.html",
        {
            "organisation": organisation,
            "page_obj": page,
            "past": past,
            "can_manage": can(request.user, "organisation.manage", organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = _managed_organisation(request, slug)
    if refused := _refuse_unless_certified(request, organisation, "training:organisation_courses"):
        return refused
    form = CourseForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if form.is_bound and form.is_valid():
        try:
            course = services.create_course(
                organisation,
                form.save(commit=False),
                trainers=list(form.cleaned_data["trainers"]),
                by=request.user,
            )
        except services.TrainingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The course is scheduled. Add its attendees next."))
            return redirect("training:course_detail", organisation.slug, course.public_id)
    return _render_course_form(request, organisation, form)


def _render_course_form(
    request: HttpRequest, organisation: Organisation, form: CourseForm, course: Course | None = None
) -> HttpResponse:
    return render(
        request,
        "training/courses/course_form.html",
        {
            "organisation": organisation,
            "form": form,
            "course": course,
            "has_course_types": organisation.course_types.approved().exists(),
        },
    )


@login_required
@require_GET
def course_detail(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    course = course_for_member(request, slug, public_id)
    organisation = course.organisation
    attendees = course.attendees.prefetch_related("certificates").order_by("name", "pk")
    context: dict[str, Any] = {
        "organisation": organisation,
        "course": course,
        "trainers": list(course.trainers.order_by("name", "pk")),
        "language_name": course.language_name,
        "page_obj": _page(request, attendees, ATTENDEES_PAGE_SIZE),
        "can_manage": organisation.is_certified
        and can(request.user, "organisation.manage", organisation),
        "can_manage_attendees": organisation.is_certified
        and can(request.user, "course.manage_attendees", course),
    }
    for panel in course_page_panels:
        context.update(panel(request, course))
    return render(request, "training/courses/course_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    course = _managed_course(request, slug, public_id)
    organisation = course.organisation
    if refused := _refuse_unless_certified(
        request, organisation, "training:course_detail", public_id
    ):
        return refused
    form = CourseForm(
        request.POST if request.method == "POST" else None,
        instance=course,
        organisation=organisation,
    )
    if form.is_bound and form.is_valid():
        try:
            services.update_course(
                form.save(commit=False),
                trainers=list(form.cleaned_data["trainers"]),
                fields=[name for name in _changed(form) if name != "trainers"],
                by=request.user,
            )
        except services.TrainingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The course is saved."))
            return redirect("training:course_detail", organisation.slug, course.public_id)
    return _render_course_form(request, organisation, form, course)


@login_required
@require_http_methods(["GET", "POST"])
def course_delete(
    request: AuthenticatedHttpRequest, slug: str, public_id: uuid.UUID
) -> HttpResponse:
    course = _managed_course(request, slug, public_id)
    organisation = course.organisation
    if request.method == "POST":
        try:
            services.delete_course(course, by=request.user)
        except services.TrainingError as error:
            messages.error(request, str(error))
            return redirect("training:course_detail", organisation.slug, course.public_id)
        messages.success(request, _("The course is deleted."))
        return redirect("training:organisation_courses", organisation.slug)
    return render(
        request,
        "training/courses/course_delete.html",
        {
            "organisation": organisation,
            "course": course,
            "has_certificates": course.certificates.exists(),
            "attendee_count": course.attendees.count(),
        },
    )
