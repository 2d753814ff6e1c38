"""The registry file format as pydantic models: strict, closed vocabularies, readable messages.

Only :mod:`llmcat.registry` imports this, and only when a registry file has to be (re)validated.
"""

from __future__ import annotations

import re
from datetime import date as _date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    StringConstraints,
    field_validator,
    model_validator,
)

from llmcat.records import Condition, JapaneseLevel, License, LicenseClass, Model, Restriction, Status

SCHEMA_VERSION = 1

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


class ModelSpec(_Strict):
    id: Slug
    name: Text
    # Tuples, not lists: immutable defaults need no per-instance copy (it matters for big registries).
    aliases: tuple[Annotated[StrictStr, StringConstraints(min_length=1, max_length=200)], ...] = ()
    family: Slug
    org: Text
    released: DateStr | None = None
    params_b: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    active_params_b: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    architecture: Slug | None = None
    context_tokens: Annotated[int, Field(gt=0, strict=True)] | None = None
    base_model: Slug | None = None
    license: Slug
    restrictions: tuple[RestrictionSpec, ...] = ()
    languages: tuple[LangCode, ...] = ()
    japanese: JapaneseLevel | None = None
    modalities: Annotated[tuple[Modality, ...], Field(min_length=1)] = ("text",)
    hf_repos: tuple[HfRepo, ...] = ()
    tags: tuple[Slug, ...] = ()
    description: Text | None = None
    sources: Annotated[tuple[Url, ...], Field(min_length=1)]

    @field_validator("released")
    @classmethod
    def _real_date(cls, v: str | None) -> str | None:
        if v is not None and len(v) == 10:  # the pattern has checked the shape and the month
            try:
                _date.fromisoformat(v)
            except ValueError as e:
                raise ValueError(f"not a real date: {v!r} ({e})") from None
        return v

    @model_validator(mode="after")
    def _cross_field(self) -> ModelSpec:
        if self.active_params_b is not None and self.params_b is not None and self.active_params_b > self.params_b:
            raise ValueError("active_params_b cannot exceed params_b")
        if self.base_model is not None and self.base_model == self.id:
            raise ValueError("a model cannot be its own base_model")
        if "text" not in self.modalities and "image" not in self.modalities:
            raise ValueError("modalities must include text or image")
        return self

    def to_record(self, origin: str) -> Model:
        restrictions = (
            tuple(
                Restriction(r.kind, r.text, r.binding, Status(r.status) if r.status else None, r.source)
                for r in self.restrictions
            )
            if self.restrictions
            else ()
        )
        return Model._make(
            (
                self.id,
                self.name,
                self.family,
                self.org,
                self.license,
                self.sources,
                self.aliases,
                self.released,
                self.params_b,
                self.active_params_b,
                self.architecture,
                self.context_tokens,
                self.base_model,
                restrictions,
                self.languages,
                self.japanese,
                self.modalities,
                self.hf_repos,
                self.tags,
                self.description,
                origin,
            )
        )


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


class RegistryFile(_Strict):
    """One YAML file: the bundled models, the bundled licences, or a user registry (either or both)."""

    schema_version: Literal[1]
    models: list[ModelSpec] = []
    licenses: list[LicenseSpec] = []


PATTERN_HELP = {
    r"^[a-z0-9][a-z0-9._-]*$": "must be a lower-case slug (a-z, 0-9, '.', '_', '-'; starting with a letter or digit)",
    r"^https?://\S+$": "must be an http(s) URL",
    r"^[A-Za-z0-9][\w.-]*/[\w.-]+$": "must be a Hugging Face repo id like 'org/name'",
    r"^[a-z]{2,3}$": "must be a lower-case ISO 639 language code like 'ja' or 'en'",
    _DATE_PATTERN: "must be a date YYYY, YYYY-MM or YYYY-MM-DD (quote it)",
}


def clean_message(msg: str) -> str:
    """Strip pydantic's noise from a message meant for a person."""
    msg = msg.removeprefix("Value error, ")
    return re.sub(r"\s+", " ", msg).strip()
