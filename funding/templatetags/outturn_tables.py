"""Tables that fit any screen: a table wider than its screen scrolls sideways inside its own region, which is named
and reachable by keyboard (so a keyboard user can scroll it too), instead of being cut off or widening the page.

    {% load outturn_tables %}
    {% table_region as caption_id %}
        <table class="listing">
            <caption id="{{ caption_id }}" class="w-sr-only">Money by funding stream in 2024/25</caption>
            …
        </table>
    {% endtable_region %}

The region is named by the table's own caption. Around a table whose markup Wagtail writes (a listing), name it in
words instead: `{% table_region label=view.get_page_title %}{% component table %}{% endtable_region %}`.
Styles: `.outturn-table-region` in funding/static/funding/tables.css, on every screen of the back office.
"""

import uuid

from django import template
from django.utils.html import format_html

register = template.Library()


class TableRegionNode(template.Node):
    def __init__(self, nodelist, *, label=None, caption_id_var=None):
        self.nodelist, self.label, self.caption_id_var = nodelist, label, caption_id_var

    def render(self, context):
        if self.caption_id_var:
            caption_id = _next_id(context)
            with context.push({self.caption_id_var: caption_id}):
                content = self.nodelist.render(context)
            name = format_html('aria-labelledby="{}"', caption_id)
        else:
            content = self.nodelist.render(context)
            name = format_html('aria-label="{}"', self.label.resolve(context))
        return format_html('<div class="outturn-table-region" role="region" {} tabindex="0">{}</div>', name, content)


def _next_id(context) -> str:
    """An id unique in the page: counted per request, so that a page's ids are the same each time it is shown, or
    random where the template has no request (a Wagtail panel, which renders with its own context)."""
    request = context.get("request")
    if request is None:
        return f"table-caption-{uuid.uuid4().hex[:12]}"
    request._outturn_table_regions = getattr(request, "_outturn_table_regions", 0) + 1
    return f"table-caption-{request._outturn_table_regions}"


@register.tag
def table_region(parser, token):
    """`{% table_region as caption_id %}…{% endtable_region %}`, or `{% table_region label=… %}…` (see above)."""
    bits = token.split_contents()
    nodelist = parser.parse(("endtable_region",))
    parser.delete_first_token()
    if len(bits) == 3 and bits[1] == "as":
        return TableRegionNode(nodelist, caption_id_var=bits[2])
    if len(bits) == 2 and bits[1].startswith("label="):
        return TableRegionNode(nodelist, label=parser.compile_filter(bits[1].removeprefix("label=")))
    raise template.TemplateSyntaxError(
        f"{bits[0]} takes `as <name>` (the caption's id, to name the region by the caption) or `label=<text>`"
    )
