import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0007_fill_search_key'),
    ]

    operations = [
        migrations.CreateModel(
            name='DedupePolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('api_action', models.CharField(choices=[('warn', '提醒（照常创建并标记）'), ('block', '阻止（拒绝并返回重复记录）')], default='warn', max_length=5, verbose_name='接口重复时')),
                ('import_action', models.CharField(choices=[('warn', '提醒（照常创建并标记）'), ('block', '阻止（拒绝并返回重复记录）')], default='warn', max_length=5, verbose_name='导入重复时')),
            ],
            options={
                'verbose_name': '查重规则',
                'verbose_name_plural': '查重规则',
            },
        ),
        migrations.AddField(
            model_name='lead',
            name='company_key',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=120, verbose_name='查重键'),
        ),
        migrations.AddField(
            model_name='lead',
            name='merged_into',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='merged_from', to='leads.lead', verbose_name='已合并到'),
        ),
        migrations.AlterField(
            model_name='lead',
            name='phone',
            field=models.CharField(blank=True, db_index=True, max_length=20, verbose_name='电话'),
        ),
        migrations.AlterField(
            model_name='lead',
            name='email',
            field=models.EmailField(blank=True, db_index=True, max_length=254, verbose_name='邮箱'),
        ),
    ]
