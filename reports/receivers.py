"""reports/ keeps its money summary current on programmes' domain events."""

from django.dispatch import receiver

from programmes.signals import grant_figures_changed
from reports.figures import figures_refresh


@receiver(grant_figures_changed, dispatch_uid="reports.figures_refresh")
def refresh_grant_figures(sender, *, grant_id: int, **kwargs):
    figures_refresh(grant_ids=[grant_id])
