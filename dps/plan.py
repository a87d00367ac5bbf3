"""The plan of a run: the config's stages bound and checked on the driver, grouped into the steps folded over the
marked frame (one fused Arrow pass per run of text stages, one step per frame stage)."""

from __future__ import annotations

from dataclasses import dataclass

from dps.config import ConfigError, JobConfig
from dps.dedup.index import FORMAT
from dps.registry import STAGES, BoundStage, bind


@dataclass(frozen=True)
class Plan:
    """Validated stages grouped into steps: runs of text stages (one fused Arrow pass each) and frame stages."""

    config: JobConfig
    stages: tuple[BoundStage, ...]

    def groups(self) -> list[tuple[str, tuple[BoundStage, ...]]]:
        groups: list[tuple[str, list[BoundStage]]] = []
        for stage in self.stages:
            if stage.kind in ("map", "filter"):
                if groups and groups[-1][0] == "text":
                    groups[-1][1].append(stage)
                else:
                    groups.append(("text", [stage]))
            else:
                groups.append(("frame", [stage]))
        return [(kind, tuple(stages)) for kind, stages in groups]

    def describe(self) -> str:
        lines = []
        for i, (kind, stages) in enumerate(self.groups(), 1):
            names = " -> ".join(s.name for s in stages)
            lines.append(f"  step {i}: {'one Arrow pass' if kind == 'text' else 'frame step'}: {names}")
        return "\n".join(lines)

    def index_settings(self) -> dict:
        """What every run sharing an index must agree on: each index-using stage's declared fingerprint of its
        effective parameters (None for such a stage not in this plan)."""
        settings: dict = {"format": FORMAT, "id_column": self.config.input.id_column,
                          **{name: None for name, stage in STAGES.items() if stage.uses_index}}
        for stage in self.stages:
            if stage.stage.uses_index:
                settings[stage.name] = stage.stage.index_fingerprint(self.config, stage.effective_params)
        return settings

    def index_stage_positions(self) -> list[int]:
        return [i for i, s in enumerate(self.stages) if s.stage.uses_index]

    def text_changes_after_dedup(self) -> bool:
        """True when a map stage follows the dedup stages: the index must then keep the text dedup saw."""
        dedup = self.index_stage_positions()
        return bool(dedup) and any(s.kind == "map" for s in self.stages[dedup[0] + 1:])


def plan(config: JobConfig) -> Plan:
    """Bind every stage on the driver: all config errors surface here, before Spark starts."""
    if not config.stages:
        raise ConfigError(f"{config.source}: stages: empty; name at least one stage")
    job_plan = Plan(config, tuple(bind(spec, config.seed, config.source) for spec in config.stages))
    job_plan.index_settings()  # checks the dedup stages' parameters now, not after Spark starts
    per_source = [s.name for s in job_plan.stages if s.by_source]
    if per_source and not config.input.source_column:
        raise ConfigError(f"{config.source}: stages: by_source of {', '.join(per_source)} needs "
                          f"input.source_column (the column naming each document's source); it is null")
    if config.index is not None:
        dedup = job_plan.index_stage_positions()
        if not dedup:
            names = " and ".join(name for name, stage in STAGES.items() if stage.uses_index)
            raise ConfigError(f"{config.source}: index.path: the index holds what {names} compare; "
                              f"add at least one of them to stages")
        between = [s.name for s in job_plan.stages[dedup[0]:dedup[-1]] if s.kind == "map"]
        if between:
            raise ConfigError(f"{config.source}: stages: with an index, the dedup stages must see the same text; "
                              f"move {', '.join(between)} before or after them")
    return job_plan
