from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """Render every form and field with the GOV.UK Design System templates."""

    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"
