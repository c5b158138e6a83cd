"""Industry chains belong to a jurisdiction (county, prefecture, province): the name is unique within it, not
across the whole tree. Existing chains take the jurisdiction of their lead unit (or, without one, of their
chief's unit, or else the top of the tree), walking the unit's path up to the nearest county, prefecture or
province, as gateway.jurisdiction does."""

import django.db.models.deletion
from django.db import migrations, models

JURISDICTION_KINDS = ("province", "prefecture", "county")


def _jurisdiction(OrgUnit, unit):
    if unit.kind in JURISDICTION_KINDS:
        return unit
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/")]
    found = OrgUnit.objects.filter(pk__in=ancestor_ids, kind__in=JURISDICTION_KINDS).order_by("-path").first()
    return found or unit


def fill_jurisdiction(apps, schema_editor):
    IndustryChain = apps.get_model("projects", "IndustryChain")
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    top = None
    for chain in IndustryChain.objects.select_related("lead_unit", "chief__org_unit"):
        unit = chain.lead_unit or (chain.chief.org_unit if chain.chief_id else None)
        if unit is None:
            top = top or OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
            unit = top
        if unit is None:
            raise RuntimeError(f"industry chain {chain.pk} has no unit to take a jurisdiction from")
        chain.jurisdiction = _jurisdiction(OrgUnit, unit)
        chain.save(update_fields=["jurisdiction"])


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_unit_closing_leader_post_and_versions'),
        ('projects', '0003_versions_cancel_and_milestone_attachments'),
    ]

    operations = [
        migrations.AddField(
            model_name='industrychain',
            name='jurisdiction',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='industry_chains', to='orgs.orgunit', verbose_name='jurisdiction', help_text='The county, prefecture or province owning the chain'),
        ),
        migrations.AddField(
            model_name='industrychain',
            name='kind',
            field=models.CharField(choices=[('main', 'Main industry chain'), ('auxiliary', 'Auxiliary industry chain')], default='main', max_length=20, verbose_name='chain kind'),
        ),
        migrations.AddField(
            model_name='industrychain',
            name='sort_order',
            field=models.PositiveIntegerField(default=0, verbose_name='sort order'),
        ),
        migrations.AddField(
            model_name='industrychain',
            name='version',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.RunPython(fill_jurisdiction, migrations.RunPython.noop),
    ]
