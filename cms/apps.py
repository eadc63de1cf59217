from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Public site"

    def ready(self):
        from django.db.models.signals import post_migrate

        from cms import permissions, signals, site

        signals.connect()
        # After funding's roles are synced (it listens to every app's post_migrate; cms comes later).
        post_migrate.connect(
            lambda **kwargs: permissions.editor_permissions_sync(),
            sender=self,
            dispatch_uid="cms_editor_permissions_sync",
            weak=False,
        )
        # The default Site's host name and port follow SITE_URL (the migrations create it as localhost:80).
        post_migrate.connect(lambda **kwargs: site.site_sync(), sender=self, dispatch_uid="cms_site_sync", weak=False)
