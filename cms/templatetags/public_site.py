from django import template
from wagtail.models import Page, Site

register = template.Library()


@register.inclusion_tag("cms/includes/navigation.html", takes_context=True)
def public_navigation(context):
    """The site root's children marked "show in menus", with the section the current page is in (one query)."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    current = context.get("page")
    items = []
    if site:
        for page in Page.objects.child_of(site.root_page).live().in_menu().order_by("path"):
            active = bool(current and isinstance(current, Page) and current.path.startswith(page.path))
            items.append((page, active, bool(current and current.pk == page.pk)))
    return {"items": items, "home": site.root_page if site else None}


@register.inclusion_tag("cms/includes/footer_links.html", takes_context=True)
def public_footer_links(context):
    from cms.models import FooterLinks

    request = context.get("request")
    # No site answers for the request on a database without one (an error page there must still render).
    site = Site.find_for_request(request) if request else None
    links = FooterLinks.for_site(site) if site else None
    return {
        "accessibility": links.accessibility_page if links else None,
        "privacy": links.privacy_page if links else None,
        "feed_url": news_feed_url(),
    }


@register.simple_tag
def news_feed_url() -> str:
    from cms.models import NewsIndexPage

    news = NewsIndexPage.objects.live().first()
    return f"{news.url}feed/" if news else ""
