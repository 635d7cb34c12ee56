"""The README's function table is the one the table module writes."""
import os

from fastact._table import markdown_table

README = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")


def test_function_table_is_current():
    text = open(README, encoding="utf-8").read()
    assert markdown_table() in text, (
        "README.md's function table is stale: regenerate it with "
        "python tools/update_readme.py")


def test_readme_opens_with_the_two_commands():
    text = open(README, encoding="utf-8").read()
    head = text[: text.index("## Usage")]
    assert "python -m fastact" in head and "python -m pytest" in head
