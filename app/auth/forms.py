from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.forms import PageForm

MIN_PASSWORD = 10


def password_strength(form, field):
    value = field.data or ""
    if len(value) < MIN_PASSWORD:
        raise ValidationError(f"密码至少 {MIN_PASSWORD} 位。")
    if value.isdigit() or value.isalpha():
        raise ValidationError("密码需同时包含字母和数字（或符号）。")


class LoginForm(PageForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=40)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=200, message="密码最多200个字符。")])
    remember = BooleanField("在此设备上保持登录")


class ChangePasswordForm(PageForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。"), Length(max=200)])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码。"), Length(max=200, message="密码最多200个字符。"),
                                           password_strength])
    confirm = PasswordField(
        "再次输入新密码",
        validators=[DataRequired("请再次输入新密码。"), EqualTo("new", "两次输入的新密码不一致。")],
    )


