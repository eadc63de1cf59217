"""Panels on the staff back office's first screen."""

from django.urls import reverse
from wagtail.admin.ui.components import Component

from programmes.selectors import PAST_END_OPEN, PAST_END_READY, grant_past_end_counts, office_work_counts
from programmes.services import today


class WorkWaitingPanel(Component):
    """What the office has to act on today, each count linking to the rows behind it."""

    name = "work_waiting"
    template_name = "programmes/admin/work_waiting_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        counts = office_work_counts(on=today())
        returns = reverse("outturn_returns:index")
        past_end, grants = grant_past_end_counts(on=today()), reverse("outturn_grants:index")
        ready, open_ = f"past_end_date={PAST_END_READY}", f"past_end_date={PAST_END_OPEN}"
        return {
            "items": [
                ("Returns waiting for review", counts["to_review"], reverse("outturn_review:index")),
                ("Overdue returns", counts["overdue"], f"{returns}?overdue=true"),
                ("Returns sent back for changes", counts["returned"], f"{returns}?status=returned"),
                ("Payments due for approval", counts["payments_due"], reverse("outturn_payments:approve")),
                ("Grants past their end date, ready to close", past_end["ready"], f"{grants}?{ready}"),
                ("Grants past their end date with returns to approve", past_end["open"], f"{grants}?{open_}"),
            ]
        }
