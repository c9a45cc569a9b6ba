from wtforms import (BooleanField, FloatField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.checklists.fields import KINDS, MAX_ABS, NUMERIC
from app.checklists.schedule import KIND_LABELS, WEEKDAY_LABELS
from app.forms import PageForm
from app.handbook.forms import MultiCheckboxField


class ItemForm(PageForm):
    title = StringField("点检内容", validators=[DataRequired("请填写点检内容。"), Length(max=200, message="最多200字。")])
    duty_id = SelectField("来自岗位职责", coerce=int)
    kind = SelectField("周期", choices=list(KIND_LABELS.items()))
    weekday = SelectField("每周的哪一天", coerce=int, choices=list(enumerate(WEEKDAY_LABELS)))
    month_day = IntegerField("每月几日前", validators=[Optional(), NumberRange(1, 31, "日期应在1到31之间。")])
    month_end = BooleanField("月末（每月最后一天）")
    month = IntegerField("每年几月", validators=[Optional(), NumberRange(1, 12, "月份应在1到12之间。")])
    day = IntegerField("几日前", validators=[Optional(), NumberRange(1, 31, "日期应在1到31之间。")])
    due_mode = RadioField("截止时间", choices=[("none", "当天内"), ("time", "指定时间前"), ("end_of_workday", "下班前")],
                          default="none")
    due_time = TimeField("时间", validators=[Optional()], format="%H:%M")
    working_days = MultiCheckboxField("工作日（截止日不是工作日时，提前到本周期内最近的工作日）", coerce=int,
                                      choices=list(enumerate(WEEKDAY_LABELS)))
    target = RadioField("点检对象", choices=[("position", "岗位一次（任一在岗人员完成即可，如每日报表）"),
                                             ("holder", "每位在岗人员各一次（如各自工位5S、本人工具班前检查）"),
                                             ("equipment", "每台设备各一次（如每台举升机的班前检查；只计在用设备）")],
                        default="position")
    # an item for each piece of equipment: which equipment (choices from targets.scope_choices)
    equipment_category = SelectField("设备类别", choices=[], validate_choice=False)
    equipment_location = StringField("设备位置（可选，留空为该类别全部）",
                                     validators=[Optional(), Length(max=60, message="最多60字。")])
    active = BooleanField("启用", default=True)

    def __init__(self, *args, duty_choices=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.duty_id.choices = [(0, "（不关联）")] + list(duty_choices)
        self.equipment_category.choices = [("", "（请选择）")] + [(c, c) for c in categories]

    def fill_new(self, duty_id: int | None = None) -> None:
        """A new item: every day a working day, linked to `duty_id` when it came from one."""
        self.working_days.data = list(range(7))
        self.duty_id.data = duty_id or 0

    def fill_from(self, item) -> None:
        """Show a stored item: the fields whose stored form differs from the form's (no duty
        is 0, working days a string of digits, the due mode two columns, no weekday 0, the
        equipment's category and location one JSON scope); items.apply_form is the way back."""
        self.equipment_category.data = item.scope.get("category", "")
        self.equipment_location.data = item.scope.get("location", "")
        self.duty_id.data = item.duty_id or 0
        self.working_days.data = [int(c) for c in item.working_days]
        self.due_mode.data = "time" if item.due_time else ("end_of_workday" if item.end_of_workday else "none")
        self.weekday.data = item.weekday or 0
        self.day.data = item.day
        self.target.data = item.target

    def validate(self, extra_validators=None):
        """Field checks, then the checks that depend on the chosen kind and due mode."""
        ok = super().validate(extra_validators)
        needs = []
        if self.kind.data == "monthly" and not self.month_end.data and self.month_day.data is None:
            needs.append((self.month_day, "请填写每月的截止日，或勾选“月末”。"))
        if self.kind.data == "yearly" and self.month.data is None:
            needs.append((self.month, "请填写月份。"))
        if self.kind.data == "yearly" and self.day.data is None:
            needs.append((self.day, "请填写日期。"))
        if self.due_mode.data == "time" and self.due_time.data is None and not self.due_time.errors:
            needs.append((self.due_time, "请填写截止时间，如 16:30。"))
        if not self.working_days.data:
            needs.append((self.working_days, "至少选择一个工作日。"))
        if self.target.data == "equipment" and self.equipment_category.data not in [
                c for c, _ in self.equipment_category.choices if c]:
            needs.append((self.equipment_category, "每台设备各一次的项目请选择设备类别。"))
        for field, message in needs:
            field.errors = list(field.errors) + [message]
        return ok and not needs


class TickForm(PageForm):
    note = StringField("备注", validators=[Length(max=200, message="备注最多200字。")])


class FieldForm(PageForm):
    """What an item asks for when it is ticked (回厂率 %, 照片, 会议纪要 …)."""
    label = StringField("名称", validators=[DataRequired("请填写字段名称，如“回厂率”。"), Length(max=40, message="最多40字。")])
    kind = SelectField("类型", choices=[])
    unit = StringField("单位", validators=[Optional(), Length(max=10, message="单位最多10字。")])
    decimals = IntegerField("小数位数", default=0, validators=[Optional(), NumberRange(0, 4, "小数位数应在0到4之间。")])
    min_value = FloatField("最小值", validators=[Optional()])
    max_value = FloatField("最大值", validators=[Optional()])
    target = FloatField("目标值", validators=[Optional()])
    target_dir = SelectField("目标方向", choices=[("ge", "不低于目标（≥）"), ("le", "不高于目标（≤）")], default="ge")
    choices = TextAreaField("选项（每行一个）", validators=[Length(max=500, message="选项合计最多500字。")])
    required = BooleanField("必填")
    fault_on_no = BooleanField("回答“否”即为故障（是/否类型：点检时答“否”可直接报修）")
    active = BooleanField("启用", default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = list(KINDS.items())

    def fill_from(self, field) -> None:
        """Show a stored field: its options one per line (obj= maps the rest by name)."""
        self.choices.data = field.choices

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        problems = []
        numeric = self.kind.data in NUMERIC
        for f in (self.min_value, self.max_value, self.target):
            if f.data is not None and (f.data != f.data or abs(f.data) > MAX_ABS):
                problems.append((f, "数值无效。"))
        if numeric and self.min_value.data is not None and self.max_value.data is not None \
                and self.min_value.data > self.max_value.data:
            problems.append((self.max_value, "最大值不能小于最小值。"))
        target, low, high = self.target.data, self.min_value.data, self.max_value.data
        if numeric and target is not None and ((low is not None and target < low) or
                                               (high is not None and target > high)):
            # a target outside the allowed range is met by every value or by none
            problems.append((self.target, "目标值应在最小值与最大值之间，否则每个数值都达标或都不达标。"))
        if not numeric and any(f.data is not None for f in (self.min_value, self.max_value, self.target)):
            problems.append((self.kind, "只有“数值”和“计数”字段可以设置范围和目标。"))
        if self.kind.data == "choice":
            options = [c.strip() for c in (self.choices.data or "").splitlines() if c.strip()]
            if len(options) < 2:
                problems.append((self.choices, "“选项”字段至少需要两个选项，每行一个。"))
            elif len(set(options)) != len(options):
                problems.append((self.choices, "选项不能重复。"))
        for field, message in problems:
            field.errors = list(field.errors) + [message]
        return ok and not problems
