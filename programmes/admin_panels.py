"""Panels on the staff back office's first screen."""

from django.urls import reverse
from wagtail.admin.ui.components import Component

from programmes.selectors import (
    PAST_END_OPEN,
    PAST_END_READY,
    OverdueCount,
    grant_past_end_counts,
    office_work_counts,
)
from programmes.services import today


class WorkWaitingPanel(Component):
    """What the office has to act on today, each count linking to the rows behind it."""

    name = "work_waiting"
    template_name = "programmes/admin/work_waiting_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        counts = office_work_counts(on=today())
        overdue = OverdueCount(count=counts["overdue"])
        returns = reverse("outturn_returns:index")
        past_end, grants = grant_past_end_counts(on=today()), reverse("outturn_grants:index")
        ready, open_ = f"past_end_date={PAST_END_READY}", f"past_end_date={PAST_END_OPEN}"
        rows = [
            (
                counts["to_review"],
                "return waiting for review",
                "returns waiting for review",
                reverse("outturn_review:index"),
            ),
            # In all years, beside the funding overview's count for this year: each says which it covers.
            (overdue.count, overdue.words, overdue.words, f"{returns}?overdue=true"),
            (
                counts["returned"],
                "return sent back for changes",
                "returns sent back for changes",
                f"{returns}?status=returned",
            ),
            (
                counts["payments_due"],
                "payment due for approval",
                "payments due for approval",
                reverse("outturn_payments:approve"),
            ),
            (
                past_end["ready"],
                "grant past its end date, ready to close",
                "grants past their end date, ready to close",
                f"{grants}?{ready}",
            ),
            (
                past_end["open"],
                "grant past its end date with returns to approve",
                "grants past their end date with returns to approve",
                f"{grants}?{open_}",
            ),
        ]
        return {"items": [(singular if count == 1 else plural, count, url) for count, singular, plural, url in rows]}
