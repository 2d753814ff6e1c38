"""Runtime records: immutable NamedTuples, cheap to define and to build from the compiled index.

Validation lives in :mod:`llmcat.schema` (pydantic), which runs only when a registry file changes;
everything after that works on these records, so start-up never pays for pydantic.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NamedTuple


class Status(StrEnum):
    """Effective commercial status, ordered from least to most restrictive."""

    YES = "yes"
    CONDITIONAL = "conditional"
    UNKNOWN = "unknown"
    NO = "no"

    @property
    def rank(self) -> int:
        return _STATUS_RANK[self]


_STATUS_RANK = {Status.YES: 0, Status.CONDITIONAL: 1, Status.UNKNOWN: 2, Status.NO: 3}


class LicenseClass(StrEnum):
    PERMISSIVE = "permissive"
    COPYLEFT = "copyleft"
    CONDITIONAL_COMMERCIAL = "conditional-commercial"
    NON_COMMERCIAL = "non-commercial"
    RESEARCH_ONLY = "research-only"
    UNKNOWN = "unknown"

    @property
    def status(self) -> Status:
        return _CLASS_STATUS[self]


_CLASS_STATUS = {
    LicenseClass.PERMISSIVE: Status.YES,
    LicenseClass.COPYLEFT: Status.YES,
    LicenseClass.CONDITIONAL_COMMERCIAL: Status.CONDITIONAL,
    LicenseClass.NON_COMMERCIAL: Status.NO,
    LicenseClass.RESEARCH_ONLY: Status.NO,
    LicenseClass.UNKNOWN: Status.UNKNOWN,
}


class JapaneseLevel(StrEnum):
    """Japanese support, strongest first. ``--ja-level X`` keeps X and every stronger level."""

    PRETRAINED = "pretrained"
    CONTINUED = "continued"
    FINETUNED = "finetuned"
    MULTILINGUAL = "multilingual"
    NONE = "none"  # the publisher's stated languages exclude Japanese
    UNKNOWN = "unknown"  # the publisher states nothing about it

    @property
    def supported(self) -> bool:
        """A level of support (not none, not unknown)."""
        return _JA_STRENGTH[self] > 0

    @property
    def strength(self) -> int:
        return _JA_STRENGTH[self]


_JA_STRENGTH = {
    JapaneseLevel.PRETRAINED: 4,
    JapaneseLevel.CONTINUED: 3,
    JapaneseLevel.FINETUNED: 2,
    JapaneseLevel.MULTILINGUAL: 1,
    JapaneseLevel.NONE: 0,
    JapaneseLevel.UNKNOWN: -1,
}


class Condition(NamedTuple):
    kind: str
    text: str


class License(NamedTuple):
    id: str
    name: str
    license_class: LicenseClass
    spdx: str | None = None
    conditions: tuple[Condition, ...] = ()
    url: str | None = None
    sources: tuple[str, ...] = ()

    def to_row(self) -> tuple[Any, ...]:
        return (
            self.id,
            self.name,
            self.license_class.value,
            self.spdx,
            tuple((c.kind, c.text) for c in self.conditions),
            self.url,
            self.sources,
        )

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> License:
        return cls(
            row[0],
            row[1],
            LicenseClass(row[2]),
            row[3],
            tuple(Condition(k, t) for k, t in row[4]),
            row[5],
            tuple(row[6]),
        )


class Org(NamedTuple):
    """A publisher: entries refer to it by ``id`` and show its one display ``name``."""

    id: str
    name: str
    domains: tuple[str, ...] = ()  # its home sites: a host ("qwen.ai", subdomains too) or host/path prefix
    sources: tuple[str, ...] = ()


class Restriction(NamedTuple):
    kind: str
    text: str
    binding: bool
    status: Status | None = None
    source: str | None = None


class Step(NamedTuple):
    """One link of the chain that decides a model's commercial status."""

    model: str  # the id of the model this step is about (the model itself or an ancestor)
    source: str  # "license" or "restriction"
    status: Status
    detail: str


class LicenseCondition(NamedTuple):
    """A condition of a licence that applies to a model, and which licence it comes from."""

    license: str
    kind: str
    text: str


class Commercial(NamedTuple):
    """The derived answer to "may I use it commercially?" with the reasoning behind it."""

    status: Status
    reason: str
    chain: tuple[Step, ...]
    conditions: tuple[LicenseCondition, ...]  # licence conditions that apply along the chain
    caveats: tuple[str, ...]  # non-binding provenance notes along the chain


_EMPTY: tuple[str, ...] = ()


class Arch(NamedTuple):
    """Architecture numbers read from a model's config.json (``source``); what memory estimates need.

    A field is None where the config does not give it. A fine-tune that keeps its base's architecture
    has no Arch of its own and inherits its base's.
    """

    source: str
    layers: int | None = None
    hidden_size: int | None = None
    attention_heads: int | None = None
    kv_heads: int | None = None  # = attention_heads for MHA, fewer for GQA, 1 for MQA
    head_dim: int | None = None  # hidden_size / attention_heads unless the config says otherwise
    intermediate_size: int | None = None  # FFN width (per expert for MoE)
    vocab_size: int | None = None
    experts: int | None = None  # MoE: routed experts in total
    experts_per_token: int | None = None  # MoE: routed experts active per token
    shared_experts: int | None = None  # MoE: always-active shared experts
    tied_embeddings: bool | None = None
    max_positions: int | None = None
    sliding_window: int | None = None  # tokens a sliding-window attention layer keeps
    global_layers: int | None = None  # with sliding_window: layers that still attend to the whole context
    attention_layers: int | None = None  # hybrid models: layers with attention (the rest keep no KV cache)
    kv_latent_dim: int | None = None  # MLA: cached latent per token and layer (kv_lora_rank + rope dim)
    dtype: str | None = None  # the checkpoint's weight dtype (torch_dtype)


class Model(NamedTuple):
    id: str
    name: str
    family: str
    org: str
    license: str
    sources: tuple[str, ...]
    aliases: tuple[str, ...] = _EMPTY
    released: str | None = None
    params_b: float | None = None
    active_params_b: float | None = None
    architecture: str | None = None
    context_tokens: int | None = None
    base_model: str | None = None
    restrictions: tuple[Restriction, ...] = ()
    languages: tuple[str, ...] = _EMPTY
    japanese: JapaneseLevel | None = None
    modalities: tuple[str, ...] = ("text",)
    hf_repos: tuple[str, ...] = _EMPTY
    tags: tuple[str, ...] = _EMPTY
    description: str | None = None
    origin: str = "bundled"  # "bundled", or the path of the user registry it came from
    gated: bool | None = None  # whether the Hub repo asks users to accept terms before download
    config: Arch | None = None  # architecture numbers from its own config.json (else inherited: see Registry)
    org_id: str | None = None  # the id of ``org`` in the organisations table (None: a free-text publisher)
    licenses: tuple[str, ...] = _EMPTY  # every licence when more than one applies (``license`` is the first)
    base_model_note: str | None = None  # the parent when it was never released (no ``base_model`` to name)
    source_copies: tuple[tuple[str, str], ...] = ()  # (source URL, the copy of it that was read)

    @property
    def all_licenses(self) -> tuple[str, ...]:
        """Every licence that applies, the first (``license``) first."""
        return self.licenses or (self.license,)

    def to_row(self) -> tuple[Any, ...]:
        """A plain tuple (marshal-able: no NamedTuples, no enums) in field order."""
        if not self.restrictions and self.japanese is None and self.config is None:
            return tuple(self)
        r = tuple(
            (x.kind, x.text, x.binding, x.status.value if x.status else None, x.source) for x in self.restrictions
        )
        ja = self.japanese.value if self.japanese is not None else None
        cfg = tuple(self.config) if self.config is not None else None
        return (*self[:13], r, self.languages, ja, *self[16:22], cfg, *self[23:])

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Model:
        restrictions, ja, cfg = row[13], row[15], row[22]
        if not restrictions and ja is None and cfg is None:
            return cls._make(row)
        return cls._make(
            (
                *row[:13],
                tuple(Restriction(k, t, b, Status(s) if s else None, src) for k, t, b, s, src in restrictions),
                row[14],
                _JA_BY_VALUE[ja] if ja is not None else None,
                *row[16:22],
                Arch._make(cfg) if cfg is not None else None,
                *row[23:],
            )
        )


_JA_BY_VALUE = {level.value: level for level in JapaneseLevel}
