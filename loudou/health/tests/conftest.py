import pytest

from loudou.health.tests.factories import T0
from loudou.pipeline.models import Pipeline


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def stages(db):
    pipeline = Pipeline.objects.get(is_default=True)
    return {stage.code: stage for stage in pipeline.stages.all()}
