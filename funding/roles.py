"""The roles a user can hold. Each is a Django group; a user may hold several (DESIGN.md, "Who may do what")."""

from django.db import models


class Role(models.TextChoices):
    COMMISSIONING_OFFICER = "Commissioning officer"
    FINANCE_OFFICER = "Finance officer"
    BOARD_VIEWER = "Board viewer"
    CONTENT_EDITOR = "Content editor"
    PROVIDER_EDITOR = "Provider editor"
    PROVIDER_APPROVER = "Provider approver"


OFFICE_ROLES = frozenset(
    {Role.COMMISSIONING_OFFICER, Role.FINANCE_OFFICER, Role.BOARD_VIEWER, Role.CONTENT_EDITOR},
)
PROVIDER_ROLES = frozenset({Role.PROVIDER_EDITOR, Role.PROVIDER_APPROVER})

# Who in the office reads its records: grants, payments, providers' returns with their evidence and receipts, the
# dashboards. Content editors keep the public site and read only its approved, suppressed figures (DESIGN.md,
# "Who may do what"). Every selector of those records scopes by this (programmes.selectors, funding.selectors).
RECORD_READER_ROLES = frozenset({Role.COMMISSIONING_OFFICER, Role.FINANCE_OFFICER, Role.BOARD_VIEWER})

# Who can lead: be a grant's lead officer (who reviews its returns and is told when one is ready), own a funding
# stream, or be a programme's senior responsible officer. The back office's people fields offer only them.
LEAD_ROLES = frozenset({Role.COMMISSIONING_OFFICER})

# Model permissions per role, as "app_label.codename" strings. Wagtail's admin reads these to decide what
# each listing offers; the services check roles again before they write.
SETUP_MODELS = [
    "funding.organisation",
    "funding.area",
    "funding.fundingstream",
    "funding.allocation",
    "programmes.programme",
    "programmes.grant",
    "programmes.grantcharge",
    "programmes.budgetline",
    "programmes.indicator",
    "programmes.target",
]
WORKFLOW_MODELS = [
    "programmes.quarterlyreturn",
    "programmes.payment",
    "programmes.indicatorvalue",
    "programmes.grantvariation",
]


def _perms(models_: list[str], *actions: str) -> list[str]:
    return [f"{m.split('.')[0]}.{action}_{m.split('.')[1]}" for m in models_ for action in actions]


ADMIN_ACCESS = ["wagtailadmin.access_admin"]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COMMISSIONING_OFFICER: ADMIN_ACCESS
    + _perms(SETUP_MODELS, "add", "change", "view")
    + _perms(WORKFLOW_MODELS, "view"),
    Role.FINANCE_OFFICER: ADMIN_ACCESS + _perms(SETUP_MODELS + WORKFLOW_MODELS, "view"),
    Role.BOARD_VIEWER: ADMIN_ACCESS + _perms(SETUP_MODELS + WORKFLOW_MODELS, "view"),
    Role.CONTENT_EDITOR: ADMIN_ACCESS
    + [
        "wagtailcore.add_page",
        "wagtailcore.change_page",
        "wagtailcore.publish_page",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    Role.PROVIDER_EDITOR: [],
    Role.PROVIDER_APPROVER: [],
}
