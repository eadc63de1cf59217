"""Panels on the staff back office's first screen."""

from django.urls import reverse
from wagtail.admin.ui.components import Component

from programmes.selectors import office_work_counts
from programmes.services import today


class WorkWaitingPanel(Component):
    """What the office has to act on today, each count linking to the rows behind it."""

    name = "work_waiting"
    template_name = "programmes/admin/work_waiting_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        counts = office_work_counts(on=today())
        returns = reverse("outturn_returns:index")
        return {
            "items": [
                ("Returns waiting for review", counts["to_review"], reverse("outturn_review:index")),
                ("Overdue returns", counts["overdue"], f"{returns}?overdue=true"),
                ("Returns sent back for changes", counts["returned"], f"{returns}?status=returned"),
                ("Limits passed by override", counts["overrides"], reverse("outturn_overrides:index")),
            ]
        }
