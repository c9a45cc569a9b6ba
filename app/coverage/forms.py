from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.forms import PageForm
from app.params import DateInBounds


class RequirementForm(PageForm):
    name = StringField("要求名称", validators=[DataRequired("请填写名称，如“安全生产培训”。"), Length(max=60, message="最多60字。")])
    category_id = SelectField("培训类别", coerce=int)
    course = StringField("课程（培训主题包含）", validators=[Optional(), Length(max=120, message="最多120字。")])
    due_days = IntegerField("新员工入职后几天内完成", validators=[Optional(), NumberRange(1, 3650, "天数应为1到3650之间的整数。")])
    interval_months = IntegerField("每隔几个月重复（空：一次即可）",
                                   validators=[Optional(), NumberRange(1, 600, "间隔应为1到600之间的整数（月）。")])
    certificate = BooleanField("证书（由外部证书满足，有有效期）")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not (self.category_id.data or (self.course.data or "").strip() or self.certificate.data):
            self.category_id.errors = list(self.category_id.errors) + ["请选择培训类别、填写课程，或勾选“证书”。"]
            return False
        return ok


class StepForm(PageForm):
    title = StringField("入职步骤", validators=[DataRequired("请填写步骤，如“师傅带教”。"), Length(max=60, message="最多60字。")])
    due_days = IntegerField("入职后几天内", default=7, validators=[DataRequired("请填写天数。"),
                                                                 NumberRange(1, 365, "天数应为1到365之间的整数。")])


class CertificateForm(PageForm):
    name = StringField("证书名称", validators=[DataRequired("请填写证书名称。"), Length(max=60, message="最多60字。")])
    requirement_id = SelectField("满足的岗位要求", coerce=int)
    number = StringField("证书编号", validators=[Optional(), Length(max=60, message="最多60字。")])
    issuer = StringField("发证机关", validators=[Optional(), Length(max=80, message="最多80字。")])
    issued_on = DateField("发证日期", validators=[DataRequired("请填写发证日期（如 2026-03-01）。"), DateInBounds(min_year=1950)],
                          format="%Y-%m-%d")
    expires_on = DateField("有效期至", validators=[Optional(), DateInBounds(min_year=1950)], format="%Y-%m-%d")
    scan = FileField("扫描件（图片或 PDF）")

    def validate_expires_on(self, field):
        if field.data and self.issued_on.data and field.data < self.issued_on.data:
            raise ValidationError("有效期不能早于发证日期。")
