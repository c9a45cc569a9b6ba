from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.forms import PageForm
from app.org.models import ordered_positions


class PositionForm(PageForm):
    title = StringField("岗位名称", validators=[DataRequired("请填写岗位名称。"), Length(max=60, message="岗位名称最多60字。")])
    department = StringField("所属部门", default="售后服务部", validators=[DataRequired("请填写所属部门。"), Length(max=60)])
    is_external = BooleanField("部门外岗位（如总经理、董事长）")


class LineForm(PageForm):
    superior_id = SelectField("直属上级", coerce=int)
    subordinate_id = SelectField("直属下级", coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.id, p.title) for p in ordered_positions()]
        self.superior_id.choices = choices
        self.subordinate_id.choices = choices
