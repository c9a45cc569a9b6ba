from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import PageForm, PeopleSelectField
from app.params import DateInBounds
from app.trainings.models import STATUS_LABELS


class TrainingForm(PageForm):
    topic = StringField("培训主题", validators=[DataRequired("请填写培训主题。"), Length(max=120, message="最多120字。")])
    category_id = SelectField("类别", coerce=int)
    held_on = DateField("日期", validators=[DataRequired("请填写日期，如 2026-11-27。"), DateInBounds()],
                        format="%Y-%m-%d")
    start_time = TimeField("开始时间", validators=[DataRequired("请填写开始时间。")], format="%H:%M")
    end_time = TimeField("结束时间", validators=[DataRequired("请填写结束时间。")], format="%H:%M")
    place = StringField("地点", validators=[Length(max=80, message="最多80字。")])
    trainer_employee_id = PeopleSelectField("讲师（本店员工）", coerce=int)
    trainer_name = StringField("或外部讲师姓名", validators=[Optional(), Length(max=60, message="最多60字。")])
    organiser = StringField("组织人", validators=[Length(max=60, message="最多60字。")])
    content = TextAreaField("培训内容", validators=[Length(max=5000, message="培训内容最多5000字。")],
                            render_kw={"rows": 5, "maxlength": 5000})
    outcome = TextAreaField("培训效果", validators=[Length(max=5000, message="培训效果最多5000字。")],
                            render_kw={"rows": 4, "maxlength": 5000})
    status = SelectField("状态", choices=list(STATUS_LABELS.items()))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.start_time.data and self.end_time.data and self.end_time.data <= self.start_time.data:
            self.end_time.errors = list(self.end_time.errors) + ["结束时间应晚于开始时间。"]
            ok = False
        if not self.trainer_employee_id.data and not (self.trainer_name.data or "").strip():
            self.trainer_employee_id.errors = list(self.trainer_employee_id.errors) + ["请选择讲师，或填写外部讲师姓名。"]
            ok = False
        return ok

    def fill_new(self, today, organiser: str) -> None:
        """A new session: held today, organised by whoever enters it."""
        self.held_on.data = today
        self.organiser.data = organiser

    def fill_from(self, training) -> None:
        """Show a stored session: an outside trainer is the form's 0 (obj= maps the rest)."""
        self.trainer_employee_id.data = training.trainer_employee_id or 0


class PlainForm(PageForm):
    """CSRF for the small POST forms of the training page."""
