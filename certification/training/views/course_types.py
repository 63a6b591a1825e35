"""Course types of certified organisations: the list, drafts, material, proposals.

Every member may read these pages; owners and managers change drafts and rejected types;
approved types are read-only. Material files are private: owners, managers and the
certification team download them here.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from certification.accounts.http import AuthenticatedHttpRequest
from certification.accounts.permissions import can, require
from certification.core.files import private_file_response
from certification.organisations.access import get_organisation_for_member
from certification.organisations.models import Membership, Organisation
from certification.training import services
from certification.training.forms import CourseTypeForm, MaterialForm
from certification.training.models import CourseMaterial, CourseType
from certification.training.uploads import CONTENT_TYPES


def _is_changeable(organisation: Organisation, course_type: CourseType) -> bool:
    return organisation.is_certified and course_type.is_changeable


def _managed_course_type(request: HttpRequest, slug: str, pk: int) -> CourseType:
    """A course type of an organisation the user manages, or 404/403.

    Whether its status still allows changes is for the caller to check.
    """
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.MANAGER)
    require(request.user, "organisation.manage", organisation)
    course_type = get_object_or_404(organisation.course_types, pk=pk)
    course_type.organisation = organisation
    return course_type


def _refuse_read_only(request: HttpRequest, course_type: CourseType) -> HttpResponse:
    if not course_type.organisation.is_certified:
        messages.error(request, _("Only certified organisations change their course types here."))
    else:
        messages.error(
            request,
            _("Course types with the status “%(status)s” cannot be changed.")
            % {"status": course_type.get_status_display()},
        )
    return redirect(
        "training:course_type_detail", slug=course_type.organisation.slug, pk=course_type.pk
    )


def _may_download(request: HttpRequest, course_type: CourseType) -> bool:
    return can(request.user, "course_type.view_material", course_type)


@login_required
@require_GET
def course_type_list(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_member(request, slug, staff_may_view=True)
    course_types = organisation.course_types.annotate(material_count=Count("materials")).order_by(
        "title", "pk"
    )
    return render(
        request,
        "training/course_types.html",
        {
            "organisation": organisation,
            "course_types": course_types,
            "can_create": organisation.is_certified
            and can(request.user, "organisation.manage", organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_type_create(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = get_organisation_for_member(request, slug, role=Membership.Role.MANAGER)
    require(request.user, "organisation.manage", organisation)
    if not organisation.is_certified:
        messages.error(
            request,
            _(
                "Only certified organisations propose new course types; applicants add them to "
                "their application."
            ),
        )
        return redirect("training:organisation_course_types", slug=organisation.slug)
    form = CourseTypeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            course_type = services.create_course_type(
                organisation, form.save(commit=False), by=request.user
            )
        except services.CourseTypeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The draft is saved. Add its training material, then propose it for review."),
            )
            return redirect(
                "training:course_type_detail", slug=organisation.slug, pk=course_type.pk
            )
    return render(
        request, "training/course_type_form.html", {"organisation": organisation, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_type_edit(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    course_type = _managed_course_type(request, slug, pk)
    organisation = course_type.organisation
    if not _is_changeable(organisation, course_type):
        return _refuse_read_only(request, course_type)
    form = CourseTypeForm(request.POST if request.method == "POST" else None, instance=course_type)
    if form.is_bound and form.is_valid():
        try:
            services.update_course_type(
                form.save(commit=False), by=request.user, fields=form.changed_data
            )
        except services.CourseTypeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The course type is saved."))
            return redirect(
                "training:course_type_detail", slug=organisation.slug, pk=course_type.pk
            )
    saved = CourseType.objects.get(pk=course_type.pk) if form.is_bound else course_type
    return render(
        request,
        "training/course_type_form.html",
        {"organisation": organisation, "form": form, "course_type": saved},
    )


def _render_detail(
    request: HttpRequest,
    organisation: Organisation,
    course_type: CourseType,
    material_form: MaterialForm | None = None,
) -> HttpResponse:
    can_change = _is_changeable(organisation, course_type) and can(
        request.user, "organisation.manage", organisation
    )
    materials = list(course_type.materials.all())
    return render(
        request,
        "training/course_type_detail.html",
        {
            "organisation": organisation,
            "course_type": course_type,
            "materials": materials,
            "can_change": can_change,
            "can_propose": can_change and can(request.user, "course_type.propose", course_type),
            "can_download": _may_download(request, course_type),
            "material_form": material_form or MaterialForm(),
        },
    )


@login_required
@require_GET
def course_type_detail(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = get_organisation_for_member(request, slug, staff_may_view=True)
    course_type = get_object_or_404(organisation.course_types, pk=pk)
    course_type.organisation = organisation
    return _render_detail(request, organisation, course_type)


@login_required
@require_POST
def material_add(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    course_type = _managed_course_type(request, slug, pk)
    organisation = course_type.organisation
    if not _is_changeable(organisation, course_type):
        return _refuse_read_only(request, course_type)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"] or None
        try:
            material = services.add_course_type_material(
                course_type,
                by=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                upload=upload,
                url="" if upload else form.cleaned_data["url"],
            )
        except services.CourseTypeError as error:
            form.add_error("file" if upload else "url", str(error))
        else:
            messages.success(request, _("“%(title)s” is added.") % {"title": material.title})
            return redirect(
                "training:course_type_detail", slug=organisation.slug, pk=course_type.pk
            )
    return _render_detail(request, organisation, course_type, form)


@login_required
@require_http_methods(["GET", "POST"])
def material_remove(
    request: AuthenticatedHttpRequest, slug: str, pk: int, public_id: uuid.UUID
) -> HttpResponse:
    course_type = _managed_course_type(request, slug, pk)
    organisation = course_type.organisation
    if not _is_changeable(organisation, course_type):
        return _refuse_read_only(request, course_type)
    material = get_object_or_404(course_type.materials, public_id=public_id)
    if request.method == "POST":
        try:
            services.remove_course_type_material(material, by=request.user)
        except services.CourseTypeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("“%(title)s” is removed.") % {"title": material.title})
        return redirect("training:course_type_detail", slug=organisation.slug, pk=course_type.pk)
    return render(
        request,
        "training/material_remove.html",
        {"organisation": organisation, "course_type": course_type, "material": material},
    )


@login_required
@require_GET
def material_download(
    request: AuthenticatedHttpRequest, slug: str, pk: int, public_id: uuid.UUID
) -> FileResponse:
    organisation = get_organisation_for_member(request, slug, staff_may_view=True)
    course_type = get_object_or_404(organisation.course_types, pk=pk)
    course_type.organisation = organisation
    if not _may_download(request, course_type):
        raise PermissionDenied
    material: CourseMaterial = get_object_or_404(
        course_type.materials.exclude(file=""), public_id=public_id
    )
    try:
        stream = material.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return private_file_response(
        stream,
        filename=material.original_name or (material.file.name or "").rsplit("/", 1)[-1],
        content_type=CONTENT_TYPES.get(material.file_type, "application/octet-stream"),
    )


@login_required
@require_POST
def course_type_propose(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    course_type = _managed_course_type(request, slug, pk)
    organisation = course_type.organisation
    require(request.user, "course_type.propose", course_type)
    if not organisation.is_certified:
        return _refuse_read_only(request, course_type)
    try:
        services.propose_course_type(course_type, by=request.user)
    except services.CourseTypeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("“%(title)s” is proposed. The certification team will review it.")
            % {"title": course_type.title},
        )
    return redirect("training:course_type_detail", slug=organisation.slug, pk=course_type.pk)
