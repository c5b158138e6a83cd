"""Forms for the assessment pages: they parse what people type and say what is wrong in the reader's
language; the services decide what is allowed."""

from __future__ import annotations

import re
from decimal import Decimal

import yaml
from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from guatu.access import gateway
from guatu.accounts.models import Role
from guatu.assessment.computed import COMPUTED
from guatu.assessment.models import (
    VALUE,
    AppealOutcome,
    Category,
    ChecklistRow,
    Direction,
    Evidence,
    Frequency,
    HeadlineIndicator,
    HeadlineValue,
    ItemKind,
    PeerValue,
    SchemeKind,
    Source,
    ValueStatus,
)
from guatu.assessment.reference import TEXT_MAX_LENGTH
from guatu.lib import safe_yaml
from guatu.lib.money import parse_money, strip_zeros
from guatu.lib.periods import Period, PeriodError
from guatu.lib.scoring import SchemeError, scheme_from_dict
from guatu.lib.scoring.scheme import METHODS
from guatu.lib.text_files import TextFileError, decode_text
from guatu.orgs.models import Leader, OrgUnit
from guatu.web.forms import MonthField
from guatu.web.uploads import DOCUMENT_EXTENSIONS, check_upload, name_room

# Phones with a Chinese input method often type full-width digits and punctuation: １２３．５
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－。＋", "0123456789.,-.+")
MAX_PLACES = 4
MAX_YAML_BYTES = 512 * 1024
MAX_EVIDENCE_MB = 20


def check_evidence(upload):
    """Evidence (佐证材料) is checked like every upload: a document, scan or photo whose content is of the type
    its extension names, within the size, with a name that fits the column it is filed in."""
    if not upload:
        return upload
    return check_upload(
        upload,
        allowed=DOCUMENT_EXTENSIONS,
        max_mb=MAX_EVIDENCE_MB,
        max_name_length=name_room(Evidence._meta.get_field("file")),
    )


QUARTER_MONTHS = (3, 6, 9, 12)


def parse_number(text) -> Decimal | None:
    """What people type as a number (full-width digits, thousands separators) → Decimal, or None if blank."""
    if text is None:
        return None
    cleaned = str(text).translate(_FULL_WIDTH).replace(" ", "").lstrip("+")
    if not cleaned:
        return None
    number = parse_money(cleaned)  # ValueError on anything but a plain number
    return abs(number) if number == 0 else number  # no "-0"


class NumberField(forms.Field):
    """A plain decimal number that fits its column (by default an indicator value's: 18 digits, four of them
    decimal places); full-width digits are accepted."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "number"})

    def __init__(
        self,
        *,
        places: int = MAX_PLACES,
        max_digits: int = VALUE["max_digits"],
        min_value: Decimal | None = None,
        **kwargs,
    ):
        self.places, self.max_digits, self.min_value = places, max_digits, min_value
        super().__init__(**kwargs)

    def to_python(self, value):
        label = self.label or gettext("The number")
        try:
            number = parse_number(value)
        except ValueError:
            raise forms.ValidationError(
                gettext("%(field)s must be a number, such as 12.5 (you entered %(value)s).")
                % {"field": label, "value": value},
                code="invalid",
            ) from None
        if number is None:
            return None
        if number.as_tuple().exponent < -self.places:
            raise forms.ValidationError(
                gettext("%(field)s has at most %(n)s decimal places.") % {"field": label, "n": self.places},
                code="places",
            )
        whole_digits = self.max_digits - self.places
        if abs(number) >= Decimal(10) ** whole_digits:
            raise forms.ValidationError(
                gettext("%(field)s is too large: at most %(n)s digits before the decimal point.")
                % {"field": label, "n": whole_digits},
                code="max_digits",
            )
        if self.min_value is not None and number < self.min_value:
            raise forms.ValidationError(
                gettext("%(field)s cannot be less than %(min)s.") % {"field": label, "min": self.min_value},
                code="min_value",
            )
        return number

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(gettext("Enter %(field)s.") % {"field": self.label}, code="required")


def period_or_none(text: str | None) -> Period | None:
    try:
        return Period.parse(text or "")
    except PeriodError:
        return None


# ------------------------------------------------------------------------------------------ the library


class IndicatorFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", gettext("All categories")), *Category.choices]


class IndicatorForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("Letters, digits, - and _; used in scheme files. It cannot change later."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    measure = forms.CharField(label=_("Unit of measure"), max_length=30, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    data_source = forms.CharField(label=_("Data source"), max_length=100, required=False)
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=None, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    computed_key = forms.ChoiceField(label=_("Computed from"), required=False)

    def __init__(self, *args, units, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units
        self.fields["lead_unit"].label_from_instance = lambda unit: unit.display_name
        self.fields["lead_unit"].empty_label = gettext("(none)")
        self.fields["computed_key"].choices = [("", "—")] + [
            (k, label) for k, (label, _f) in COMPUTED.items()
        ]
        if editing:
            self.fields["code"].disabled = True
        for field in self.fields.values():
            field.error_messages["required"] = gettext("Enter %(field)s.") % {"field": field.label}

    def clean(self):
        data = super().clean()
        if data.get("source") == Source.COMPUTED and not data.get("computed_key"):
            self.add_error("computed_key", gettext("Choose what Guatu computes this indicator from."))
        return data


# ------------------------------------------------------------------------------------------- schemes

# The scheme library (guatu.lib.scoring.scheme) explains problems in English; these patterns give each
# message in the reader's language. A message none of them matches is shown as it is.
_KEY_NAMES = {
    "weight": _("weight"),
    "cap": _("cap"),
    "target": _("target"),
    "targets": _("targets per unit"),
    "worst": _("worst value"),
    "best": _("best value"),
    "step": _("points lost per place"),
    "floor": _("floor"),
    "deduct": _("points deducted per step"),
    "add": _("points added per step"),
    "per": _("size of a step"),
    "ceiling": _("most points"),
    "whole_steps": _("whole steps"),
    "basis": _("steps of"),
    "bands": _("bands"),
    "points": _("points"),
    "process": _("process weighting"),
    "groups": _("groups"),
    "min": _("minimum"),
    "quota": _("quota"),
}


_TOP_KEYS = {
    "scheme": _("the scheme"),
    "bonus_cap": _("bonus cap"),
    "penalty_cap": _("penalty cap"),
    "veto_effect": _("veto effect"),
    "decimals": _("decimal places"),
}


def _where(text: str) -> str:
    """`indicator tax.bands[0].points`, `grade 优秀.min`, `bonus_cap` → words."""
    if text in _TOP_KEYS:
        return str(_TOP_KEYS[text])
    match = re.match(r"^(indicator|grade) (.+?)((?:\.\w+(?:\[[^\]]*\])?)*)$", text)
    if not match:
        return text
    kind, name, path = match.groups()
    out = (gettext("indicator %(code)s") if kind == "indicator" else gettext("grade %(code)s")) % {
        "code": name
    }
    for key, index in re.findall(r"\.(\w+)(?:\[([^\]]*)\])?", path):
        out += " · " + str(_KEY_NAMES.get(key, key))
        if index:
            out += f"[{index}]"
    return out


_SCHEME_MESSAGES = [
    (
        r"^(?P<where>.+): expected a number, got (?P<value>.*)$",
        _("%(where)s: must be a number, not %(value)s."),
    ),
    (
        r"^(?P<where>.+): expected a finite number, got (?P<value>.*)$",
        _("%(where)s: must be a number, not %(value)s."),
    ),
    (r"^(?P<where>.+): unknown keys (?P<keys>.*)$", _("%(where)s: unknown keys %(keys)s.")),
    (
        r"^indicators: each indicator needs a code: (?P<value>.*)$",
        _("Each indicator needs a code: %(value)s."),
    ),
    (
        r"^(?P<where>.+): the codes bonus, penalty and veto are reserved$",
        _("%(where)s: the codes bonus, penalty and veto are reserved for bonus, penalty and veto items."),
    ),
    (
        r"^(?P<where>.+): method must be one of .*, not (?P<value>.*)$",
        _(
            "%(where)s: the method must be completion_rate, efficacy, rank, threshold or linear, not %(value)s."
        ),
    ),
    (
        r"^(?P<where>.+): direction must be higher or lower, not (?P<value>.*)$",
        _("%(where)s: the direction must be higher or lower, not %(value)s."),
    ),
    (r"^(?P<where>.+) must be positive$", _("%(where)s must be greater than 0.")),
    (
        r"^(?P<where>.+): a mapping of month → share.*$",
        _("%(where)s: give month: share pairs, such as {3: 0.15, 6: 0.25}."),
    ),
    (
        r"^(?P<where>.+): the rank method needs a step.*$",
        _("%(where)s: the rank method needs the points lost per place (0 or more)."),
    ),
    (
        r"^(?P<where>.+): floor must lie between 0 and the weight$",
        _("%(where)s: the floor must lie between 0 and the weight."),
    ),
    (
        r"^(?P<where>.+): the threshold method needs bands$",
        _("%(where)s: the threshold method needs at least one band."),
    ),
    (
        r"^(?P<where>.+): band points must lie between 0 and the weight (?P<value>.*)$",
        _("%(where)s: the points of every band must lie between 0 and the weight %(value)s."),
    ),
    (
        r"^(?P<where>.+): give both worst and best, or neither.*$",
        _("%(where)s: give both the worst and the best value, or neither (then the group's are used)."),
    ),
    (
        r"^(?P<where>.+): worst and best must differ$",
        _("%(where)s: the worst and the best value must differ."),
    ),
    (r"^(?P<where>.+): months are 1-12$", _("%(where)s: months are 1 to 12.")),
    (r"^(?P<where>.+): the shares must add up to 1$", _("%(where)s: the shares must add up to 100%%.")),
    (r"^(?P<where>.+): no such group (?P<value>.*)$", _("%(where)s: there is no group %(value)s.")),
    (
        r"^(?P<where>.+): bands give fewer points for a better value$",
        _("%(where)s: the bands give fewer points for a better value."),
    ),
    (
        r"^a scheme is a mapping$",
        _("A scheme is a mapping of keys (code, name, year, groups, indicators, grades)."),
    ),
    (r"^scheme: (?P<value>\w+) is required$", _("The scheme needs %(value)s.")),
    (r"^groups: unit (?P<value>.*) is in two groups$", _("Unit %(value)s is in two groups.")),
    (r"^groups: group codes must be unique$", _("Each group needs its own code.")),
    (r"^indicators: codes must be unique$", _("An indicator appears twice in the scheme.")),
    (
        r"^grades: list them best first.*$",
        _("List the grades best first; the last grade has no minimum (it takes the rest)."),
    ),
    (
        r"^grades: every grade but the last needs a min.*$",
        _("Every grade but the last needs a minimum score, falling from the first to the last."),
    ),
    (
        r"^(?P<where>.+): quota is a share between 0 and 1$",
        _("%(where)s: the quota is a share between 0 and 1 (0.3 = 30%%)."),
    ),
    (
        r"^veto_effect must be not_top or lowest, not (?P<value>.*)$",
        _("The veto effect must be not_top or lowest, not %(value)s."),
    ),
    (r"^tie_break: no indicator (?P<value>.*)$", _("Tie break: the scheme has no indicator %(value)s.")),
    (
        r"^malformed scheme: (?P<problem>.*)$",
        _("The scheme is not in the documented form (%(problem)s). Compare it with the example."),
    ),
]
_SCHEME_PATTERNS = [(re.compile(pattern), message) for pattern, message in _SCHEME_MESSAGES]


def scheme_error_text(message: str) -> str:
    for pattern, text in _SCHEME_PATTERNS:
        match = pattern.match(message)
        if match:
            parts = match.groupdict()
            if "where" in parts:
                parts["where"] = _where(parts["where"])
            return str(text) % parts
    return message


def check_scheme(data) -> dict:
    """The library's own check of a scheme mapping, its complaints in the reader's language."""
    try:
        scheme_from_dict(data)
    except SchemeError as exc:
        raise forms.ValidationError(scheme_error_text(str(exc))) from None
    return data


def parse_scheme_yaml(text: str) -> dict:
    try:
        data = safe_yaml.load(text, max_bytes=MAX_YAML_BYTES)
    except safe_yaml.SafeYamlError as exc:  # anchors, aliases, size, depth: says what and where
        raise forms.ValidationError(str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            raise forms.ValidationError(
                gettext(
                    "The YAML is not well formed near line %(line)s, column %(column)s (check the "
                    "indentation, colons and quotes): %(problem)s"
                )
                % {"line": mark.line + 1, "column": mark.column + 1, "problem": getattr(exc, "problem", "")}
            ) from None
        raise forms.ValidationError(gettext("The YAML is not well formed.")) from None
    if not isinstance(data, dict):
        raise forms.ValidationError(gettext("The file must hold a scheme mapping."))
    return check_scheme(data)


class SchemeYamlForm(forms.Form):
    """The whole scheme as the documented YAML (docs/assessment.md)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=SchemeKind.choices)
    text = forms.CharField(
        label=_("Scheme (YAML)"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"}),
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = gettext("Write the scheme.")

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        self.definition = parse_scheme_yaml(text)
        return text


class SchemeImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SchemeKind.choices)
    file = forms.FileField(label=_("Scheme file (.yaml)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages["required"] = gettext("Choose a .yaml file.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".yaml", ".yml")):
            raise forms.ValidationError(gettext("Choose a .yaml file."))
        if upload.size > MAX_YAML_BYTES:
            raise forms.ValidationError(gettext("The file is too large for a scheme (at most 512 KB)."))
        try:
            self.text = decode_text(upload.read())
        except TextFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        self.definition = parse_scheme_yaml(self.text)
        return upload


def _shown(value) -> str:
    return strip_zeros(Decimal(str(value)))


def _number_out(value: Decimal | None):
    """Decimals into the scheme mapping as YAML/JSON numbers: int when whole, else float (exact via str)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


LINEAR_NUMBERS = ("deduct", "add", "per", "floor", "ceiling")
# The scheme library's checks of the linear method say `指标 <code> 的 <key>：<what is wrong>`, some with a
# YAML example (`，如 deduct: 0.5`) that means nothing on the form.
_ROW_KEY_MESSAGE = re.compile(r"^指标 (?P<code>\S+) 的 (?P<key>\w+)：(?P<text>.*)$")
_YAML_EXAMPLE = re.compile(r"，如 \w+: .*$")


class SchemeIndicatorForm(forms.Form):
    """One indicator row of a scheme, field by field; the result replaces the row in the definition."""

    code = forms.ChoiceField(label=_("Indicator"))
    weight = NumberField(label=_("Weight (points)"), min_value=Decimal(0))
    method = forms.ChoiceField(label=_("Scoring method"))
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    target = NumberField(label=_("Target"), required=False)
    cap = NumberField(
        label=_("Cap on the completion ratio"),
        required=False,
        min_value=Decimal(0),
        help_text=_("1 = no extra points above the target; 1.2 = up to 120%."),
    )
    worst = NumberField(label=_("Worst value (不允许值)"), required=False)
    best = NumberField(label=_("Best value (满意值)"), required=False)
    step = NumberField(label=_("Points lost per place"), required=False, min_value=Decimal(0))
    floor = NumberField(label=_("Least points"), required=False, min_value=Decimal(0))
    deduct = NumberField(label=_("Points deducted per step worse"), required=False, min_value=Decimal(0))
    add = NumberField(
        label=_("Points added per step better"),
        required=False,
        min_value=Decimal(0),
        help_text=_("Empty or 0: no points above full marks."),
    )
    per = NumberField(
        label=_("Size of a step"),
        required=False,
        help_text=_("Empty: 1 (one percentage point, one case)."),
    )
    ceiling = NumberField(
        label=_("Most points"),
        required=False,
        help_text=_("Empty: the weight. At most twice the weight."),
    )
    basis = forms.ChoiceField(
        label=_("Steps counted on"),
        required=False,
        choices=[
            ("value", _("the value itself (a rate in %, a number of cases)")),
            ("completion_rate", _("percentage points of the completion rate (value ÷ target)")),
        ],
    )
    whole_steps = forms.BooleanField(
        label=_("A part of a step counts as a whole step (不足1个百分点按1个百分点计)"), required=False
    )
    groups = forms.MultipleChoiceField(
        label=_("Applies to groups"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every group."),
    )
    not_applicable = forms.MultipleChoiceField(
        label=_("Not applicable for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their score is rescaled to the full weight without this indicator."),
    )
    BANDS = 6

    def __init__(self, *args, scheme_definition: dict, library, editing: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = scheme_definition
        self.editing = editing
        used = {i["code"] for i in scheme_definition["indicators"]} - {editing}
        self.fields["code"].choices = [
            (ind.code, f"{ind.code} · {ind.name}") for ind in library if ind.code not in used
        ]
        if editing:
            self.fields["code"].disabled = True
        labels = {
            "completion_rate": gettext("Completion-rate method"),
            "efficacy": gettext("Efficacy coefficient"),
            "rank": gettext("Rank method"),
            "threshold": gettext("Threshold table"),
            "linear": gettext("Linear deduction and addition"),
        }
        self.fields["method"].choices = [(m, labels[m]) for m in METHODS if m in labels]
        groups = scheme_definition["groups"]
        self.fields["groups"].choices = [(g["code"], g.get("name", g["code"])) for g in groups]
        self.units = [u for g in groups for u in g.get("units") or []]
        self.fields["not_applicable"].choices = [(u, u) for u in self.units]
        for month in QUARTER_MONTHS:
            self.fields[f"process_{month}"] = NumberField(
                label=PROCESS_LABELS[month], required=False, min_value=Decimal(0), places=2
            )
        for i in range(self.BANDS):
            for key, label in (("min", _("from")), ("max", _("to")), ("points", _("points"))):
                self.fields[f"band_{i}_{key}"] = NumberField(label=label, required=False)
        for unit in self.units:
            self.fields[f"target_{unit}"] = NumberField(label=unit, required=False)
        for field in self.fields.values():
            field.error_messages["required"] = gettext("Enter %(field)s.") % {"field": field.label}

    # The fields grouped as the template lays them out.
    def process_fields(self):
        return [self[f"process_{m}"] for m in QUARTER_MONTHS]

    def band_rows(self):
        return [[self[f"band_{i}_{k}"] for k in ("min", "max", "points")] for i in range(self.BANDS)]

    def target_fields(self):
        return [self[f"target_{unit}"] for unit in self.units]

    def has_unit_targets(self) -> bool:
        return any(field.value() not in (None, "") for field in self.target_fields())

    @classmethod
    def initial_from(cls, row: dict) -> dict:
        """Form values from a definition row (what the scheme stores)."""
        initial = {
            key: row.get(key)
            for key in ("code", "weight", "method", "target", "cap", "worst", "best", "step", *LINEAR_NUMBERS)
        }
        initial["basis"] = row.get("basis", "value")
        initial["whole_steps"] = bool(row.get("whole_steps"))
        initial["direction"] = row.get("direction", "higher")
        initial["groups"] = list(row.get("groups") or [])
        initial["not_applicable"] = list(row.get("not_applicable") or [])
        for month, share in (row.get("process") or {}).items():
            initial[f"process_{int(month)}"] = Decimal(str(share)) * 100
        for i, band in enumerate((row.get("bands") or [])[: cls.BANDS]):
            for key in ("min", "max", "points"):
                initial[f"band_{i}_{key}"] = band.get(key)
        for unit, target in (row.get("targets") or {}).items():
            initial[f"target_{unit}"] = target
        return {
            k: (_shown(v) if isinstance(v, int | float | Decimal) and not isinstance(v, bool) else v)
            for k, v in initial.items()
        }

    def has_other_process_months(self, row: dict | None) -> bool:
        return bool(row) and any(int(m) not in QUARTER_MONTHS for m in (row.get("process") or {}))

    def clean(self):
        data = super().clean()
        method = data.get("method")
        if method in ("completion_rate", "linear") and data.get("target") is None:
            if not any(data.get(f"target_{u}") is not None for u in self.units):
                self.add_error(
                    "target",
                    gettext("The completion-rate method needs a target.")
                    if method == "completion_rate"
                    else gettext("The linear method needs a target (full marks are given at the target)."),
                )
        if method == "rank" and data.get("step") is None:
            self.add_error("step", gettext("The rank method needs the points lost per place."))
        if method == "efficacy" and (data.get("worst") is None) != (data.get("best") is None):
            self.add_error("best", gettext("Give both the worst and the best value, or neither."))
        bands = []
        for i in range(self.BANDS):
            low, high, points = (data.get(f"band_{i}_{k}") for k in ("min", "max", "points"))
            if low is None and high is None and points is None:
                continue
            if points is None:
                self.add_error(f"band_{i}_points", gettext("Band %(n)s needs its points.") % {"n": i + 1})
                continue
            bands.append({"min": low, "max": high, "points": points})
        if method == "threshold" and not bands:
            self.add_error(None, gettext("The threshold method needs at least one band."))
        self.bands = bands
        shares = {m: data.get(f"process_{m}") for m in QUARTER_MONTHS if data.get(f"process_{m}") is not None}
        if shares and sum(shares.values(), Decimal(0)) != 100:
            self.add_error(
                None,
                gettext("The process shares must add up to 100%% (they add up to %(sum)s%%).")
                % {"sum": sum(shares.values(), Decimal(0))},
            )
        self.shares = shares
        return data

    def add_scheme_error(self, message: str) -> None:
        """The scheme library's complaint about this row, at the field it names when the form has it
        (`指标 tax 的 deduct：…` → under 每步扣分), else above the form."""
        match = _ROW_KEY_MESSAGE.match(message)
        code = self.editing or self.cleaned_data.get("code")
        if match and match["key"] in self.fields and match["code"] == code:
            self.add_error(match["key"], _YAML_EXAMPLE.sub("", match["text"]))
        else:
            self.add_error(None, scheme_error_text(message))

    def row(self, previous: dict | None) -> dict:
        """The definition row; keys this form does not edit (name, category, unit, other months) are kept."""
        data = self.cleaned_data
        code = self.editing or data["code"]
        row = {k: v for k, v in (previous or {}).items() if k in ("name", "category", "unit")}
        row.update({"code": code, "weight": _number_out(data["weight"]), "method": data["method"]})
        if data["direction"] != "higher":
            row["direction"] = data["direction"]
        # Only the settings of the chosen method are kept: a row reads as what it computes.
        for key in METHOD_KEYS[data["method"]]:
            if data.get(key) is not None:
                row[key] = _number_out(data[key])
        targets = {
            u: _number_out(data[f"target_{u}"]) for u in self.units if data.get(f"target_{u}") is not None
        }
        if targets and data["method"] in ("completion_rate", "linear"):
            row["targets"] = targets
        if data["method"] == "linear":
            if data.get("basis") not in (None, "", "value"):
                row["basis"] = data["basis"]
            if data.get("whole_steps"):
                row["whole_steps"] = True
        if self.bands and data["method"] == "threshold":
            row["bands"] = [
                {k: _number_out(v) for k, v in band.items() if v is not None} for band in self.bands
            ]
        if self.has_other_process_months(previous):
            row["process"] = previous["process"]
        elif self.shares:
            row["process"] = {m: _number_out(share / 100) for m, share in self.shares.items()}
        if data["groups"]:
            row["groups"] = list(data["groups"])
        if data["not_applicable"]:
            row["not_applicable"] = list(data["not_applicable"])
        return row


METHOD_KEYS = {
    "completion_rate": ("target", "cap"),
    "efficacy": ("worst", "best"),
    "rank": ("step", "floor"),
    "threshold": (),
    "linear": ("target", *LINEAR_NUMBERS),
}
PROCESS_LABELS = {
    3: _("Q1 share (%)"),
    6: _("H1 share (%)"),
    9: _("Q1-3 share (%)"),
    12: _("Year share (%)"),
}


# ---------------------------------------------------------------------------------------- entered values


class ValueRowForm(forms.Form):
    """One unit's row of the value grid: the value or 'not applicable', a target, a note, evidence."""

    value = NumberField(label=pgettext_lazy("assessment", "Value"), required=False)
    not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
    target = NumberField(label=_("Target"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    evidence = forms.FileField(label=_("Evidence"), required=False)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, unit_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_name = unit_name
        for name in ("value", "target"):
            self.fields[name].label = f"{unit_name} · {self.fields[name].label}"
        self.fields["evidence"].error_messages["invalid"] = gettext(
            "The evidence upload failed; choose the file again."
        )

    def clean_evidence(self):
        return check_evidence(self.cleaned_data.get("evidence"))

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return (
            data.get("value") is None
            and not data.get("not_applicable")
            and data.get("target") is None
            and not data.get("note")
            and not data.get("evidence")
        )

    def clean(self):
        data = super().clean()
        if self.errors or self.is_blank():
            return data
        if data.get("value") is None and not data.get("not_applicable"):
            self.add_error(
                "value",
                gettext("%(unit)s: enter a value, or tick not applicable.") % {"unit": self.unit_name},
            )
        if data.get("value") is not None and data.get("not_applicable"):
            self.add_error(
                "value",
                gettext("%(unit)s: a value marked not applicable must be left empty.")
                % {"unit": self.unit_name},
            )
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), strip=True)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, what: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = gettext("Give a reason for %(what)s.") % {
            "what": what
        }


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Evidence file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages["required"] = gettext("Choose a file.")

    def clean_file(self):
        return check_evidence(self.cleaned_data["file"])


class PeriodForm(forms.Form):
    """A period picker (YYYY-MM); an invalid value is reported and the default used."""

    period = MonthField(
        label=_("Month"),
        required=False,
    )


class QueueFilterForm(PeriodForm):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s, label) for s, label in ValueStatus.choices if s != ValueStatus.DRAFT
        ]
        self.fields["status"].error_messages["invalid_choice"] = gettext("Pick a status from the list.")


# ------------------------------------------------------------------------------------ items, appeals


class ItemForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    points = NumberField(label=_("Points"), min_value=Decimal(0), places=2, max_digits=8, required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), strip=True)

    def __init__(self, *args, units: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.fields["unit"].choices = [("", "—")] + [(str(u.pk), u.name) for u in units]
        self.fields["unit"].error_messages["required"] = gettext("Choose the unit.")
        self.fields["unit"].error_messages["invalid_choice"] = gettext("Choose a unit of this scheme.")
        self.fields["reason"].error_messages["required"] = gettext(
            "Give the reason (the commendation, the notice, the incident)."
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == ItemKind.VETO:
            data["points"] = Decimal(1)
        elif data.get("kind") and data.get("points") is None and "points" not in self.errors:
            self.add_error("points", gettext("Enter the points."))
        if data.get("unit"):
            data["unit"] = self.units[data["unit"]]
        return data


class AppealForm(forms.Form):
    indicator_code = forms.ChoiceField(label=_("Indicator"))
    reason = forms.CharField(
        label=_("Reason for the appeal"), widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )

    def __init__(self, *args, indicators: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator_code"].choices = indicators
        self.fields["indicator_code"].error_messages["invalid_choice"] = gettext(
            "No such indicator in this scheme."
        )
        self.fields["reason"].error_messages["required"] = gettext("Give the reason for the appeal.")


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AppealOutcome.choices, widget=forms.RadioSelect)
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}), strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose = gettext("Choose the outcome: upheld, partly upheld or rejected.")
        self.fields["outcome"].error_messages.update(required=choose, invalid_choice=choose)
        self.fields["answer"].error_messages["required"] = gettext("Write the answer.")


class HeadlineForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2999)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)]
    )


# --- assessment reference data: the checklist, peer counties' values, the ten headline indicators


class ReferenceForm(forms.ModelForm):
    """A reference row as entered; `version` is the one the page showed (the service refuses a stale one)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, county, user, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.update(rows=2, maxlength=TEXT_MAX_LENGTH)
        self.limit(county, user)

    def limit(self, county, user) -> None:
        """Narrow the choices to the county's rows and what the user may enter."""

    def _post_clean(self):
        # The service checks the row (bounds, duplicates in the county, permission) and names it in its
        # messages; the model's own checks would repeat them without the county.
        pass


def _units_of(county, user):
    units = OrgUnit.objects.subtree(county) if county is not None else OrgUnit.objects.none()
    if user.role == Role.REPORTER:
        units = units.filter(pk=user.org_unit_id)
    return units


def _indicators_for(user):
    indicators = gateway.visible_indicators(user).order_by("category", "code")
    if user.role == Role.REPORTER:
        indicators = indicators.filter(lead_unit_id=user.org_unit_id)
    return indicators


class ChecklistEntryForm(ReferenceForm):
    class Meta:
        model = ChecklistRow
        fields = [
            "year",
            "indicator",
            "prefecture_weight",
            "target",
            "prefecture_rule",
            "lead_unit",
            "responsible_leader",
            "support_units",
            "expected_points",
            "gap_analysis",
            "measures",
        ]

    def limit(self, county, user) -> None:
        self.fields["indicator"].queryset = _indicators_for(user)
        self.fields["lead_unit"].queryset = _units_of(county, user)
        in_county = OrgUnit.objects.subtree(county) if county is not None else OrgUnit.objects.none()
        self.fields["support_units"].queryset = in_county
        self.fields["responsible_leader"].queryset = Leader.objects.filter(org_unit__in=in_county)


class PeerEntryForm(ReferenceForm):
    class Meta:
        model = PeerValue
        fields = ["indicator", "year", "month", "peer", "is_self", "value"]

    def limit(self, county, user) -> None:
        self.fields["indicator"].queryset = _indicators_for(user)


class HeadlineEntryForm(ReferenceForm):
    class Meta:
        model = HeadlineIndicator
        fields = ["year", "position", "name", "measure", "direction", "target"]


class HeadlineQuarterEntryForm(ReferenceForm):
    class Meta:
        model = HeadlineValue
        fields = [
            "indicator",
            "quarter",
            "actual",
            "growth",
            "prefecture_average",
            "peer_rank",
            "quarter_target",
        ]

    def limit(self, county, user) -> None:
        self.fields["indicator"].queryset = gateway.visible_headlines(user).order_by("-year", "position")
