"""Content editors edit and publish the public site's pages, and nobody else in the office does.

Wagtail grants page permissions on a part of the tree (GroupPagePermission), not through the group's model
permissions; this gives the Content editor group its page permissions on the root, so they cover every page,
and is re-synced after every migrate like the roles themselves (funding.services.roles_sync).
"""

from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission, Page

from funding.roles import Role

EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def editor_permissions_sync() -> None:
    group = Group.objects.filter(name=Role.CONTENT_EDITOR).first()
    root = Page.get_first_root_node()
    if group is None or root is None:
        return
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=EDITOR_PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
