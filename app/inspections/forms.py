"""The inspection part's forms (answers are read by the routes item by item: their fields
come from the template version, not from a fixed form)."""
from flask_wtf.file import FileField
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import PageForm, PeopleSelectField
from app.params import DateInBounds


class AssignForm(PageForm):
    assignee = PeopleSelectField("整改责任人", coerce=int)
    due_on = DateField("整改期限", validators=[Optional(), DateInBounds()], format="%Y-%m-%d")
    what = TextAreaField("整改要求", validators=[Length(max=500, message="最多500字。")])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee.choices = [(0, "请选择")] + [
            (e.id, f"{e.name}（{e.title or '未设岗位'}）") for e in people]


class DoneForm(PageForm):
    note = TextAreaField("整改情况", validators=[Length(max=500, message="最多500字。")])
    photo = FileField("整改后照片")


class ReasonForm(PageForm):
    reason = StringField("原因", validators=[DataRequired("请填写原因。"), Length(max=300, message="最多300字。")])


class ReassignForm(PageForm):
    assignee = PeopleSelectField("新的整改责任人", coerce=int)
    reason = StringField("改派原因", validators=[DataRequired("请填写原因。"), Length(max=300, message="最多300字。")])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee.choices = [(0, "请选择")] + [(e.id, f"{e.name}（{e.title or '未设岗位'}）") for e in people]


class NoteForm(PageForm):
    note = StringField("验证说明（可选）", validators=[Length(max=500, message="最多500字。")])
