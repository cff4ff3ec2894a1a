"""Who sees and does what, on the pages and the API alike (the cast of conftest.py, plus
`support` and `trainer`). Hidden records are 404 on both; visible ones that the user may
not change are 403; a refusal writes nothing."""

from datetime import date

import pytest

from loudou.core.models import Event
from loudou.org.choices import Role
from loudou.org.tests.factories import UserFactory
from loudou.teamwork import services
from loudou.teamwork.choices import ActionStatus, TaskStatus
from loudou.teamwork.models import GradeBands, ProjectReview, Task
from loudou.teamwork.tests.factories import (
    add_action,
    enrol,
    make_course,
    make_meeting,
    make_project,
    make_task,
)

pytestmark = pytest.mark.django_db

EVERYONE = ["rep", "teammate", "manager", "other_manager", "other_team_rep", "director"]
EVERYONE += ["admin_user", "marketing", "support"]


@pytest.fixture
def support(db):
    return UserFactory(username="support", role=Role.SUPPORT)


@pytest.fixture
def people(request, cast, other_manager, support):
    return {name: request.getfixturevalue(name) for name in EVERYONE}


def _status(client, user, url: str, method: str = "get", **body) -> int:
    client.force_login(user)
    if method == "get":
        return client.get(url).status_code
    if url.startswith("/api/"):
        return client.generic(
            method.upper(),
            url,
            data=__import__("json").dumps(body),
            content_type="application/json",
        ).status_code
    return client.post(url, body).status_code


# tasks ---------------------------------------------------------------------------------


@pytest.fixture
def task(manager, rep):
    return make_task(actor=manager, owner=rep, items=["线索核验"])


@pytest.fixture
def support_task(rep, support):
    """A rep hands sample preparation to support staff, and verifies it."""
    return make_task(actor=rep, owner=support, verifier=rep, title="准备样品")


TASK_SEEN = {"rep", "manager", "director", "admin_user"}
SUPPORT_TASK_SEEN = {"rep", "support", "manager", "director", "admin_user"}


@pytest.mark.parametrize("who", EVERYONE)
def test_a_task_is_seen_by_its_people_their_manager_and_the_director(
    client, people, task, support_task, who
):
    user = people[who]
    for record, seen in ((task, TASK_SEEN), (support_task, SUPPORT_TASK_SEEN)):
        expected = 200 if who in seen else 404
        assert _status(client, user, f"/teamwork/tasks/{record.pk}/") == expected
        assert _status(client, user, f"/api/teamwork/tasks/{record.pk}") == expected
        listed = client.get("/api/teamwork/tasks").json()["items"]
        assert (record.pk in [t["id"] for t in listed]) == (who in seen)


@pytest.mark.parametrize("who", ["teammate", "other_team_rep", "other_manager", "marketing"])
def test_a_hidden_task_cannot_be_changed(client, people, task, who):
    user = people[who]
    events = Event.objects.count()
    assert _status(client, user, f"/teamwork/tasks/{task.pk}/done/", "post") == 404
    assert _status(client, user, f"/api/teamwork/tasks/{task.pk}/done", "post") == 404
    item = task.items.get()
    url = f"/teamwork/tasks/{task.pk}/items/{item.pk}/toggle/"
    assert _status(client, user, url, "post", done="1") == 404
    api = f"/api/teamwork/tasks/{task.pk}/items/{item.pk}"
    assert _status(client, user, api, "patch", done=True) == 404
    assert _status(client, user, f"/api/teamwork/tasks/{task.pk}", "patch", notes="x") == 404
    assert (Task.objects.get().status, Event.objects.count()) == (TaskStatus.OPEN, events)


def test_the_owner_may_not_change_the_plan(client, rep, task):
    # page: the edit form; API: a plan field
    assert _status(client, rep, f"/teamwork/tasks/{task.pk}/edit/") == 403
    assert _status(client, rep, f"/teamwork/tasks/{task.pk}/edit/", "post", title="改") == 403
    api = f"/api/teamwork/tasks/{task.pk}"
    assert _status(client, rep, api, "patch", planned_end="2026-12-31") == 403
    assert Task.objects.get().planned_end == date(2026, 3, 31)


@pytest.mark.parametrize("who", ["rep", "director"])
def test_only_the_verifier_verifies_on_page_and_api(client, people, task, rep, who):
    services.complete_task(task=task, actor=rep)
    user = people[who]
    assert _status(client, user, f"/teamwork/tasks/{task.pk}/verify/", "post") == 403
    assert _status(client, user, f"/api/teamwork/tasks/{task.pk}/verify", "post") == 403
    assert _status(client, user, f"/api/teamwork/tasks/{task.pk}/reopen", "post") == 403
    assert Task.objects.get().status == TaskStatus.DONE


def test_marketing_may_not_assign_tasks_on_page_or_api(client, marketing, rep, manager):
    assert _status(client, marketing, "/teamwork/tasks/new/") == 403
    body = {
        "title": "x",
        "owner_id": rep.pk,
        "verifier_id": manager.pk,
        "planned_end": "2026-04-01",
    }
    assert _status(client, marketing, "/api/teamwork/tasks", "post", **body) == 403
    assert Task.objects.count() == 0


@pytest.mark.parametrize("who", ["manager", "rep", "support"])
def test_only_director_and_admin_change_the_grade_bands(client, people, who):
    user = people[who]
    assert _status(client, user, "/teamwork/grade-bands/", "post", excellent_above=150) == 403
    body = {"excellent_above": 150, "good_from": 100, "pass_from": 80}
    assert _status(client, user, "/api/teamwork/grade-bands", "put", **body) == 403
    assert GradeBands.current().excellent_above == 120


# review meetings -------------------------------------------------------------------------


@pytest.fixture
def meeting(manager, rep, team_a):
    return make_meeting(actor=manager, team=team_a, attendees=[rep])


MEETING_SEEN = {"rep", "manager", "director", "admin_user"}


@pytest.mark.parametrize("who", EVERYONE)
def test_a_meeting_is_seen_by_attendees_the_team_manager_and_the_director(
    client, people, meeting, who
):
    expected = 200 if who in MEETING_SEEN else 404
    user = people[who]
    assert _status(client, user, f"/teamwork/meetings/{meeting.pk}/") == expected
    assert _status(client, user, f"/api/teamwork/meetings/{meeting.pk}") == expected


def test_owning_an_action_shows_the_meeting(client, meeting, manager, support):
    add_action(meeting=meeting, actor=manager, owner=support)
    assert _status(client, support, f"/teamwork/meetings/{meeting.pk}/") == 200
    assert _status(client, support, f"/api/teamwork/meetings/{meeting.pk}") == 200


def test_an_attendee_may_not_edit_the_record_nor_close_anothers_action(
    client, meeting, manager, rep, teammate
):
    item = add_action(meeting=meeting, actor=manager, owner=teammate)
    assert _status(client, rep, f"/teamwork/meetings/{meeting.pk}/edit/") == 403
    assert _status(client, rep, f"/api/teamwork/meetings/{meeting.pk}", "patch", topic="改") == 403
    url = f"/teamwork/meetings/{meeting.pk}/actions/"
    assert _status(client, rep, url, "post", what="x", department="d", due_on="2026-04-10") == 403
    body = {"what": "x", "department": "d", "due_on": "2026-04-10"}
    assert (
        _status(client, rep, f"/api/teamwork/meetings/{meeting.pk}/actions", "post", **body) == 403
    )
    assert _status(client, rep, f"/teamwork/actions/{item.pk}/done/", "post") == 403
    assert _status(client, rep, f"/api/teamwork/actions/{item.pk}/done", "post") == 403
    item.refresh_from_db()
    assert (item.status, meeting.actions.count()) == (ActionStatus.OPEN, 1)


@pytest.mark.parametrize("who", ["teammate", "other_manager", "marketing"])
def test_a_hidden_action_is_404(client, people, meeting, manager, rep, who):
    item = add_action(meeting=meeting, actor=manager, owner=rep)
    assert _status(client, people[who], f"/teamwork/actions/{item.pk}/done/", "post") == 404
    assert _status(client, people[who], f"/api/teamwork/actions/{item.pk}/done", "post") == 404


# training ----------------------------------------------------------------------------------


@pytest.fixture
def course(support, team_a, rep, other_team_rep):
    course = make_course(actor=support, team=team_a)
    enrol(course=course, actor=support, person=rep, pre_score=60)
    enrol(course=course, actor=support, person=other_team_rep, pre_score=70)
    return course


#: who sees the course, and whose records in it
COURSE_SEEN = {
    "support": {"rep", "other_team_rep"},
    "manager": {"rep", "other_team_rep"},
    "director": {"rep", "other_team_rep"},
    "admin_user": {"rep", "other_team_rep"},
    "rep": {"rep"},
    "other_team_rep": {"other_team_rep"},
    "other_manager": {"other_team_rep"},
}


@pytest.mark.parametrize("who", EVERYONE)
def test_a_course_is_seen_by_its_staff_attendees_and_their_managers(client, people, course, who):
    user = people[who]
    expected = 200 if who in COURSE_SEEN else 404
    assert _status(client, user, f"/teamwork/training/{course.pk}/") == expected
    assert _status(client, user, f"/api/teamwork/courses/{course.pk}") == expected
    if who in COURSE_SEEN:
        records = client.get(f"/api/teamwork/courses/{course.pk}").json()["records"]
        names = {people_name(people, r["person_id"]) for r in records}
        assert names == COURSE_SEEN[who]
        page = client.get("/teamwork/training/people/").content.decode()
        assert (str(people["other_team_rep"]) in page) == ("other_team_rep" in COURSE_SEEN[who])


def test_whoever_creates_a_course_for_another_trainer_still_runs_it(client, support, manager):
    # given the trainer creates a course given by a colleague outside the system
    course = make_course(actor=support, trainer_name="外部讲师 李老师")
    # then they still see and manage it; a manager without a part in it does not see it
    assert _status(client, support, f"/teamwork/training/{course.pk}/edit/") == 200
    assert _status(client, manager, f"/api/teamwork/courses/{course.pk}") == 404


def people_name(people, pk):
    return next(name for name, user in people.items() if user.pk == pk)


@pytest.mark.parametrize("who", ["rep", "other_manager"])
def test_only_the_course_staff_manage_it(client, people, course, who):
    user = people[who]
    record = course.records.get(person=people["other_team_rep"])
    assert _status(client, user, f"/teamwork/training/{course.pk}/edit/") == 403
    assert _status(client, user, f"/api/teamwork/courses/{course.pk}", "patch", title="改") == 403
    url = f"/teamwork/training/{course.pk}/attendees/"
    assert _status(client, user, url, "post", person=people["teammate"].pk) == 403
    body = {"person_id": people["teammate"].pk}
    assert (
        _status(client, user, f"/api/teamwork/courses/{course.pk}/records", "post", **body) == 403
    )
    assert _status(client, user, f"/api/teamwork/courses/{course.pk}/measure", "post") == 403
    assert _status(client, user, f"/api/teamwork/records/{record.pk}", "patch", pre_score=99) in {
        403,
        404,
    }
    assert course.records.count() == 2
    record.refresh_from_db()
    assert str(record.pre_score) == "70.0"


def test_the_attendees_manager_rates_behaviour_only(client, course, other_manager, other_team_rep):
    record = course.records.get(person=other_team_rep)
    api = f"/api/teamwork/records/{record.pk}"
    assert _status(client, other_manager, api, "patch", pre_score=99) == 403
    assert _status(client, other_manager, api, "patch", behaviour_rating=4) == 200
    page = client.get(f"/teamwork/records/{record.pk}/").content.decode()
    assert 'name="behaviour_rating"' in page
    assert 'name="pre_score"' not in page
    record.refresh_from_db()
    assert (record.behaviour_rating, str(record.pre_score)) == (4, "70.0")


# process projects --------------------------------------------------------------------------


@pytest.fixture
def project(manager, team_a, time_machine):
    time_machine.move_to(date(2026, 4, 2), tick=False)
    return make_project(actor=manager, team=team_a)


PROJECT_SEEN = {"manager", "director", "admin_user"}


@pytest.mark.parametrize("who", EVERYONE)
def test_a_project_is_seen_by_its_teams_manager_and_the_director(client, people, project, who):
    expected = 200 if who in PROJECT_SEEN else 404
    user = people[who]
    assert _status(client, user, f"/teamwork/projects/{project.pk}/") == expected
    assert _status(client, user, f"/api/teamwork/projects/{project.pk}") == expected
    url = f"/teamwork/projects/{project.pk}/measure/"
    measure = _status(client, user, url, "post", month="2026-03-01")
    assert measure == (302 if who in PROJECT_SEEN else 404)


def test_a_pilot_teams_manager_sees_a_project_but_may_not_run_it(
    client, director, manager, team_a, team_b, time_machine
):
    time_machine.move_to(date(2026, 4, 2), tick=False)
    project = make_project(actor=director, team=team_b, pilot_team=team_a)
    assert _status(client, manager, f"/teamwork/projects/{project.pk}/") == 200
    url = f"/teamwork/projects/{project.pk}/measure/"
    assert _status(client, manager, url, "post", month="2026-03-01") == 403
    api = f"/api/teamwork/projects/{project.pk}/measure"
    assert _status(client, manager, api, "post", month="2026-03-01") == 403
    assert _status(client, manager, f"/api/teamwork/projects/{project.pk}/baseline", "post") == 403
    assert ProjectReview.objects.count() == 0


@pytest.mark.parametrize("who", ["rep", "support", "marketing"])
def test_only_managers_and_the_director_create_projects(client, people, team_a, who):
    user = people[who]
    assert _status(client, user, "/teamwork/projects/new/") == 403
    body = {"title": "x", "goal": "y", "started_on": "2026-04-01", "team_id": team_a.pk}
    assert _status(client, user, "/api/teamwork/projects", "post", **body) == 403
