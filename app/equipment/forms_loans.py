"""Forms of loans (借用/归还), counts (盘点) and the register's CSV import."""
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.equipment.loans import MISSING_ACTIONS
from app.equipment.models import CATEGORIES, LOAN_CONDITIONS
from app.equipment.forms import DATE_MSG
from app.forms import PageForm, PeopleSelectField
from app.params import DateInBounds


class LendForm(PageForm):
    borrower_id = PeopleSelectField("借用人", coerce=int)
    due_on = DateField("预计归还日期", validators=[DataRequired(DATE_MSG), DateInBounds()], format="%Y-%m-%d")
    quantity = IntegerField("借用件数", validators=[Optional(), NumberRange(1, 9999, "借用件数应在1到9999之间。")])
    note = StringField("备注（用途、车辆等，可选）", validators=[Length(max=200, message="备注最多200字。")])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.borrower_id.choices = [(0, "（请选择）")] + [
            (e.id, f"{e.name}（{e.employee_no}{' · ' + e.title if e.title else ''}）") for e in people]


class ReturnForm(PageForm):
    condition = RadioField("归还状况", choices=list(LOAN_CONDITIONS.items()), default="ok")
    missing_qty = IntegerField("缺少件数", validators=[Optional(), NumberRange(1, 9999, "缺少件数应在1到9999之间。")])
    missing_action = RadioField("缺件处理", choices=list(MISSING_ACTIONS.items()), validators=[Optional()],
                                validate_choice=False)
    note = TextAreaField("情况说明（缺件、损坏时必填）", validators=[Length(max=500, message="说明最多500字。")])


class CountStartForm(PageForm):
    scope = RadioField("盘点范围", choices=[("location", "按位置"), ("category", "按类别")], default="location")
    location = SelectField("位置", validate_choice=False)
    category = SelectField("类别", choices=[("", "（请选择）")] + [(c, c) for c in CATEGORIES], validate_choice=False)

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.location.choices = [("", "（请选择）")] + [(x, x) for x in locations]


class ScanForm(PageForm):
    asset_no = StringField("资产编号（扫码枪扫描或手动输入）", validators=[Length(max=60, message="资产编号最多60字。")])


class ExtraForm(PageForm):
    label = StringField("清单外物品（台账中没有的）", validators=[Length(max=120, message="最多120字。")])
    extra_qty = IntegerField("件数", default=1, validators=[Optional(), NumberRange(1, 9999, "件数应在1到9999之间。")])


class CloseForm(PageForm):
    signed_name = StringField("盘点人签名（姓名）", validators=[Length(max=40, message="签名最多40字。")])
    note = TextAreaField("备注（可选）", validators=[Length(max=500, message="备注最多500字。")])
