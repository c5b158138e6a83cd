"""The chain's jurisdiction, filled by 0004, becomes required; the name is unique per jurisdiction. Apart from
0004 so PostgreSQL does not alter the table in the transaction that updated its rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0004_chain_jurisdiction_kind_order_version'),
    ]

    operations = [
        migrations.AlterField(
            model_name='industrychain',
            name='jurisdiction',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='industry_chains', to='orgs.orgunit', verbose_name='jurisdiction', help_text='The county, prefecture or province owning the chain'),
        ),
        migrations.AlterField(
            model_name='industrychain',
            name='name',
            field=models.CharField(max_length=50, verbose_name='name'),
        ),
        migrations.AddConstraint(
            model_name='industrychain',
            constraint=models.UniqueConstraint(fields=('jurisdiction', 'name'), name='chain_name_unique_in_jurisdiction'),
        ),
    ]
