"""Team-work pages through the Django client: lists and filters, forms (saved untouched
they change nothing), htmx fragments, exports, the navigation."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from loudou.core.models import Event
from loudou.core.testing.html_forms import submitted_values
from loudou.teamwork.choices import ActionStatus, TaskStatus
from loudou.teamwork.models import GradeBands, ProjectReview, ReviewMeeting, Task
from loudou.teamwork.tests.factories import (
    add_action,
    enrol,
    local,
    make_course,
    make_meeting,
    make_project,
    make_task,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(local(2026, 3, 28, 10, 0), tick=False)
    return time_machine


@pytest.fixture
def tasks(clock, manager, rep, teammate):
    late = make_task(
        actor=manager,
        owner=rep,
        title="老客户转介绍",
        planned_end=date(2026, 3, 20),
        target_value=Decimal(15),
        achieved_value=Decimal(12),
        items=["梳理名单", "发送奖励说明"],
    )
    on_time = make_task(
        actor=manager, owner=teammate, title="展会对接", planned_end=date(2026, 4, 5)
    )
    return late, on_time


def test_the_task_list_filters_mine_and_overdue(
    client, tasks, rep, manager, django_assert_max_num_queries
):
    # given
    client.force_login(manager)
    # when
    with django_assert_max_num_queries(12):
        everything = client.get("/teamwork/tasks/").content.decode()
    overdue = client.get("/teamwork/tasks/?overdue=on").content.decode()
    client.force_login(rep)
    mine = client.get("/teamwork/tasks/?scope=mine").content.decode()
    # then
    assert "老客户转介绍" in everything
    assert "展会对接" in everything
    assert "老客户转介绍" in overdue
    assert "展会对接" not in overdue
    assert "老客户转介绍" in mine
    assert "展会对接" not in mine
    assert "80.0%" in everything  # 12 of 15
    assert "合格" in everything  # the grade 80 % would get
    assert "0/2" in everything


def test_a_task_is_assigned_from_the_page_with_its_sub_items(client, clock, manager, rep):
    # given
    client.force_login(manager)
    # when
    response = client.post(
        "/teamwork/tasks/new/",
        {
            "title": "Q2 新客户开发",
            "owner": rep.pk,
            "verifier": manager.pk,
            "planned_start": "2026-04-01",
            "planned_end": "2026-06-30",
            "target_value": "50",
            "items": "线上推广\n\n展会对接\n",
        },
    )
    # then
    task = Task.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/teamwork/tasks/{task.pk}/"
    assert (task.owner, task.planned_end, task.target_value) == (rep, date(2026, 6, 30), 50)
    assert list(task.items.values_list("text", flat=True)) == ["线上推广", "展会对接"]


def test_the_task_form_refuses_a_verifier_who_is_the_owner(client, manager, rep):
    client.force_login(manager)
    response = client.post(
        "/teamwork/tasks/new/",
        {"title": "x", "owner": rep.pk, "verifier": rep.pk, "planned_end": "2026-06-30"},
    )
    assert response.status_code == 200
    assert "验收人不能是负责人本人。" in response.content.decode()
    assert Task.objects.count() == 0


def test_saving_the_task_form_untouched_changes_nothing(client, tasks, manager):
    # given
    task = tasks[0]
    client.force_login(manager)
    page = client.get(f"/teamwork/tasks/{task.pk}/edit/").content.decode()
    events = Event.objects.count()
    # when
    response = client.post(
        f"/teamwork/tasks/{task.pk}/edit/", submitted_values(page, "teamwork-form")
    )
    # then
    assert response.status_code == 302
    assert 'value="2026-03-20"' in page
    assert Event.objects.count() == events
    task.refresh_from_db()
    assert (task.planned_end, task.target_value) == (date(2026, 3, 20), Decimal(15))


def test_ticking_a_sub_item_by_htmx_returns_the_checklist(client, tasks, rep):
    # given
    task = tasks[0]
    item = task.items.first()
    client.force_login(rep)
    # when
    response = client.post(
        f"/teamwork/tasks/{task.pk}/items/{item.pk}/toggle/", {"done": "1"}, headers=HTMX
    )
    # then only the fragment comes back, with the item ticked
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="task-items">')
    assert "<del>梳理名单</del>" in html
    assert "<html" not in html
    item.refresh_from_db()
    assert item.done


def test_the_owner_marks_done_and_the_verifier_verifies_from_the_page(client, tasks, rep, manager):
    # given
    task = tasks[0]
    client.force_login(rep)
    client.post(f"/teamwork/tasks/{task.pk}/progress/", {"achieved_value": "19", "notes": "补录"})
    client.post(f"/teamwork/tasks/{task.pk}/done/")
    client.force_login(manager)
    page = client.get(f"/teamwork/tasks/{task.pk}/").content.decode()
    # when
    client.post(f"/teamwork/tasks/{task.pk}/verify/", {"note": "核验通过"})
    # then
    task.refresh_from_db()
    assert 'id="verify-form"' in page
    assert (task.status, task.grade, task.achieved_value) == (
        TaskStatus.VERIFIED,
        "excellent",  # 19 of 15: 126.7 %
        Decimal(19),
    )
    assert "优秀" in client.get(f"/teamwork/tasks/{task.pk}/").content.decode()


def test_the_task_export_has_the_filtered_tasks_in_csv_and_xlsx(client, tasks, manager):
    # given
    client.force_login(manager)
    # when
    text = b"".join(client.get("/teamwork/tasks/export/?overdue=on&format=csv").streaming_content)
    xlsx = client.get("/teamwork/tasks/export/?format=xlsx")
    # then
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0][:4] == ["任务名称", "任务目标", "子项", "负责人"]
    assert len(rows) == 2
    assert rows[1][0] == "老客户转介绍"
    assert rows[1][2] == "[ ] 梳理名单\n[ ] 发送奖励说明"
    assert rows[1][6] == "2026-03-20"
    assert rows[1][11:14] == ["80.0", "合格", "进行中"]
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == [
        "任务名称",
        "老客户转介绍",
        "展会对接",
    ]


def test_an_unknown_export_format_is_refused(client, tasks, manager):
    client.force_login(manager)
    assert client.get("/api/teamwork/tasks/export?format=pdf").status_code == 422
    assert client.get("/teamwork/tasks/export/?format=pdf").status_code == 400
    assert client.get("/teamwork/training/export/?format=pdf").status_code == 400


@pytest.fixture
def meeting(clock, manager, rep, teammate, team_a):
    meeting = make_meeting(actor=manager, team=team_a, attendees=[rep, teammate])
    add_action(
        meeting=meeting, actor=manager, owner=rep, what="整理话术模板", due_on=date(2026, 3, 25)
    )
    return meeting


def test_marking_an_action_done_by_htmx_returns_its_row(client, meeting, rep):
    # given
    item = meeting.actions.get()
    client.force_login(rep)
    listing = client.get("/teamwork/meetings/").content.decode()
    # when
    response = client.post(f"/teamwork/actions/{item.pk}/done/", headers=HTMX)
    # then
    html = response.content.decode()
    assert 'id="my-actions"' in listing
    assert "整理话术模板" in listing
    assert html.lstrip().startswith(f'<tr id="action-{item.pk}"')
    assert "已完成" in html
    assert "重新打开" in html
    item.refresh_from_db()
    assert (item.status, item.done_at) == (ActionStatus.DONE, local(2026, 3, 28, 10, 0))


def test_meetings_with_overdue_actions_are_filtered(client, meeting, manager):
    make_meeting(actor=manager, topic="周例会")
    client.force_login(manager)
    html = client.get("/teamwork/meetings/?overdue=on").content.decode()
    assert meeting.topic in html
    assert "周例会" not in html


def test_saving_the_meeting_form_untouched_changes_nothing(client, meeting, manager):
    client.force_login(manager)
    page = client.get(f"/teamwork/meetings/{meeting.pk}/edit/").content.decode()
    events = Event.objects.count()
    response = client.post(
        f"/teamwork/meetings/{meeting.pk}/edit/", submitted_values(page, "teamwork-form")
    )
    assert response.status_code == 302
    assert 'value="2026-04-05T14:00"' in page
    assert (
        list(Event.objects.values_list("changes", flat=True)[: Event.objects.count() - events])
        == []
    )
    assert ReviewMeeting.objects.get().attendees.count() == 2


def test_the_course_page_shows_results_and_the_training_export(
    client, clock, manager, rep, teammate, team_a
):
    # given
    course = make_course(actor=manager, team=team_a, title="谈判技巧")
    enrol(course=course, actor=manager, person=rep, pre_score=60, post_score=80, participation=4)
    enrol(course=course, actor=manager, person=teammate, pre_score=50, post_score=55)
    client.force_login(manager)
    # when
    page = client.get(f"/teamwork/training/{course.pk}/").content.decode()
    text = b"".join(
        client.get(f"/teamwork/training/export/?course={course.pk}&format=csv").streaming_content
    )
    # then  improvements 20 and 5 → 12.5
    assert '<tr id="course-averages"><th>平均</th><th>100.0%</th>' in page
    assert "<th>55.0</th><th>67.5</th><th>12.5</th>" in page
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert [r[3] for r in rows[1:]] == [rep.username, teammate.username]
    assert rows[1][6:9] == ["60.0", "80.0", "20.0"]


def test_the_project_page_shows_the_baseline_and_the_kpi_table(client, clock, manager, team_a):
    # given
    project = make_project(actor=manager, team=team_a, started_on=date(2026, 3, 1))
    client.force_login(manager)
    # when
    response = client.post(f"/teamwork/projects/{project.pk}/measure/", {"month": "2026-03-01"})
    page = client.get(f"/teamwork/projects/{project.pk}/").content.decode()
    # then
    assert response.status_code == 302
    assert ProjectReview.objects.get().month == date(2026, 3, 1)
    assert 'id="baseline-stages"' in page
    assert "2026-03" in page
    assert "未达标" in page  # no leads: no figure, so not on target


def test_saving_the_project_form_untouched_changes_nothing(client, clock, manager, team_a):
    project = make_project(actor=manager, team=team_a)
    client.force_login(manager)
    page = client.get(f"/teamwork/projects/{project.pk}/edit/").content.decode()
    events = Event.objects.count()
    response = client.post(
        f"/teamwork/projects/{project.pk}/edit/", submitted_values(page, "teamwork-form")
    )
    assert response.status_code == 302
    assert Event.objects.count() == events


@pytest.mark.parametrize(("who", "shown"), [("rep", True), ("marketing", False)])
def test_the_navigation_offers_team_work_to_everyone_but_marketing(client, request, who, shown):
    client.force_login(request.getfixturevalue(who))
    html = client.get("/").content.decode()
    assert ('href="/teamwork/"' in html) == shown


def test_a_grade_band_change_from_the_page_is_saved(client, director):
    client.force_login(director)
    response = client.post(
        "/teamwork/grade-bands/", {"excellent_above": 130, "good_from": 100, "pass_from": 85}
    )
    assert response.status_code == 302
    assert GradeBands.current().pass_from == 85


def test_measuring_results_from_the_course_page(client, clock, manager, rep, team_a):
    course = make_course(actor=manager, team=team_a, held_on=date(2026, 3, 1))
    record = enrol(course=course, actor=manager, person=rep)
    client.force_login(manager)
    response = client.post(f"/teamwork/training/{course.pk}/measure/")
    record.refresh_from_db()
    assert response.status_code == 302
    assert record.results_measured_at == local(2026, 3, 28, 10, 0)
