"""The base of the app's forms: Flask-WTF's form whose CSRF field renders without an id.
A page holds many small POST forms (a button each); WTForms gives every CSRF field
id="csrf_token", and a page may hold an id once (HTML validity, tests/test_html_valid.py)."""
from flask_wtf import FlaskForm


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
