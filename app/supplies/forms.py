from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.forms import PageForm

UNITS = ["件", "套", "双", "副", "只", "个", "盒", "包", "瓶", "支", "本", "卷", "张", "箱", "米", "千克", "升"]


class ItemForm(PageForm):
    name = StringField("物品名称", validators=[DataRequired("请填写物品名称。"), Length(max=60, message="最多60字。")])
    spec = StringField("规格", validators=[Optional(), Length(max=60, message="最多60字。")])
    category_id = SelectField("类别", coerce=int)
    unit = StringField("单位", validators=[DataRequired("请填写单位。"), Length(max=10, message="最多10字。")],
                       render_kw={"list": "units"})
    decimals = IntegerField("允许的小数位", default=0, validators=[NumberRange(0, 3, "应为0到3。")])
    min_stock = StringField("最低库存", default="0")
    size_kind = SelectField("尺码", choices=[("", "不分尺码"), ("clothing", "按服装尺码（规格填尺码，如 XL）"),
                                           ("shoe", "按鞋码（规格填鞋码，如 42码）")], default="")
    active = BooleanField("启用", default=True)

    def validate_size_kind(self, field):
        if field.data and not (self.spec.data or "").strip():
            raise ValidationError("按尺码区分的物品，规格请填写尺码（如 XL、42码）。")


class SimpleForm(PageForm):
    """CSRF only: the free text fields are checked by the ledger rules, which say beside
    the field what is too long (a bare 400 did before)."""
