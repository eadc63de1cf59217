"""Choosers for the domain records a page or block points at: editors pick an indicator, programme or stream.

They are not registered as the default widget for every foreign key to these models (`register_widget =
False`), so the back office's own forms keep their plain selects; cms panels and blocks use them explicitly.
"""

from wagtail.admin.viewsets.chooser import ChooserViewSet

from funding.models import FundingStream
from programmes.models import Indicator, Programme


class IndicatorChooserViewSet(ChooserViewSet):
    model = Indicator
    icon = "list-ul"
    choose_one_text = "Choose an indicator"
    choose_another_text = "Choose another indicator"
    register_widget = False


class ProgrammeChooserViewSet(ChooserViewSet):
    model = Programme
    icon = "folder-open-inverse"
    choose_one_text = "Choose a programme"
    choose_another_text = "Choose another programme"
    register_widget = False


class FundingStreamChooserViewSet(ChooserViewSet):
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
