"""Wagtail's user admin, set up for Outturn's users: email sign-in, an organisation, roles as groups.

Listed in INSTALLED_APPS in place of "wagtail.users". This module is imported while apps load, so it holds the
app config only; the viewset it names lives in funding.admin_views.
"""

from wagtail.users.apps import WagtailUsersAppConfig


class OutturnUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "funding.admin_views.OutturnUserViewSet"
