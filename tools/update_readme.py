"""Rewrite the generated function table in README.md from fastact/_table.py.

    python tools/update_readme.py        (tests/test_readme.py checks it is current)
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    spec = importlib.util.spec_from_file_location("_fa_table", os.path.join(ROOT, "fastact", "_table.py"))
    table = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = table
    spec.loader.exec_module(table)
    path = os.path.join(ROOT, "README.md")
    text = open(path, encoding="utf-8").read()
    start = text.index("<!-- generated:")
    start = text.index("\n", start) + 1
    end = text.index("<!-- end generated -->")
    text = text[:start] + table.markdown_table() + "\n" + text[end:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
