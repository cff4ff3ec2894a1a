"""The outbox: exactly once with concurrent and killed workers; retries with backoff."""

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import connection

from loudou.notifications.choices import DeliveryStatus, RobotKind
from loudou.notifications.models import Delivery
from loudou.notifications.services import claim_one, deliver_due, notify, retry_failed
from loudou.notifications.services.outbox import LEASE
from loudou.notifications.tests import fake_transport
from loudou.notifications.tests.factories import make_robot
from loudou.org.services import issue_api_token

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
FAKE = "loudou.notifications.tests.fake_transport"


@pytest.fixture(autouse=True)
def frozen_clock():
    """Every test runs at T0, setup included: reminders are queued due at T0, whatever
    today's date (a test may travel further on its own)."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def fake(settings):
    settings.LOUDOU_NOTIFICATION_TRANSPORTS = dict.fromkeys(
        ["email", "wecom", "dingtalk", "feishu"], FAKE
    )
    fake_transport.reset()
    yield fake_transport
    fake_transport.reset()


def _reminders(user, count: int) -> list[str]:
    titles = [f"跟进已逾期 #{n}" for n in range(count)]
    for title in titles:
        notify(user=user, kind="overdue", title=title, dedupe_key=title)
    return titles


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_at_once_send_every_delivery_exactly_once(receiver, rep, team_a):
    # given
    rep.email = "rep@example.com"
    rep.save()
    make_robot(team=team_a, url=f"{receiver.url}/wecom", kind=RobotKind.WECOM)
    make_robot(team=team_a, url=f"{receiver.url}/dingtalk", kind=RobotKind.DINGTALK, secret="s")
    titles = _reminders(rep, 12)
    start, sent = threading.Barrier(2), {}

    def worker(name: str) -> None:
        try:
            start.wait()
            sent[name] = deliver_due(now=T0 + dt.timedelta(minutes=1), worker_id=name)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=worker, args=(name,)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    robot_titles = Counter(
        body.get("markdown", {}).get("title") or body["markdown"]["content"].split("**")[1]
        for _, body in receiver.requests
    )
    assert robot_titles == Counter(titles * 2)
    assert Counter(m.subject for m in mail.outbox) == Counter(titles)
    assert sent["A"] + sent["B"] == 36
    assert Delivery.objects.filter(status=DeliveryStatus.SENT, attempts=1).count() == 36


def test_a_worker_killed_mid_batch_leaves_the_rest_to_the_next_worker_exactly_once(fake, rep):
    # given
    rep.email = "rep@example.com"
    rep.save()
    _reminders(rep, 3)
    first, second, third = Delivery.objects.order_by("pk").values_list("pk", flat=True)
    fake.die_on.add(second)
    with time_machine.travel(T0, tick=False) as clock:
        # when: worker A sends the first, dies while sending the second
        with pytest.raises(SystemExit):
            deliver_due(now=T0, worker_id="A")
        fake.die_on.clear()
        clock.move_to(T0 + LEASE - dt.timedelta(seconds=1))
        before_lease_ends = deliver_due(now=T0 + LEASE - dt.timedelta(seconds=1), worker_id="B")
        clock.move_to(T0 + LEASE + dt.timedelta(seconds=1))
        after_lease_ends = deliver_due(now=T0 + LEASE + dt.timedelta(seconds=1), worker_id="B")
    # then
    assert fake.sent == [first, third, second]
    assert (before_lease_ends, after_lease_ends) == (1, 1)
    rows = Delivery.objects.order_by("pk").values_list("status", "attempts", "claimed_by")
    assert list(rows) == [("sent", 1, "A"), ("sent", 2, "B"), ("sent", 1, "B")]


def test_a_claim_is_won_by_one_worker_only(fake, rep):
    # given
    rep.email = "rep@example.com"
    rep.save()
    _reminders(rep, 1)
    # when
    with time_machine.travel(T0, tick=False):
        a = claim_one(now=T0, worker_id="A")
        b = claim_one(now=T0, worker_id="B")
    # then
    assert a.claimed_by == "A"
    assert a.claimed_until == T0 + LEASE
    assert b is None


def _failing_robot_delivery(receiver, rep, team_a) -> Delivery:
    make_robot(team=team_a, url=f"{receiver.url}/wecom")
    _reminders(rep, 1)
    return Delivery.objects.get()


def test_a_receiver_answering_500_is_retried_with_backoff_then_failed_and_kept(
    client, receiver, rep, team_a, admin_user
):
    # given
    receiver.reply = (500, {"errcode": -1})
    delivery = _failing_robot_delivery(receiver, rep, team_a)
    schedule, at = [], T0
    # when
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(6):
            clock.move_to(at)
            assert deliver_due(now=at, worker_id="W") == 0
            delivery.refresh_from_db()
            schedule.append((delivery.status, delivery.attempts, delivery.next_attempt_at - at))
            early = delivery.next_attempt_at - dt.timedelta(seconds=1)
            assert deliver_due(now=max(early, at), worker_id="W") == 0
            at = delivery.next_attempt_at
    # then
    minutes = dt.timedelta(minutes=1)
    assert schedule == [
        ("pending", 1, 1 * minutes),
        ("pending", 2, 2 * minutes),
        ("pending", 3, 4 * minutes),
        ("pending", 4, 8 * minutes),
        ("pending", 5, 16 * minutes),
        ("failed", 6, dt.timedelta(0)),
    ]
    assert len(receiver.requests) == 6
    assert delivery.last_error == "HTTP 500"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(user=admin_user)}"}
    listed = client.get("/api/notifications/deliveries?status=failed", **headers).json()
    assert [(d["id"], d["status"], d["attempts"]) for d in listed] == [(delivery.pk, "failed", 6)]


def test_a_receiver_that_times_out_is_retried_a_minute_later(receiver, rep, team_a):
    # given
    receiver.reply = "hang"
    delivery = _failing_robot_delivery(receiver, rep, team_a)
    # when
    with time_machine.travel(T0, tick=False):
        sent = deliver_due(now=T0, worker_id="W")
    # then
    delivery.refresh_from_db()
    assert sent == 0
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at == T0 + dt.timedelta(minutes=1)
    assert "timed out" in delivery.last_error


def test_a_retried_failed_delivery_is_sent_by_the_next_run(fake, rep, admin_user):
    # given
    rep.email = "rep@example.com"
    rep.save()
    _reminders(rep, 1)
    Delivery.objects.update(status=DeliveryStatus.FAILED, attempts=6, last_error="HTTP 500")
    # when
    with time_machine.travel(T0, tick=False):
        retried = retry_failed(
            actor=admin_user, ids=list(Delivery.objects.values_list("pk", flat=True))
        )
        sent = deliver_due(now=T0, worker_id="W")
    # then
    assert (retried, sent) == (1, 1)
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_an_abandoned_last_attempt_ends_failed_not_stuck(fake, rep):
    # given
    rep.email = "rep@example.com"
    rep.save()
    _reminders(rep, 1)
    Delivery.objects.update(
        status=DeliveryStatus.SENDING, attempts=6, claimed_by="A", claimed_until=T0
    )
    # when
    with time_machine.travel(T0 + dt.timedelta(seconds=1), tick=False):
        sent = deliver_due(now=T0 + dt.timedelta(seconds=1), worker_id="B")
    # then
    delivery = Delivery.objects.get()
    assert sent == 0
    assert (delivery.status, delivery.last_error) == ("failed", "worker lost")
    assert fake.sent == []
