from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Funding"

    def ready(self):
        from django.db.models.signals import post_migrate

        from funding.services import roles_sync

        post_migrate.connect(lambda **kwargs: roles_sync(), dispatch_uid="funding_roles_sync", weak=False)
        _neutralise_formulas_in_exports()


def _neutralise_formulas_in_exports():
    """Every spreadsheet the back office exports, ours (StreamingExportMixin) and Wagtail's own (reports, redirects),
    writes each cell, CSV or XLSX, through SpreadsheetExportMixin.preprocess_field_value; Wagtail leaves text that a
    spreadsheet would run as a formula to the spreadsheet (its security notes on CSV exports). Wrapping that one
    method passes every exported cell through funding.spreadsheets.cell_text, the product's one rule for it."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    from funding.spreadsheets import cell_text

    preprocess = SpreadsheetExportMixin.preprocess_field_value

    def preprocess_field_value(view, field, value, export_format):
        return cell_text(preprocess(view, field, value, export_format))

    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
