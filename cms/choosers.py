"""Choosers for the domain records a page or block points at: editors pick an indicator, programme or stream.

They are not registered as the default widget for every foreign key to these models (`register_widget =
False`), so the back office's own forms keep their plain selects; cms panels and blocks use them explicitly.
"""

from wagtail.admin.viewsets.chooser import ChooserViewSet

from funding.models import FundingStream
from programmes.models import Indicator, Programme


class RecordChooserViewSet(ChooserViewSet):
    """A chooser of records the office keeps through its services: it chooses one, and never creates one, so its
    "create" URL (which Wagtail routes even without a creation form, and which then fails on a post) is not routed."""

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "create"]


class IndicatorChooserViewSet(RecordChooserViewSet):
    model = Indicator
    icon = "list-ul"
    choose_one_text = "Choose an indicator"
    choose_another_text = "Choose another indicator"
    register_widget = False


class ProgrammeChooserViewSet(RecordChooserViewSet):
    model = Programme
    icon = "folder-open-inverse"
    choose_one_text = "Choose a programme"
    choose_another_text = "Choose another programme"
    register_widget = False


class FundingStreamChooserViewSet(RecordChooserViewSet):
    model = FundingStream
    icon = "tag"
    choose_one_text = "Choose a funding stream"
    choose_another_text = "Choose another funding stream"
    register_widget = False


indicator_chooser = IndicatorChooserViewSet("cms_indicator_chooser")
programme_chooser = ProgrammeChooserViewSet("cms_programme_chooser")
stream_chooser = FundingStreamChooserViewSet("cms_stream_chooser")

IndicatorChooserBlock = indicator_chooser.get_block_class("IndicatorChooserBlock", module_path="cms.choosers")
ProgrammeChooserBlock = programme_chooser.get_block_class("ProgrammeChooserBlock", module_path="cms.choosers")
FundingStreamChooserBlock = stream_chooser.get_block_class("FundingStreamChooserBlock", module_path="cms.choosers")
