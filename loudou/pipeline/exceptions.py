"""Domain errors of the pipeline, with stable codes (Saleor error_codes.py)."""

from django.utils.translation import gettext as _


class StageMoveConflict(Exception):
    """The lead left the stage the mover saw: somebody else moved it meanwhile.

    Raised by move_stage when its conditional UPDATE matches no row; nothing is written.
    """

    code = "stage_move_conflict"

    def __init__(self, lead_id: int) -> None:
        self.lead_id = lead_id
        super().__init__(_("该线索刚刚已被他人移动，请刷新后重试。"))
