from sqlalchemy import select
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.auth.forms import password_strength
from app.auth.models import User
from app.extensions import db
from app.forms import PageForm, PeopleSelectField
from app.staff.models import staff_rows


class AccountForm(PageForm):
    username = StringField(
        "用户名",
        validators=[
            DataRequired("请填写用户名。"),
            Length(min=2, max=40, message="用户名为2到40个字符。"),
            Regexp(r"^[A-Za-z0-9_.\-]+$", message="用户名只能包含字母、数字、点、下划线和连字符。"),
        ],
    )
    display_name = StringField("显示名称", validators=[Optional(), Length(max=40)])
    employee_id = PeopleSelectField("关联员工", coerce=int)
    is_admin = BooleanField("管理员（可管理账号、员工、岗位和手册）")
    can_record_trainings = BooleanField("可记录培训")
    can_issue_supplies = BooleanField("可发放物资")
    can_manage_equipment = BooleanField("可管理设备（车间设备、工具台账）")
    active = BooleanField("启用", default=True)

    def __init__(self, *args, account: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._account = account
        linked = {uid for uid in db.session.scalars(select(User.employee_id)) if uid}
        own = account.employee_id if account else None
        self.employee_id.choices = [(0, "（不关联）")] + [
            (e.id, f"{e.employee_no} {e.name}（{e.title or '无岗位'}）")
            for e in staff_rows(own)  # his own employee stays, even after leaving
            if e.id not in linked or e.id == own
        ]

    def validate_username(self, field):
        other = db.session.scalar(select(User).where(db.func.lower(User.username) == field.data.strip().lower()))
        if other is not None and other is not self._account:
            raise ValidationError("该用户名已被使用。")


class NewAccountForm(AccountForm):
    # Empty: a password is generated and shown once (accounts.create).
    password = PasswordField("初始密码", validators=[Optional(), password_strength])
