"""Import jobs say which sheet they hold: records, or a vocabulary imported in the admin."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('collection', '0012_export_lines'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='vocabulary',
            field=models.CharField(blank=True, default='', max_length=20, verbose_name='vocabulary'),
        ),
    ]
