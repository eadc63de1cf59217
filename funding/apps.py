from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Funding"

    def ready(self):
        from django.db.models.signals import post_migrate

        from funding.services import roles_sync

        post_migrate.connect(lambda **kwargs: roles_sync(), dispatch_uid="funding_roles_sync", weak=False)
