from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Public site"

    def ready(self):
        from django.db.models.signals import post_migrate

        from cms import permissions, signals

        signals.connect()
        # After funding's roles are synced (it listens to every app's post_migrate; cms comes later).
        post_migrate.connect(
            lambda **kwargs: permissions.editor_permissions_sync(),
            sender=self,
            dispatch_uid="cms_editor_permissions_sync",
            weak=False,
        )
