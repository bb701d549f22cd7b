"""Catalogue rows for the writer's tests, numbered as a spreadsheet shows them (the header is row 1)."""


def numbered(*rows):
    return [(number, row) for number, row in enumerate(rows, start=2)]


def memoir(identifier="mem-test-1", **cells):
    return {"identifier": identifier, "kind": "memoir", "status": "draft", "title_en": f"Test memoir {identifier}",
            **cells}


def errors_of(result):
    """(row, column) of each error, the way a catalogue manager finds it in the file."""
    return [(e.row, e.column) for e in result.errors]


def write_file(tmp_path, data, name="catalogue.csv"):
    """``data`` (text as UTF-8, or bytes) written to a file for the commands to read."""
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path
