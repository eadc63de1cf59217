from django.views.generic import TemplateView


class HomeView(TemplateView):
    """A plain front page until the public site is built with Wagtail pages."""

    template_name = "home.html"
