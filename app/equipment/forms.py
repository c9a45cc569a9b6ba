from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.equipment.models import CATEGORIES, RESULTS, STATES
from app.forms import PageForm, PeopleSelectField
from app.params import DateInBounds

DATE_MSG = "请填写日期（如 2026-03-01）。"


class EquipmentForm(PageForm):
    asset_no = StringField("资产编号", validators=[DataRequired("请填写资产编号。"), Length(max=40, message="最多40字。")])
    name = StringField("名称", validators=[DataRequired("请填写名称。"), Length(max=80, message="最多80字。")])
    category = SelectField("类别", choices=[(c, c) for c in CATEGORIES])
    model = StringField("型号", validators=[Length(max=60, message="最多60字。")])
    maker = StringField("生产厂家", validators=[Length(max=60, message="最多60字。")])
    serial_no = StringField("出厂编号", validators=[Length(max=60, message="最多60字。")])
    location = StringField("位置（工位/区域）", validators=[Length(max=60, message="最多60字。")])
    quantity = IntegerField("数量（成套工具的件数）", default=1,
                            validators=[Optional(), NumberRange(1, 9999, "数量应在1到9999之间。")])
    responsible_id = PeopleSelectField("负责人", coerce=int)
    purchased_on = DateField("购置日期", validators=[Optional(), DateInBounds(min_year=1950)], format="%Y-%m-%d")
    needs_verification = BooleanField("需要检定/校准（计量器具）")
    verify_months = IntegerField("检定/校准周期（月）",
                                 validators=[Optional(), NumberRange(1, 120, "周期应在1到120个月之间。")])
    notes = TextAreaField("备注", validators=[Length(max=2000, message="最多2000字。")])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.responsible_id.choices = [(0, "（未指定）")] + [
            (e.id, f"{e.name}（{e.title or '未分配岗位'}）") for e in people]


class StateForm(PageForm):
    state = SelectField("新状态", choices=list(STATES.items()))
    on = DateField("日期", validators=[DataRequired(DATE_MSG), DateInBounds()], format="%Y-%m-%d")
    reason = StringField("原因", validators=[DataRequired("请填写原因。"), Length(max=500, message="原因最多500字。")])


class VerificationForm(PageForm):
    verified_on = DateField("检定/校准日期", validators=[DataRequired(DATE_MSG), DateInBounds()], format="%Y-%m-%d")
    body = StringField("检定/校准机构", validators=[Length(max=80, message="最多80字。")])
    cert_no = StringField("证书编号", validators=[DataRequired("请填写证书编号。"), Length(max=60, message="最多60字。")])
    result = SelectField("结论", choices=list(RESULTS.items()))
    scan = FileField("证书扫描件（图片或 PDF，可选）")


# --- issue 25b: fault reports, repairs, the item's photo ----------------------------------
from flask_wtf.file import MultipleFileField  # noqa: E402
from wtforms import FloatField  # noqa: E402

from app.equipment.models import IN_USE, SCRAPPED  # noqa: E402


class FaultForm(PageForm):
    description = TextAreaField("故障现象", validators=[DataRequired("请描述故障现象。"),
                                                    Length(max=1000, message="故障描述最多1000字。")])
    photos = MultipleFileField("照片（可选，最多 6 张）")


class RepairForm(PageForm):
    repaired_by = StringField("维修人", validators=[DataRequired("请填写维修人（本店人员或厂家、服务商）。"),
                                                 Length(max=80, message="最多80字。")])
    repaired_on = DateField("维修日期", validators=[DataRequired(DATE_MSG), DateInBounds()], format="%Y-%m-%d")
    cost = FloatField("费用（元，可选）", validators=[Optional(), NumberRange(0, 10_000_000, "费用应在0到10000000元之间。")])
    parts = StringField("更换配件（可选）", validators=[Length(max=500, message="最多500字。")])
    result = TextAreaField("维修结果", validators=[DataRequired("请填写维修结果。"), Length(max=500, message="最多500字。")])
    outcome = SelectField("维修后", choices=[(IN_USE, "恢复在用"), (SCRAPPED, "报废")])


class PhotoForm(PageForm):
    photo = FileField("设备照片")
# --- end issue 25b ------------------------------------------------------------------------
