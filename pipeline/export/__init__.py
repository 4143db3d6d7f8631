"""Exporters: write the tables of a publication into a folder.

Each exporter reads table rows (never raw text); column order, types and titles come from
the Table Schemas in schemas/. The package itself imports nothing, so that a process which
needs one exporter's module (the validation process reads the CSV module) does not load them
all; package.py writes the tables and their datapackage.json.
"""
