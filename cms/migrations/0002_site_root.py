"""The public site's home page replaces Wagtail's default welcome page as the root of the default site."""

from django.db import migrations


def create_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("cms.HomePage")
    if HomePage.objects.exists():
        return
    welcome = Page.objects.filter(
        content_type__app_label="wagtailcore", content_type__model="page", slug="home", depth=2, numchild=0
    ).first()
    locale = welcome.locale if welcome else Locale.objects.order_by("pk").first()
    if welcome:
        welcome.delete()  # its Site goes with it
    root = Page.objects.get(depth=1)
    content_type, _ = ContentType.objects.get_or_create(app_label="cms", model="homepage")
    slug = "home" if not Page.objects.filter(depth=2, slug="home").exists() else "public-home"
    position = Page.objects.filter(depth=2).count() + 1
    home = HomePage.objects.create(
        title="Violence Reduction Alliance",
        draft_title="Violence Reduction Alliance",
        slug=slug,
        content_type=content_type,
        locale=locale,
        path=f"{root.path}{position:04d}",
        depth=2,
        numchild=0,
        url_path=f"/{slug}/",
        intro="Where the Alliance's money goes and what it achieves, from approved figures.",
    )
    Page.objects.filter(pk=root.pk).update(numchild=position)
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Outturn")


def remove_home(apps, schema_editor):
    apps.get_model("cms.HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_public_site_pages"),
    ]

    operations = [
        migrations.RunPython(create_home, remove_home),
    ]
