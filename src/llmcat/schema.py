"""The registry file format for pydantic: strict, closed vocabularies, readable messages.

Only :mod:`llmcat.registry` imports this, and only when a registry file has to be (re)validated.
"""

from __future__ import annotations

import re
from datetime import date as _date
from typing import Annotated, Literal, NotRequired

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    StringConstraints,
    TypeAdapter,
    model_validator,
    with_config,
)
from typing_extensions import TypedDict

from llmcat.records import Arch, Condition, JapaneseLevel, License, LicenseClass, Model, Org, Restriction, Status

Slug = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=120)]
Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Url = Annotated[StrictStr, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
HfRepo = Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9][\w.-]*/[\w.-]+$", max_length=200)]
LangCode = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z]{2,3}$")]
_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
DateStr = Annotated[StrictStr, StringConstraints(pattern=_DATE_PATTERN)]
Modality = Literal["text", "image", "audio", "video"]
RestrictionKind = Literal["model-outputs", "dataset-license", "publisher-statement", "other"]
ConditionKind = Literal[
    "user-cap",
    "registration",
    "acceptable-use",
    "no-training-other-models",
    "attribution",
    "naming",
    "share-alike",
    "non-commercial",
    "research-only",
    "other",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RestrictionSpec(_Strict):
    kind: RestrictionKind
    text: Text
    binding: StrictBool
    status: Literal["no", "conditional"] | None = None
    source: Url | None = None

    @model_validator(mode="after")
    def _status_goes_with_binding(self) -> RestrictionSpec:
        if self.binding and self.status is None:
            raise ValueError("a binding restriction needs a status: 'no' or 'conditional'")
        if not self.binding and self.status is not None:
            raise ValueError("status is only for binding restrictions (binding: true)")
        return self


def _real_date(v: str | None) -> str | None:
    if v is not None and len(v) == 10:  # the pattern has checked the shape and the month
        try:
            _date.fromisoformat(v)
        except ValueError as e:
            raise ValueError(f"not a real date: {v!r} ({e})") from None
    return v


PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Billions = Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]  # params: at most 10^15
Alias = Annotated[StrictStr, StringConstraints(min_length=1, max_length=200)]
Count = Annotated[int, Field(gt=0, le=10_000_000, strict=True)]  # a layer, head, expert or width count
Tokens = Annotated[int, Field(gt=0, le=1_000_000_000, strict=True)]
Dtype = Literal["float32", "float16", "bfloat16", "float8", "int8", "int4", "mixed"]


class ConfigSpec(_Strict):
    """Architecture numbers read from the model's config.json (``source`` is its URL)."""

    source: Url
    layers: Count | None = None
    hidden_size: Count | None = None
    attention_heads: Count | None = None
    kv_heads: Count | None = None
    head_dim: Count | None = None
    intermediate_size: Count | None = None
    vocab_size: Count | None = None
    experts: Count | None = None
    experts_per_token: Count | None = None
    shared_experts: Count | None = None
    tied_embeddings: StrictBool | None = None
    max_positions: Tokens | None = None
    sliding_window: Tokens | None = None
    global_layers: Annotated[int, Field(ge=0, le=10_000_000, strict=True)] | None = None
    attention_layers: Annotated[int, Field(ge=0, le=10_000_000, strict=True)] | None = None
    kv_latent_dim: Count | None = None
    dtype: Dtype | None = None

    def to_record(self) -> Arch:
        return Arch(**self.model_dump())


class SourceSpec(_Strict):
    """A source read through a copy: ``url`` is the publisher's page, ``via`` the verbatim copy read."""

    url: Url
    via: Url


@with_config(ConfigDict(extra="forbid"))
class ModelFields(TypedDict):
    """One model entry. A TypedDict rather than a BaseModel: validating 100,000 entries into dicts
    is about twice as fast, and the entry becomes a :class:`llmcat.records.Model` right away."""

    id: Slug
    name: Text
    # Tuples, not lists: immutable, and shared as they are by the records.
    aliases: NotRequired[tuple[Alias, ...]]
    family: Slug
    org: Text
    released: NotRequired[DateStr | None]  # a real calendar date: see entry_problems
    params_b: NotRequired[Billions | None]
    active_params_b: NotRequired[Billions | None]
    architecture: NotRequired[Slug | None]
    context_tokens: NotRequired[Tokens | None]
    base_model: NotRequired[Slug | None]
    license: Slug | Annotated[tuple[Slug, ...], Field(min_length=1)]  # several: all apply
    restrictions: NotRequired[tuple[RestrictionSpec, ...]]
    languages: NotRequired[tuple[LangCode, ...]]
    japanese: NotRequired[JapaneseLevel | None]
    modalities: NotRequired[Annotated[tuple[Modality, ...], Field(min_length=1)]]
    hf_repos: NotRequired[tuple[HfRepo, ...]]
    tags: NotRequired[tuple[Slug, ...]]
    description: NotRequired[Text | None]
    sources: Annotated[tuple[Url | SourceSpec, ...], Field(min_length=1)]
    gated: NotRequired[StrictBool | None]
    config: NotRequired[ConfigSpec | None]
    base_model_note: NotRequired[Text | None]


def entry_problems(m: Model) -> list[tuple[str | None, str]]:
    """Rules one entry must follow that pydantic cannot express, as (field or None, message).

    They run in the registry's compile pass rather than as pydantic validators: one Python call per
    entry fewer matters for big registries, and the compile pass knows where each entry is.
    """
    out: list[tuple[str | None, str]] = []
    if m.released is not None and len(m.released) == 10:
        try:
            _real_date(m.released)
        except ValueError as e:
            out.append(("released", str(e)))
    if m.active_params_b is not None and m.params_b is not None and m.active_params_b > m.params_b:
        out.append(("active_params_b", "active_params_b cannot exceed params_b"))
    if "text" not in m.modalities and "image" not in m.modalities:
        out.append(("modalities", "modalities must include text or image"))
    ja_listed = "ja" in m.languages
    if ja_listed != (m.japanese is not None and m.japanese.supported):
        if ja_listed:
            level = m.japanese.value if m.japanese is not None else "unset"
            out.append(("japanese", f"languages list ja, so japanese needs a level of support (not {level})"))
        else:
            out.append(("languages", f"japanese is {m.japanese}, so languages must list ja"))
    if m.base_model is not None and m.base_model_note is not None:
        out.append(("base_model_note", "base_model_note is for a parent that was never released: drop one"))
    return out


def ja_mismatch(m: Model) -> bool:
    """Whether ``ja`` in languages and a Japanese level of support disagree (the compile pass's cheap test)."""
    return ("ja" in m.languages) != (m.japanese is not None and m.japanese.supported)


ModelSpec = ModelFields


def to_record(m: ModelFields, origin: str) -> Model:
    g = m.get
    restrictions: tuple[RestrictionSpec, ...] = m.get("restrictions", ())
    lic = m["license"]
    licenses: tuple[str, ...] = ()
    if not isinstance(lic, str):
        licenses = lic if len(lic) > 1 else ()
        lic = lic[0]
    sources = m["sources"]
    copies: tuple[tuple[str, str], ...] = ()
    if not all(s.__class__ is str for s in sources):
        copies = tuple((s.url, s.via) for s in sources if isinstance(s, SourceSpec))
        sources = tuple(s.url if isinstance(s, SourceSpec) else s for s in sources)
    return Model._make(
        (
            m["id"],
            m["name"],
            m["family"],
            m["org"],
            lic,
            sources,
            g("aliases", ()),
            g("released"),
            g("params_b"),
            g("active_params_b"),
            g("architecture"),
            g("context_tokens"),
            g("base_model"),
            tuple(
                Restriction(r.kind, r.text, r.binding, Status(r.status) if r.status else None, r.source)
                for r in restrictions
            )
            if restrictions
            else (),
            g("languages", ()),
            g("japanese"),
            g("modalities", ("text",)),
            g("hf_repos", ()),
            g("tags", ()),
            g("description"),
            origin,
            g("gated"),
            c.to_record() if (c := m.get("config")) is not None else None,
            None,  # org_id: set by the compile pass from the organisations table
            licenses,
            g("base_model_note"),
            copies,
        )
    )


def validate_model(item: object) -> ModelFields:
    """Validate one entry on its own (used to keep the good entries of a file that has errors)."""
    return _MODEL_ADAPTER.validate_python(item)


class ConditionSpec(_Strict):
    kind: ConditionKind
    text: Text


class LicenseSpec(_Strict):
    id: Slug
    name: Text
    spdx: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Za-z0-9.+-]+$")] | None = None
    license_class: LicenseClass = Field(alias="class")
    conditions: list[ConditionSpec] = []
    url: Url | None = None
    sources: list[Url] = []

    def to_record(self) -> License:
        return License(
            id=self.id,
            name=self.name,
            license_class=self.license_class,
            spdx=self.spdx,
            conditions=tuple(Condition(c.kind, c.text) for c in self.conditions),
            url=self.url,
            sources=tuple(self.sources),
        )


_DOMAIN_PATTERN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(/\S*)?$"
Domain = Annotated[StrictStr, StringConstraints(pattern=_DOMAIN_PATTERN)]


class OrgSpec(_Strict):
    """An organisation (publisher). Entries name it by ``id`` in their ``org`` field."""

    id: Slug
    name: Text
    domains: list[Domain] = []  # home sites: a lower-case host (its subdomains count) or host/path prefix
    sources: Annotated[list[Url], Field(min_length=1)]

    def to_record(self) -> Org:
        return Org(self.id, self.name, tuple(self.domains), tuple(self.sources))


class RegistryFile(_Strict):
    """One YAML file: the bundled models, licences or organisations, or a user registry (any of them)."""

    schema_version: Literal[1]
    models: list[ModelSpec] = []
    licenses: list[LicenseSpec] = []
    orgs: list[OrgSpec] = []


PATTERN_HELP = {
    r"^[a-z0-9][a-z0-9._-]*$": "must be a lower-case slug (a-z, 0-9, '.', '_', '-'; starting with a letter or digit)",
    r"^https?://\S+$": "must be an http(s) URL",
    r"^[A-Za-z0-9][\w.-]*/[\w.-]+$": "must be a Hugging Face repo id like 'org/name'",
    r"^[a-z]{2,3}$": "must be a lower-case ISO 639 language code like 'ja' or 'en'",
    _DATE_PATTERN: "must be a date YYYY, YYYY-MM or YYYY-MM-DD (quote it)",
    _DOMAIN_PATTERN: "must be a lower-case host name like 'qwenlm.github.io', optionally with a path",
}


def clean_message(msg: str) -> str:
    """Strip pydantic's noise from a message meant for a person."""
    msg = msg.removeprefix("Value error, ")
    return re.sub(r"\s+", " ", msg).strip()


_MODEL_ADAPTER: TypeAdapter[ModelFields] = TypeAdapter(ModelSpec)


def json_schema() -> dict[str, object]:
    """The JSON Schema of a registry file (committed as schema/registry.schema.json for editors)."""
    return TypeAdapter(RegistryFile).json_schema()


if __name__ == "__main__":  # python -m llmcat.schema > schema/registry.schema.json
    import json

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))  # noqa: T201
