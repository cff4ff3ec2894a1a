"""Shared fixtures of the pipeline tests: the default pipeline (from its data migration),
its stages by code, and a lead of `rep`'s already placed in the first stage."""

import pytest

from loudou.leads.tests.factories import make_lead
from loudou.pipeline.models import LostReason, Pipeline, WinFactor


@pytest.fixture
def pipeline(db):
    return Pipeline.objects.get(is_default=True)


@pytest.fixture
def stages(pipeline):
    return {stage.code: stage for stage in pipeline.stages.all()}


@pytest.fixture
def lead(rep, stages):
    return make_lead(actor=rep, company_name="杭州云帆科技有限公司")


@pytest.fixture
def lost_reason(db):
    return LostReason.objects.get(name="预算不足")


@pytest.fixture
def win_factors(db):
    return list(WinFactor.objects.filter(name__in=["价格优势", "客户关系"]).order_by("pk"))
