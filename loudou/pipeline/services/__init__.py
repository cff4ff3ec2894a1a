"""Every write of the pipeline app: stage moves (the one writer of a lead's funnel position
and its ledger), opportunity fields, and the admin's pipeline configuration."""

from loudou.pipeline.services.configuration import reorder_stages, save_pipeline, save_stage
from loudou.pipeline.services.moves import move_stage, place_new_lead
from loudou.pipeline.services.opportunity import OPPORTUNITY_FIELDS, update_opportunity

__all__ = [
    "OPPORTUNITY_FIELDS",
    "move_stage",
    "place_new_lead",
    "reorder_stages",
    "save_pipeline",
    "save_stage",
    "update_opportunity",
]
