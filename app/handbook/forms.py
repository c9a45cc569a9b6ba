from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import PageForm
from app.org.models import ordered_positions

MAX_DUTY = 1000  # characters of one duty: a page of the printed form at most


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DutyRowForm(Form):
    """One duty row of the editor; blank spare rows are ignored."""

    class Meta:
        locales = ("zh",)  # WTForms' messages in Chinese, as app.forms.PageForm

    id = HiddenField()
    text = TextAreaField("职责内容", validators=[Length(max=MAX_DUTY, message=f"每条职责最多{MAX_DUTY}字。")],
                         render_kw={"rows": 2, "maxlength": MAX_DUTY})
    sub = BooleanField("子项")
    order = IntegerField("序号", validators=[Optional()])
    remove = BooleanField("删除")


class PositionEditForm(PageForm):
    title = StringField("岗位名称", validators=[Length(max=60, message="岗位名称最多60字。")], render_kw={"maxlength": 60})
    department = StringField("所属部门", validators=[Length(max=60, message="所属部门最多60字。")],
                             render_kw={"maxlength": 60})
    is_external = BooleanField("部门外岗位（如总经理、董事长）")
    superior_ids = MultiCheckboxField("直属上级", coerce=int)
    subordinate_ids = MultiCheckboxField("直属下级", coerce=int)
    duties = FieldList(FormField(DutyRowForm), min_entries=0)
    note = StringField("修订说明", validators=[Length(max=200, message="修订说明最多200字。")])
    wording_only = BooleanField("仅文字修改（标点、错别字等，职责内容不变）")
    base_revision = HiddenField()
    # "1" when the rows were filled from the position's reference draft (参考草稿).
    from_draft = HiddenField()

    def __init__(self, *args, position=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(p.id, p.title) for p in ordered_positions() if position is None or p.id != position.id]
        self.superior_ids.choices = choices
        self.subordinate_ids.choices = choices


class GlossaryForm(PageForm):
    term = StringField("术语", validators=[DataRequired("请填写术语。"), Length(max=60, message="术语最多60字。")])
    aliases = StringField("其他写法", description="用“|”或逗号分隔，如：TACT系统|TACT工单",
                          validators=[Length(max=200, message="其他写法合计最多200字。")], render_kw={"maxlength": 200})
    explanation = TextAreaField("解释", validators=[DataRequired("请填写解释。"), Length(max=1000, message="解释最多1000字。")],
                                render_kw={"rows": 4, "maxlength": 1000})
    active = BooleanField("启用", default=True)

    def fill_from(self, term) -> None:
        """Show a stored term: its other spellings as typed, comma-separated (stored with |)."""
        self.aliases.data = term.aliases.replace("|", "，") if term.aliases else ""


class AdoptDraftForm(PageForm):
    base_revision = HiddenField()


class ConfirmForm(PageForm):
    revision = HiddenField(validators=[DataRequired()])
