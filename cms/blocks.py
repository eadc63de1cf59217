"""StreamField blocks editors place in any page body: words, pictures and live figures from approved data."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageBlock

from cms.choosers import FundingStreamChooserBlock, IndicatorChooserBlock, ProgrammeChooserBlock
from cms.figures import MEASURES, PageFigures
from programmes.models import Indicator

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]

LIVE_FIGURE_NEEDS_ONE = "Choose an indicator or a money measure, not both."
LIVE_FIGURE_NEEDS_INDICATOR = "Choose an indicator to show its change from the baseline."
LIVE_FIGURE_NO_BASELINE = "{indicator} has no baseline to compare with: show its latest figure instead."
LIVE_FIGURE_SCOPE = "Choose a funding stream or a programme, not both."
LIVE_FIGURE_PROGRAMMES_BY_PROGRAMME = "The number of programmes funded can be shown overall or for a stream only."
CHART_NEEDS_ONE = "Choose an indicator or a funding stream, not both."


def _figures(parent_context) -> PageFigures:
    """The page's figures when the page fetched them; a block rendered on its own (a preview) fetches its own."""
    figures = (parent_context or {}).get("figures")
    return figures if isinstance(figures, PageFigures) else PageFigures()


class FigureImageBlock(blocks.StructBlock):
    image = ImageBlock(help_text="Describe the image in its alt text, or mark it as decorative.")
    caption = blocks.CharBlock(required=False)

    class Meta:
        icon = "image"
        label = "Image"
        template = "cms/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, help_text="Who said it, and their role.")

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote.html"


class CalloutBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False)
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ul"])

    class Meta:
        icon = "warning"
        label = "Call-out"
        template = "cms/blocks/callout.html"


class LiveFigureBlock(blocks.StructBlock):
    """The current approved value of an indicator, or a money figure, with its label and when it was updated."""

    indicator = IndicatorChooserBlock(required=False)
    show = blocks.ChoiceBlock(
        choices=[("latest", "Its latest figure"), ("change", "Its change from the baseline")],
        default="latest",
        help_text="For an indicator.",
    )
    measure = blocks.ChoiceBlock(
        choices=list(MEASURES.items()), required=False, label="Or a money measure", help_text="Instead of an indicator."
    )
    stream = FundingStreamChooserBlock(required=False, help_text="For a money measure: only this funding stream.")
    programme = ProgrammeChooserBlock(required=False, help_text="For a money measure: only this programme.")
    label = blocks.CharBlock(required=False, help_text="Words under the figure; leave blank for the usual ones.")

    class Meta:
        icon = "pick"
        label = "Live figure"
        template = "cms/blocks/live_figure.html"

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        indicator, measure = value.get("indicator"), value.get("measure")
        if bool(indicator) == bool(measure):
            errors["indicator"] = ValidationError(LIVE_FIGURE_NEEDS_ONE)
        elif indicator and value.get("show") == "change" and not _has_baseline(indicator):
            errors["show"] = ValidationError(LIVE_FIGURE_NO_BASELINE.format(indicator=indicator))
        if measure and value.get("stream") and value.get("programme"):
            errors["programme"] = ValidationError(LIVE_FIGURE_SCOPE)
        elif measure == "programmes" and value.get("programme"):
            errors["programme"] = ValidationError(LIVE_FIGURE_PROGRAMMES_BY_PROGRAMME)
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        figures = _figures(parent_context)
        if value.get("indicator"):
            # Names of their own: the page's context (a programme's `money`) reaches block templates too.
            progress = figures.progress(value["indicator"])
            context["figure_progress"] = progress
            context["figure_headline"] = progress.headline
            context["figure_change"] = progress.change_from_baseline if value.get("show") == "change" else None
        else:
            context["figure_money"] = figures.money(
                value["measure"], stream=value.get("stream"), programme=value.get("programme")
            )
        return context


def _has_baseline(indicator: Indicator) -> bool:
    return indicator.baseline_value is not None and indicator.aggregation == Indicator.Aggregation.LATEST


class ChartBlock(blocks.StructBlock):
    """An indicator by quarter, or a funding stream's money by financial year, with its table and CSV."""

    indicator = IndicatorChooserBlock(required=False)
    stream = FundingStreamChooserBlock(required=False, label="Or a funding stream")
    title = blocks.CharBlock(required=False, help_text="Leave blank to use the indicator's or stream's name.")

    class Meta:
        icon = "table"
        label = "Chart"
        template = "cms/blocks/chart.html"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("indicator")) == bool(value.get("stream")):
            raise StructBlockValidationError(block_errors={"indicator": ValidationError(CHART_NEEDS_ONE)})
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        figures = _figures(parent_context)
        if indicator := value.get("indicator"):
            # Its own id: the programme page may show the same indicator's chart in its figures section.
            context["chart"] = figures.progress(indicator).chart(
                title=value.get("title") or "", html_id=f"chart-block-{indicator.slug}"
            )
            context["csv_url"] = reverse("cms:indicator_csv", args=[indicator.slug])
        else:
            stream = value["stream"]
            context["chart"] = figures.stream_money(stream).chart(title=value.get("title") or stream.name)
            context["csv_url"] = reverse("cms:stream_csv", args=[stream.slug])
        return context


class BodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, icon="pilcrow")
    image = FigureImageBlock()
    quote = QuoteBlock()
    callout = CalloutBlock()
    live_figure = LiveFigureBlock()
    chart = ChartBlock()


class HeadlineFiguresBlock(blocks.StreamBlock):
    live_figure = LiveFigureBlock()

    class Meta:
        max_num = 6
