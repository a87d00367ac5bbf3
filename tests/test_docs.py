"""The README is a signpost and docs/ holds the reference: the generated stage reference is current (and the check
notices a stale one), the README's commands and config example are real, and every link into the repository
resolves, anchors included."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from dps.config import parse_config
from dps.registry import STAGES

ROOT = Path(__file__).resolve().parent.parent
STAGES_DOC = ROOT / "docs" / "stages.md"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _check_stage_reference(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "scripts/update_readme.py", "--check", "--file", str(path)], cwd=ROOT,
                          capture_output=True, text=True)


def test_stage_reference_matches_the_registry():
    result = _check_stage_reference(STAGES_DOC)
    assert result.returncode == 0, result.stderr


def test_stage_reference_check_fails_on_a_stale_file(tmp_path):
    text = STAGES_DOC.read_text(encoding="utf-8")
    stale = [text.replace("## `gopher_quality` (filter)", "## `gopher_quality` (map)"),  # a changed line
             re.sub(r"\| `min_words` \|[^\n]*\n", "", text, count=1)]  # a parameter row gone
    for k, content in enumerate(stale):
        assert content != text
        path = tmp_path / f"stale{k}.md"
        path.write_text(content, encoding="utf-8")
        result = _check_stage_reference(path)
        assert result.returncode == 1 and "out of date" in result.stderr
    shutil.copy(STAGES_DOC, tmp_path / "current.md")
    assert _check_stage_reference(tmp_path / "current.md").returncode == 0


def test_stage_reference_has_a_section_per_registered_stage():
    headings = re.findall(r"^## `(\w+)` \((\w+)\)$", STAGES_DOC.read_text(encoding="utf-8"), re.M)
    assert headings == [(s.name, s.kind) for s in STAGES.values()]


def test_readme_names_both_setup_commands_and_ci_calls_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/run_sample.sh" in readme and "bash scripts/test.sh" in readme
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_is_a_signpost_and_the_reference_lives_in_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "stages:begin" not in readme and len(readme.encode("utf-8")) < 20_000
    assert "## Contents" in readme and "(docs/stages.md)" in readme


def test_readme_config_example_is_a_valid_config():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    assert len(example.splitlines()) <= 25
    config = parse_config(yaml.safe_load(example), "README.md", check_paths=False)
    assert [s.name for s in config.stages][:2] == ["fix_encoding", "normalize"]


# ------------------------------------------------------------------------------------------------------- links

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _prose(text: str) -> str:
    """The text outside fenced code blocks and inline code, where a link is a link."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def _anchors(text: str) -> set[str]:
    """GitHub's heading ids: lowercase, punctuation dropped, spaces to hyphens, repeats numbered."""
    seen: dict[str, int] = {}
    out = set()
    for title in re.findall(r"^#{1,6} (.+)$", re.sub(r"^```.*?^```", "", text, flags=re.S | re.M), re.M):
        slug = re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def broken_links(path: Path, text: str) -> list[str]:
    problems = []
    for target in LINK.findall(_prose(text)):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.is_relative_to(ROOT) or not dest.exists():
            problems.append(f"{path.name}: {target}: no such file in the repository")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest.read_text(encoding="utf-8")):
            problems.append(f"{path.name}: {target}: no heading with that anchor")
    return problems


def test_link_check_notices_missing_files_anchors_and_paths_outside_the_repo():
    readme = ROOT / "README.md"
    text = ("[a](docs/nope.md) [b](docs/stages.md#no-such-stage) ![c](docs/img/missing.png) [d](#not-here) "
            "[e](../outside.md) [ok](docs/stages.md#fix_encoding-map) [ok](#layout) [ok](https://example.org/x)\n"
            "## Layout\n`[code](not-a-link.md)`\n```\n[fenced](not-a-link.md)\n```\n")
    found = broken_links(readme, text)
    assert len(found) == 5 and all(any(t in f for f in found) for t in ("nope.md", "no-such-stage", "missing.png",
                                                                         "not-here", "outside.md"))


def test_every_link_in_the_readme_and_docs_resolves():
    assert len(DOCS) > 10
    problems = [p for path in DOCS for p in broken_links(path, path.read_text(encoding="utf-8"))]
    assert problems == []
    readme_links = LINK.findall(_prose((ROOT / "README.md").read_text(encoding="utf-8")))
    assert {f"docs/{p.name}" for p in DOCS[1:]} <= set(readme_links), "a docs page the README does not link"


MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|home|Users|root)/")


def test_no_path_of_a_development_machine_in_code_scripts_or_docs():
    assert MACHINE_PATH.search('DEFAULT = ["/work/shared/data/x.jsonl"]') and not MACHINE_PATH.search("../shared/data")
    files = [p for folder in ("dps", "scripts", "jobs", "configs", "docs") for p in (ROOT / folder).rglob("*")
             if p.is_file() and p.suffix in (".py", ".sh", ".md", ".yaml", ".yml", ".toml")]
    found = [f"{p.relative_to(ROOT)}:{n}" for p in files + [ROOT / "README.md", ROOT / "pyproject.toml"]
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if MACHINE_PATH.search(line)]
    assert found == []
