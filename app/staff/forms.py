from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.forms import PageForm
from app.params import DateInBounds
from app.extensions import db
from app.org.models import ordered_positions
from app.staff.rules import hire_date_ok
from app.staff.models import Employee


def position_choices() -> list[tuple[int, str]]:
    return [(0, "（未分配）")] + [(p.id, p.title) for p in ordered_positions()]


class EmployeeForm(PageForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名。"), Length(max=40, message="姓名最多40字。")])
    employee_no = StringField(
        "工号", validators=[DataRequired("请填写工号。"), Length(max=30, message="工号最多30个字符。")]
    )
    position_id = SelectField("岗位", coerce=int)
    phone = StringField(
        "电话",
        validators=[Optional(), Regexp(r"^[0-9+\-\s()]{5,30}$", message="电话格式不正确。")],
    )
    hire_date = DateField("入职日期", validators=[Optional(), DateInBounds(min_year=1950)], format="%Y-%m-%d")
    clothing_size = StringField("服装尺码", validators=[Optional(), Length(max=10, message="服装尺码最多10个字符。")],
                                render_kw={"list": "clothing-sizes", "maxlength": 10})
    shoe_size = StringField("鞋码", validators=[Optional(), Length(max=10, message="鞋码最多10个字符。")],
                            render_kw={"inputmode": "numeric", "maxlength": 10})
    active = BooleanField("在职", default=True)

    def __init__(self, *args, employee: Employee | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._employee = employee
        self.position_id.choices = position_choices()

    def fill_from(self, employee: Employee) -> None:
        """Show a stored employee: no position is the form's 0 (obj= maps the rest by name)."""
        self.position_id.data = employee.position_id or 0

    def validate_hire_date(self, field):
        if not hire_date_ok(field.data):
            raise ValidationError("入职日期不能晚于今天起90天。")

    def validate_employee_no(self, field):
        other = db.session.scalar(select(Employee).filter_by(employee_no=field.data.strip()))
        if other is not None and other is not self._employee:
            raise ValidationError(f"工号 {field.data} 已被 {other.name} 使用。")


class ImportForm(PageForm):
    file = FileField("CSV 文件", validators=[FileRequired("请选择要导入的 CSV 文件。")])


class ImportConfirmForm(PageForm):
    payload = TextAreaField(validators=[DataRequired()])
