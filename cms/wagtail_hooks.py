from wagtail import hooks

from cms.choosers import indicator_chooser, programme_chooser, stream_chooser


@hooks.register("register_admin_viewset")
def register_cms_choosers():
    return [indicator_chooser, programme_chooser, stream_chooser]
