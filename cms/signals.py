"""The public cache is cleared when what the public sees changes: a return approved or reopened, a grant's money,
an office figure approved or withdrawn, a record a page names, or a page published, unpublished or moved."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from cms.cache import public_cache_clear
from funding.models import Allocation, Area, FundingStream, Organisation
from programmes import signals as programme_signals
from programmes.models import Indicator, IndicatorValue, Programme, Target

# Records whose names, words or numbers the public pages print.
SHOWN_MODELS = (Allocation, Area, FundingStream, Organisation, Indicator, Programme, Target)


def on_figures_changed(**kwargs) -> None:
    public_cache_clear()


def on_office_value_saved(sender, instance: IndicatorValue, **kwargs) -> None:
    # A return's values change with its approval or reopening (signals above, and bulk updates that send no
    # post_save); an office figure changes on its own when recorded, approved or re-recorded.
    if instance.source == IndicatorValue.Source.OFFICE:
        public_cache_clear()


def on_page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page) and instance.live:
        public_cache_clear()


def connect() -> None:
    events = {
        "return_approved": programme_signals.return_approved,
        "return_reopened": programme_signals.return_reopened,
        "grant_figures_changed": programme_signals.grant_figures_changed,
        "page_published": page_published,
        "page_unpublished": page_unpublished,
        "page_slug_changed": page_slug_changed,
        "post_page_move": post_page_move,
    }
    for name, signal in events.items():
        signal.connect(on_figures_changed, dispatch_uid=f"cms.cache.{name}")
    for model in SHOWN_MODELS:
        post_save.connect(on_figures_changed, sender=model, dispatch_uid=f"cms.cache.save.{model.__name__}")
        post_delete.connect(on_figures_changed, sender=model, dispatch_uid=f"cms.cache.delete.{model.__name__}")
    post_save.connect(on_office_value_saved, sender=IndicatorValue, dispatch_uid="cms.cache.office_value")
    post_delete.connect(on_page_deleted, dispatch_uid="cms.cache.page_deleted")
