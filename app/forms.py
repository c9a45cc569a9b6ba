"""The base of the app's forms: Flask-WTF's form whose CSRF field renders without an id.
A page holds many small POST forms (a button each); WTForms gives every CSRF field
id="csrf_token", and a page may hold an id once (HTML validity, tests/test_html_valid.py)."""
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.widgets import html_params

from app.safe_html import joined, select_options


class PageForm(FlaskForm):
    class Meta:
        # WTForms' own messages ("Not a valid choice." …) in Chinese, from the translations
        # WTForms ships (config WTF_I18N_ENABLED is off: Flask-WTF's would need Flask-Babel).
        locales = ("zh",)

        def render_field(self, field, render_kw):
            if field.type == "CSRFTokenField":
                render_kw = dict(render_kw, id=False)  # WTForms leaves out a False attribute
            return super().render_field(field, render_kw)


class PostForm(PageForm):
    """CSRF-only form for POST buttons (logout, deactivate, remove …)."""


class _PeopleSelect:
    """WTForms' Select for a picker of everyone (讲师, 借用人, 责任人 …): the same markup,
    the options joined by safe_html.select_options. WTForms renders each option through
    html_params and Markup, which for three hundred people cost more than the rest of
    the page. Plain (value, label) choices only: no groups, no per-option attributes."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        for flag in ("required", "disabled"):
            if flag not in kwargs and getattr(field.flags, flag, False):
                kwargs[flag] = True
        return joined((f"<select {html_params(name=field.name, **kwargs)}>",
                       select_options(field.choices, field.data), "</select>"))


class PeopleSelectField(SelectField):
    """A SelectField of hundreds of plain (id, label) choices, rendered fast (_PeopleSelect);
    validated as any SelectField."""

    widget = _PeopleSelect()
