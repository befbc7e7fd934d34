"""Chapter support: which glue keys a has_tableN block uses, and the %%when_available cell magic."""

from __future__ import annotations

import pytest

from aichain_utils.book import notebook

PAGE = """
Intro {glue:text}`outside:.3f`

`````{only} has_table7 and has_table8
Numbers {glue:text}`a:.3f` and {glue:text}`b`.

:::{numbered-table} Caption
:name: tbl-x

```{glue:any} tbl
```
:::
`````

````{only} has_table6
```{glue:figure} fig
:name: fig-x
```
````

````{only} not has_table6
{glue:text}`table6_missing`
````
"""


def test_only_block_keys_finds_every_key_and_its_kind():
    keys = notebook.only_block_keys(PAGE)
    assert keys[7] == {"a": "text", "b": "text", "tbl": "any"}
    assert keys[8] == keys[7]
    assert keys[6] == {"fig": "figure"}
    assert "outside" not in {k for v in keys.values() for k in v}


class _Panel:
    def __init__(self, reasons):
        self.reasons = reasons

    def missing_reason(self, name):
        return self.reasons.get(name)


class _Shell:
    def __init__(self, ap):
        self.user_ns = {"ap": ap}
        self.ran = []

    def run_cell(self, cell):
        self.ran.append(cell)

        class _Result:
            def raise_error(self):
                if "boom" in cell:
                    raise RuntimeError("boom")

        return _Result()


@pytest.fixture()
def shell(monkeypatch):
    glued = {}
    monkeypatch.setattr("myst_nb.glue", lambda key, value, display=True: glued.__setitem__(key, value))
    notebook.SKIPPED.clear()
    notebook._NOTED.clear()

    def make(reasons):
        sh = _Shell(_Panel(reasons))
        monkeypatch.setattr("IPython.get_ipython", lambda: sh)
        return sh, glued

    return make


def test_the_magic_runs_the_cell_when_the_table_can_be_built(shell):
    sh, glued = shell({})
    notebook.when_available("Table 6", "x = 1")
    assert sh.ran == ["x = 1"] and glued["table6_missing"] == "" and not notebook.SKIPPED


def test_the_magic_skips_and_records_why(shell):
    sh, glued = shell({"Table 8": "Table 8: chain positions needs chain_position"})
    notebook.when_available("Tables 7, 8", "x = 1")
    assert sh.ran == []
    assert glued["table8_missing"].startswith("Table 8") and glued["table7_missing"] == ""
    assert set(notebook.SKIPPED) == {7, 8}  # the cell computes both: neither is shown


def test_an_error_in_a_cell_that_runs_is_raised(shell):
    shell({})
    with pytest.raises(RuntimeError):
        notebook.when_available("Table 3", "boom")


def test_the_magic_refuses_a_malformed_line(shell):
    shell({})
    with pytest.raises(ValueError):
        notebook.when_available("Figure 3", "x = 1")


def test_placeholders_are_glued_once_for_a_block_of_several_tables(shell, tmp_path):
    _, _glued = shell({})
    page = tmp_path / "page.md"
    page.write_text(PAGE, encoding="utf-8")
    notebook.SKIPPED.update({7: "no groups", 8: "no groups"})
    keys = notebook.glue_placeholders(page)
    assert sorted(keys) == ["a", "b", "tbl"]


def test_keys_glued_by_cells_that_always_run_get_no_placeholder(shell, tmp_path):
    _, _glued = shell({})
    cells = (
        '```{code-cell} ipython3\n:tags: [remove-cell]\nglue("a", 1.0, display=False)\n```\n\n'
        '```{code-cell} ipython3\n:tags: [remove-cell]\n%%when_available Tables 7, 8\nglue("b", 2.0)\n```\n'
    )
    assert notebook.ungated_glue_keys(cells) == {"a"}
    page = tmp_path / "page.md"
    page.write_text(cells + PAGE, encoding="utf-8")
    notebook.SKIPPED.update({7: "no groups", 8: "no groups"})
    assert sorted(notebook.glue_placeholders(page)) == ["b", "tbl"]


def test_with_every_table_built_no_placeholder_and_no_page_source_is_needed(shell, tmp_path):
    """A chapter's notebook downloaded from the site runs without its MyST source beside it: on data
    where every table is built there is nothing to glue, and the page is not read."""
    shell({})
    notebook.SKIPPED.clear()
    assert notebook.glue_placeholders(tmp_path / "absent.md") == []
    notebook.SKIPPED.update({7: "no groups"})
    with pytest.raises(FileNotFoundError):
        notebook.glue_placeholders(tmp_path / "absent.md")
