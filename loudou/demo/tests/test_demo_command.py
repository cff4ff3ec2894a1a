"""`loudou demo --no-serve` on an empty database (apart from test_demo.py, whose tests
share one loaded demo)."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from loudou.demo.services import DEMO_PASSWORD
from loudou.leads.models import Lead

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_command_prints_the_url_password_and_logins(time_machine):
    # given an output buffer
    time_machine.move_to(NOW, tick=False)
    out = StringIO()
    # when the command runs without serving
    call_command("demo", "--no-serve", "--leads", "30", stdout=out)
    # then it printed the URL, the password and the logins; the leads are there
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    assert DEMO_PASSWORD in text
    assert "manager1" in text
    assert "华东一组" in text
    assert "leads waiting in the 公海 “公共公海”" in text
    assert Lead.objects.count() == 30
