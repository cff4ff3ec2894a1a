"""/api/teamwork/: the pages' work through the API, with ADR 0011's contract (a null only
where the field is nullable, bounded numbers, one 422 shape)."""

import pytest

from loudou.teamwork.choices import ActionStatus, TaskStatus
from loudou.teamwork.models import ProjectReview, ReviewMeeting, Task, TrainingRecord
from loudou.teamwork.tests.factories import enrol, local, make_course, make_task

pytestmark = pytest.mark.django_db

API = "/api/teamwork"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(local(2026, 3, 28, 10, 0), tick=False)
    return time_machine


def _post(client, url, body=None, method="post"):
    return client.generic(
        method.upper(),
        url,
        data=__import__("json").dumps(body or {}),
        content_type="application/json",
    )


def test_a_task_goes_from_assignment_to_verification_through_the_api(client, clock, manager, rep):
    # given
    client.force_login(manager)
    body = {
        "title": "线上推广获取线索",
        "owner_id": rep.pk,
        "verifier_id": manager.pk,
        "planned_end": "2026-03-31",
        "target_value": "20",
        "items": ["抖音广告投放"],
    }
    # when
    created = _post(client, f"{API}/tasks", body)
    task_id = created.json()["id"]
    item_id = created.json()["items"][0]["id"]
    client.force_login(rep)
    ticked = _post(client, f"{API}/tasks/{task_id}/items/{item_id}", {"done": True}, "patch")
    progress = _post(client, f"{API}/tasks/{task_id}", {"achieved_value": "17"}, "patch")
    done = _post(client, f"{API}/tasks/{task_id}/done", {"actual_end": "2026-03-27"})
    client.force_login(manager)
    verified = _post(client, f"{API}/tasks/{task_id}/verify", {"note": "核验通过"})
    # then
    assert created.status_code == 201
    assert (ticked.status_code, ticked.json()["done"]) == (200, True)
    assert progress.json()["completion"] == "85.0"
    assert progress.json()["grade_now"] == "pass"
    assert done.json()["status"] == "done"
    assert verified.json()["status"] == "verified"
    assert verified.json()["grade"] == "pass"
    assert verified.json()["actual_end"] == "2026-03-27"
    assert Task.objects.get().status == TaskStatus.VERIFIED


def test_the_task_list_filters_like_the_page(client, clock, manager, rep, teammate):
    client.force_login(manager)
    for owner, end in ((rep, "2026-03-20"), (teammate, "2026-04-20")):
        body = {
            "title": f"任务{end}",
            "owner_id": owner.pk,
            "verifier_id": manager.pk,
            "planned_end": end,
        }
        assert _post(client, f"{API}/tasks", body).status_code == 201
    overdue = client.get(f"{API}/tasks?overdue=true").json()
    assert (overdue["count"], overdue["items"][0]["title"]) == (1, "任务2026-03-20")
    assert overdue["items"][0]["overdue"] is True
    client.force_login(rep)
    assert [t["title"] for t in client.get(f"{API}/tasks?scope=mine").json()["items"]] == [
        "任务2026-03-20"
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, "title"),
        ({"verifier_id": None}, "verifier_id"),
        ({"planned_end": None}, "planned_end"),
        ({"target_value": "-1"}, "target_value"),
        ({"target_value": "1e20"}, "target_value"),
        ({"owner_id": 10**19}, "owner_id"),
        ({"owner_id": 999999}, "owner_id"),
        ({"planned_end": "1999-12-31"}, "planned_end"),
        ({"title": "a\x00b"}, "title"),
    ],
)
def test_refused_task_values_answer_422_naming_the_field(client, manager, rep, body, field):
    client.force_login(manager)
    full = {
        "title": "t",
        "owner_id": rep.pk,
        "verifier_id": manager.pk,
        "planned_end": "2026-04-01",
    }
    response = _post(client, f"{API}/tasks", {**full, **body})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert Task.objects.count() == 0


def test_a_patch_without_a_field_leaves_it_and_a_null_owner_hands_it_to_a_department(
    client, manager, rep
):
    client.force_login(manager)
    full = {
        "title": "t",
        "owner_id": rep.pk,
        "verifier_id": manager.pk,
        "planned_end": "2026-04-01",
    }
    task_id = _post(client, f"{API}/tasks", full).json()["id"]
    changed = _post(
        client, f"{API}/tasks/{task_id}", {"owner_id": None, "department": "生产部"}, "patch"
    )
    assert changed.status_code == 200
    assert (changed.json()["owner_id"], changed.json()["department"]) == (None, "生产部")
    assert changed.json()["title"] == "t"


def test_a_meeting_with_attendees_and_an_action_done_through_the_api(
    client, clock, manager, rep, teammate, team_a
):
    client.force_login(manager)
    body = {
        "topic": "月度复盘会",
        "held_at": "2026-03-27T14:00:00+08:00",
        "team_id": team_a.pk,
        "attendee_ids": [rep.pk, teammate.pk],
        "decisions": "建立转介绍奖励机制",
    }
    meeting = _post(client, f"{API}/meetings", body)
    meeting_id = meeting.json()["id"]
    action = _post(
        client,
        f"{API}/meetings/{meeting_id}/actions",
        {"what": "整理话术模板", "owner_id": rep.pk, "due_on": "2026-04-03"},
    )
    client.force_login(rep)
    mine = client.get(f"{API}/actions?mine=true&open=true").json()
    done = _post(client, f"{API}/actions/{action.json()['id']}/done")
    assert meeting.status_code == 201
    assert meeting.json()["attendee_ids"] == sorted([rep.pk, teammate.pk])
    assert meeting.json()["held_at"] == "2026-03-27T06:00:00Z"
    assert [a["what"] for a in mine["items"]] == ["整理话术模板"]
    assert (done.json()["status"], done.json()["done_at"]) == ("done", "2026-03-28T02:00:00Z")
    assert ReviewMeeting.objects.get().actions.get().status == ActionStatus.DONE


def test_unknown_attendees_are_refused(client, manager):
    client.force_login(manager)
    body = {"topic": "x", "held_at": "2026-03-27T14:00:00+08:00", "attendee_ids": [999999]}
    response = _post(client, f"{API}/meetings", body)
    assert response.status_code == 422
    assert response.json() == {"errors": {"attendee_ids": ["含有不存在的用户。"]}}


def test_course_results_and_people_through_the_api(client, manager, rep, teammate, team_a):
    client.force_login(manager)
    course = _post(
        client,
        f"{API}/courses",
        {"title": "谈判技巧", "held_on": "2026-03-01", "team_id": team_a.pk},
    ).json()
    for person, pre, post in ((rep, "60", "80"), (teammate, "50", "55.5")):
        record = _post(client, f"{API}/courses/{course['id']}/records", {"person_id": person.pk})
        _post(
            client,
            f"{API}/records/{record.json()['id']}",
            {"pre_score": pre, "post_score": post},
            "patch",
        )
    detail = client.get(f"{API}/courses/{course['id']}").json()
    people = client.get(f"{API}/training/people").json()
    assert detail["averages"]["improvement"] == "12.8"  # 20 and 5.5
    assert detail["attendance_pct"] == "100.0"
    assert [(p["person_id"], p["improvement"]) for p in people] == [
        (rep.pk, "20.0"),
        (teammate.pk, "5.5"),
    ]
    assert TrainingRecord.objects.count() == 2


def test_a_score_out_of_range_is_refused(client, manager, rep, team_a):
    course = make_course(actor=manager, team=team_a)
    record = enrol(course=course, actor=manager, person=rep)
    client.force_login(manager)
    response = _post(client, f"{API}/records/{record.pk}", {"pre_score": "100.5"}, "patch")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["pre_score"]


def test_a_project_is_created_and_measured_through_the_api(client, clock, manager, team_a):
    client.force_login(manager)
    body = {
        "title": "首次跟进及时率提升",
        "goal": "≥ 90%",
        "team_id": team_a.pk,
        "started_on": "2026-03-01",
    }
    project = _post(client, f"{API}/projects", body)
    measured = _post(
        client, f"{API}/projects/{project.json()['id']}/measure", {"month": "2026-03-15"}
    )
    notes = _post(
        client,
        f"{API}/projects/{project.json()['id']}/reviews/{measured.json()['id']}",
        {"notes": "跟进提醒已上线"},
        "patch",
    )
    assert project.status_code == 201
    assert project.json()["baseline"]["end"] == "2026-02-28"
    assert measured.json()["month"] == "2026-03-01"
    assert measured.json()["kpis"]["timeliness"]["target"] == 90
    assert notes.json()["notes"] == "跟进提醒已上线"
    assert ProjectReview.objects.get().notes == "跟进提醒已上线"


def test_the_task_export_through_the_api(client, clock, manager, rep):
    client.force_login(manager)
    body = {
        "title": "导出测试",
        "owner_id": rep.pk,
        "verifier_id": manager.pk,
        "planned_end": "2026-04-01",
    }
    _post(client, f"{API}/tasks", body)
    response = client.get(f"{API}/tasks/export?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Disposition"].startswith('attachment; filename="tasks-')
    assert text.splitlines()[1].startswith("导出测试,")


def test_the_task_list_reads_a_page_in_a_fixed_number_of_queries(
    client, clock, manager, rep, django_assert_max_num_queries
):
    for n in range(6):
        make_task(actor=manager, owner=rep, title=f"任务{n}", items=["a", "b"])
    client.force_login(manager)
    with django_assert_max_num_queries(8):
        listed = client.get(f"{API}/tasks").json()
    assert listed["count"] == 6
    assert [len(t["items"]) for t in listed["items"]] == [2] * 6
