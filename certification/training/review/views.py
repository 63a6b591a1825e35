"""The course type review pages of the reviewers' workspace: /review/course-types/…

Certified organisations propose new course types; the certification team approves them or
says why not. Who may is `course_type.review` in `training/rules.py`; the move itself is
`training.services.review_course_type`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from certification.accounts.http import AuthenticatedHttpRequest
from certification.accounts.permissions import require
from certification.training.review.forms import CourseTypeReviewForm
from certification.training.review.queries import proposed_course_types, reviewable_course_types
from certification.training.services import CourseTypeError, review_course_type

PAGE_SIZE = 25


@login_required
@require_GET
def course_types(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "course_type.review")
    proposed = proposed_course_types(request.user)
    page = Paginator(proposed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/course_types.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def course_type_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course_type = get_object_or_404(reviewable_course_types(), pk=pk)
    require(request.user, "course_type.review", course_type)
    form = CourseTypeReviewForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        approve = form.cleaned_data["outcome"] == CourseTypeReviewForm.APPROVE
        try:
            review_course_type(
                course_type, by=request.user, approve=approve, comment=form.cleaned_data["comment"]
            )
        except CourseTypeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The course type has been approved.")
                if approve
                else _(
                    "The course type has not been approved; the organisation has been told why."
                ),
            )
            return redirect("review:course_types")
    return render(
        request,
        "review/course_type.html",
        {"course_type": course_type, "form": form},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
