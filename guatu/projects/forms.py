from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from guatu.access import gateway
from guatu.lib.periods import Period
from guatu.orgs.models import Leader, OrgUnit
from guatu.orgs.services import find_unit_by_name
from guatu.projects.models import Category, IndustryChain, LevelTag, Project, Stage, Tier
from guatu.projects.queries import ProjectFilters
from guatu.projects.services import (
    MAX_AMOUNT,
    PROJECT_FIELDS,
    SCOPE_MAX_LENGTH,
    TASK_FORCE_LIMITS,
    YEARS,
    ProjectInput,
    TaskForceInput,
    project_input,
)
from guatu.web.forms import MonthField
from guatu.web.lookups import LookupField, LookupForm

ALL = _("All")


def _with_all(choices):
    return [("", ALL), *choices]


def _unit_choices(units):
    top = min((unit.depth for unit in units), default=0)
    return [(str(unit.pk), "\u3000" * (unit.depth - top) + unit.display_name) for unit in units]


class ProjectFilterForm(LookupForm):
    """The library's filters. Units, chains and leaders are picked by name from what the reader may see
    (guatu.web.lookups), so an id from elsewhere is refused; the short fixed lists stay selects."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    tag = forms.ChoiceField(label=_("Level tag"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=_with_all(Stage.choices))
    location = LookupField("library-units", label=_("Location"), placeholder=_("All"))
    chain = LookupField("chains", label=_("Industry chain"), placeholder=_("All"))
    lead = LookupField("library-units", label=_("Lead unit"), placeholder=_("All"))
    leader = LookupField("leaders", label=_("Responsible leader"), placeholder=_("All"))
    tier = forms.ChoiceField(label=_("Library tier"), required=False, choices=_with_all(Tier.choices))
    period = MonthField(
        label=_("Month"),
        required=False,
    )

    def __init__(self, data, *, user, tags: list[LevelTag]):
        super().__init__(data, user=user)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": gettext("Name, code or owner"), "autocomplete": "off"}
        )
        self.fields["tag"].choices = _with_all([(tag.code, tag.name) for tag in tags])

    def filters(self) -> ProjectFilters:
        """The valid filters; an invalid one is left out (its error is shown next to it)."""
        self.is_valid()
        data = self.cleaned_data

        def get(name):
            return data.get(name) or ""

        chain, leader = data.get("chain"), data.get("leader")
        return ProjectFilters(
            tag=get("tag"),
            stage=get("stage"),
            tier=get("tier"),
            location=data.get("location"),
            lead=data.get("lead"),
            chain_id=chain.pk if chain else None,
            leader_id=leader.pk if leader else None,
            q=get("q"),
        )

    def selected_period(self) -> Period | None:
        self.is_valid()
        return self.cleaned_data.get("period")


# --- library maintenance: a project's form, and the reasoned steps on its stage --------------------------------


def _blank_choice(choices):
    return [("", "—"), *choices]


@dataclass(frozen=True)


class EditChoices:
    """What a maintainer may choose, read once (the gateway's units, leaders and chains of the jurisdiction)."""

    units: list[OrgUnit]
    leaders: list[Leader]
    chains: list[IndustryChain]
    tags: list[LevelTag]
    root: OrgUnit | None  # the jurisdiction support unit names are looked up in; None: the whole tree

    @classmethod
    def for_user(cls, user, project: Project | None = None) -> "EditChoices":
        """Open units and leaders in post; editing a project, also the ones it has, should a unit have closed or
        a post ended since (the project keeps them until someone changes them)."""
        units = list(gateway.library_units(user).order_by("path"))
        leaders = list(gateway.library_leaders(user).order_by("sort_order", "id"))
        if project is not None:
            have = {unit.pk for unit in units}
            kept = {project.location_unit_id, project.lead_unit_id} | {
                link.unit_id for link in project.support_links.all()
            }
            if kept - have:
                units = sorted([*units, *OrgUnit.objects.filter(pk__in=kept - have)], key=lambda unit: unit.path)
            if project.responsible_leader_id and project.responsible_leader_id not in {x.pk for x in leaders}:
                leaders.append(Leader.objects.get(pk=project.responsible_leader_id))
        return cls(
            units=units,
            leaders=leaders,
            chains=list(gateway.library_chains(user).order_by("id")),
            tags=list(LevelTag.objects.order_by("sort_order", "id")),
            root=gateway.library_root(user),
        )


class TaskForceRowForm(forms.Form):
    """One member of the task force (工作专班); a row left blank is no member."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), required=False, max_length=TASK_FORCE_LIMITS["name"])
    duty = forms.CharField(label=_("Duty"), required=False, max_length=TASK_FORCE_LIMITS["duty"])
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=TASK_FORCE_LIMITS["phone"])

    def __init__(self, *args, unit_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = _blank_choice(unit_choices)

    def clean(self):
        data = super().clean()
        if any(data.get(name) for name in ("duty", "unit", "phone")) and not data.get("name"):
            self.add_error("name", gettext("Give the member's name, or clear the row."))
        return data


TASK_FORCE_ROWS_MAX = 30
SUPPORT_UNITS_MAX = 30
TaskForceFormSet = forms.formset_factory(
    TaskForceRowForm, extra=3, max_num=TASK_FORCE_ROWS_MAX, validate_max=True, absolute_max=TASK_FORCE_ROWS_MAX
)


class ProjectForm(forms.Form):
    """Every field of a project with its "five ones". Choices come from the maintainer's jurisdiction, so an id
    from another county is an invalid choice; support units are typed one per line, by name or short name."""

    code = forms.CharField(
        label=_("Project code"),
        required=False,
        max_length=Project._meta.get_field("code").max_length,
        help_text=_("National investment-project code, like 2022-431381-44-01-000001; leave empty if none yet."),
    )
    name = forms.CharField(label=_("Project name"), max_length=Project._meta.get_field("name").max_length)
    tags = forms.MultipleChoiceField(label=_("Level tags"), required=False, widget=forms.CheckboxSelectMultiple)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[(s, label) for s, label in Stage.choices if s != Stage.CANCELLED]
    )
    # No tier field: a new project enters the reserve tier, and moves between tiers only through
    # guatu.reserve.services.project_change_tier (gates checked, a reason recorded).
    chain = forms.ChoiceField(label=_("Industry chain"), required=False)
    location_unit = forms.ChoiceField(label=_("Location"))
    owner = forms.CharField(label=_("Owner"), max_length=Project._meta.get_field("owner").max_length)
    scope = forms.CharField(
        label=_("Construction scope"),
        required=False,
        max_length=SCOPE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    start_year = forms.IntegerField(label=_("Start year"), min_value=YEARS[0], max_value=YEARS[1])
    end_year = forms.IntegerField(label=_("End year"), min_value=YEARS[0], max_value=YEARS[1])
    total_investment = forms.DecimalField(
        label=_("Total investment (10k yuan)"), min_value=0, max_value=MAX_AMOUNT, max_digits=14, decimal_places=2
    )
    prior_completed = forms.DecimalField(
        label=_("Completed before tracking (10k yuan)"),
        min_value=0,
        max_value=MAX_AMOUNT,
        max_digits=14,
        decimal_places=2,
        initial=Decimal("0"),
    )
    responsible_leader = forms.ChoiceField(label=_("Responsible leader"), required=False)
    lead_unit = forms.ChoiceField(label=_("Lead unit"))
    support_units = forms.CharField(
        label=_("Support units, in order"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One unit per line, first to last in the responsibility chain; a short name such as 市发改局 will do."),
    )
    contact_name = forms.CharField(
        label=_("Contact"), required=False, max_length=Project._meta.get_field("contact_name").max_length
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"), required=False, max_length=Project._meta.get_field("contact_phone").max_length
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    def __init__(self, data=None, *, choices: EditChoices, project: Project | None = None, initial=None):
        super().__init__(data, initial=initial)
        self.choices = choices
        self.project = project
        self._units = {str(unit.pk): unit for unit in choices.units}
        self._leaders = {str(leader.pk): leader for leader in choices.leaders}
        self._chains = {str(chain.pk): chain for chain in choices.chains}
        self._tags = {tag.code: tag for tag in choices.tags}
        unit_choices = _unit_choices(choices.units)
        self.fields["location_unit"].choices = _blank_choice(unit_choices)
        self.fields["lead_unit"].choices = _blank_choice(unit_choices)
        self.fields["responsible_leader"].choices = _blank_choice(
            [(str(leader.pk), str(leader)) for leader in choices.leaders]
        )
        self.fields["chain"].choices = _blank_choice([(str(chain.pk), chain.name) for chain in choices.chains])
        self.fields["tags"].choices = [(tag.code, tag.name) for tag in choices.tags]
        if project is not None:
            del self.fields["stage"]  # changed with a reason (project_change_stage)
        self.task_force = TaskForceFormSet(
            data,
            prefix="tf",
            initial=(initial or {}).get("task_force"),
            form_kwargs={"unit_choices": unit_choices},
        )

    @classmethod
    def initial_of(cls, project: Project) -> dict:
        """The form's initial values from the project as it is."""
        data = project_input(project)
        initial = {name: getattr(data, name) for name in PROJECT_FIELDS}
        for name in ("location_unit", "lead_unit", "responsible_leader", "chain"):
            initial[name] = str(initial[name].pk) if initial[name] is not None else ""
        initial["code"] = data.code or ""
        initial["tags"] = [tag.code for tag in data.tags]
        initial["support_units"] = "\n".join(unit.name for unit in data.support_units)
        initial["task_force"] = [
            {"name": m.name, "duty": m.duty, "unit": str(m.unit.pk) if m.unit else "", "phone": m.phone}
            for m in data.task_force
        ]
        initial["version"] = project.version
        return initial

    def clean_support_units(self) -> list[OrgUnit]:
        names = [line.strip() for line in self.cleaned_data["support_units"].splitlines() if line.strip()]
        if len(names) > SUPPORT_UNITS_MAX:
            raise forms.ValidationError(
                gettext("At most %(max)s support units (%(count)s were given).")
                % {"max": SUPPORT_UNITS_MAX, "count": len(names)}
            )
        units, unknown = [], []
        for name in names:
            unit = find_unit_by_name(name, within=self.choices.root)
            if unit is None:
                unknown.append(name)
            else:
                units.append(unit)
        if unknown:
            raise forms.ValidationError(
                gettext("No unit of this jurisdiction is called %(names)s; check the spelling or add the unit first.")
                % {"names": "、".join(f"“{name}”" for name in unknown)}
            )
        return units

    def is_valid(self) -> bool:
        return all([super().is_valid(), self.task_force.is_valid()])  # both, to show every error at once

    def to_input(self) -> ProjectInput:
        data = self.cleaned_data

        def pick(index, key):
            return index.get(key) if key else None

        return ProjectInput(
            code=data["code"].strip() or None,
            name=data["name"],
            category=data["category"],
            stage=data["stage"] if "stage" in data else self.project.stage,
            tier=self.project.tier if self.project is not None else Tier.RESERVE,
            chain=pick(self._chains, data["chain"]),
            location_unit=self._units[data["location_unit"]],
            lead_unit=self._units[data["lead_unit"]],
            owner=data["owner"],
            scope=data["scope"],
            start_year=data["start_year"],
            end_year=data["end_year"],
            total_investment=data["total_investment"],
            prior_completed=data["prior_completed"],
            responsible_leader=pick(self._leaders, data["responsible_leader"]),
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            tags=[self._tags[code] for code in data["tags"]],
            support_units=data["support_units"],
            task_force=[
                TaskForceInput(
                    name=row["name"], duty=row["duty"], unit=pick(self._units, row["unit"]), phone=row["phone"]
                )
                for row in self.task_force.cleaned_data
                if row.get("name")
            ],
        )


class ReasonForm(forms.Form):
    """A step on a project's stage that needs a reason: cancel (撤销), restore (恢复)."""

    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)


class StageForm(ReasonForm):
    """Move a project to another stage, with a reason."""

    stage = forms.ChoiceField(
        label=_("New stage"), choices=[(s, label) for s, label in Stage.choices if s != Stage.CANCELLED]
    )
    field_order = ["stage", "reason", "version"]
