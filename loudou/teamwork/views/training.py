"""Training pages: courses, a course's results per attendee, the record form, business
results, results per person, and the results export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loudou.teamwork import services
from loudou.teamwork.exports import training_headers, training_rows
from loudou.teamwork.forms import AttendeeForm, CourseForm, RecordForm
from loudou.teamwork.selectors import (
    access_course,
    access_record,
    visible_courses,
    visible_records,
)
from loudou.teamwork.services.results import course_summary, person_summary
from loudou.teamwork.views.common import add_errors, editable_copy, flash

EXPORT_FORMATS = {"csv", "xlsx"}
COURSE_PAGE = "teamwork/course.html"


@login_required
def course_list(request):
    courses = visible_courses(request.user).order_by("-held_on", "-pk")
    page = Paginator(courses, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "teamwork/courses.html",
        {"page": page, "can_create": services.may_create_courses(request.user)},
    )


@login_required
def course_create(request):
    if not services.may_create_courses(request.user):
        raise PermissionDenied
    form = CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.create_course(actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(course)
    return render(request, "teamwork/form.html", {"form": form, "title": _("新建培训课程")})


def course_records(user, course):
    return visible_records(user).filter(course=course).order_by("person__username", "pk")


@login_required
def course_detail(request, pk, attendee_form=None):
    course = access_course(request.user, pk)
    return render(
        request,
        COURSE_PAGE,
        {
            "course": course,
            "summary": course_summary(course_records(request.user, course)),
            "may_manage": services.may_manage_course(request.user, course),
            "attendee_form": attendee_form or AttendeeForm(),
        },
        status=200 if attendee_form is None else 422,
    )


@login_required
def course_edit(request, pk):
    course = access_course(request.user, pk)
    if not services.may_manage_course(request.user, course):
        raise PermissionDenied
    form = CourseForm(request.POST or None, instance=editable_copy(course), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_course(course=course, actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(course)
    context = {"form": form, "title": _("修改培训课程"), "back": course}
    return render(request, "teamwork/form.html", context)


@require_POST
@login_required
def attendee_add(request, pk):
    course = access_course(request.user, pk)
    if not services.may_manage_course(request.user, course):
        raise PermissionDenied
    form = AttendeeForm(request.POST)
    if form.is_valid():
        try:
            services.add_attendee(
                course=course, actor=request.user, person=form.cleaned_data["person"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(course)
    return course_detail(request, pk, attendee_form=form)


@login_required
def record_edit(request, pk):
    record = access_record(request.user, pk)
    if not services.may_rate_behaviour(request.user, record):
        raise PermissionDenied
    behaviour_only = not services.may_manage_course(request.user, record.course)
    form = RecordForm(
        request.POST or None, instance=editable_copy(record), behaviour_only=behaviour_only
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_record(record=record, actor=request.user, values=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(record.course)
    title = _("评估：{person}").format(person=record.person)
    return render(
        request, "teamwork/form.html", {"form": form, "title": title, "back": record.course}
    )


@require_POST
@login_required
def measure_results(request, pk):
    course = access_course(request.user, pk)
    try:
        count = services.measure_results(course=course, actor=request.user)
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(request, _("已读取 {n} 名学员的业务结果。").format(n=count))
    return redirect(course)


@login_required
def people_results(request):
    rows = person_summary(visible_records(request.user).order_by("person__username", "pk"))
    return render(request, "teamwork/people.html", {"rows": rows})


@login_required
def training_export(request):
    from loudou.imports.api import _download

    kind = request.GET.get("format", "csv")
    if kind not in EXPORT_FORMATS:
        return HttpResponseBadRequest(_("格式只能是 csv 或 xlsx。"))

    records = visible_records(request.user).order_by(
        "-course__held_on", "course", "person__username"
    )
    course = request.GET.get("course", "")
    if course.isdigit() and len(course) <= 18:
        records = records.filter(course=access_course(request.user, int(course)))
    lines = training_rows(records.iterator(chunk_size=500))
    return _download(
        lines,
        "training",
        kind,
        header=training_headers(),
        title=_("培训效果"),
    )
