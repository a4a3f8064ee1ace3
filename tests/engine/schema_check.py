"""A small JSON Schema (draft 2020-12) checker for the keywords resources/schema/lesson.schema.json
uses — enough to test that the schema and the files agree without a jsonschema dependency.
``SUPPORTED`` lists the keywords it understands; a test checks the schema uses no others, so no
rule is silently skipped."""
from __future__ import annotations

import json
import math
import pathlib
import re

SCHEMA_PATH = pathlib.Path(__file__).resolve().parents[2] / "resources" / "schema" / \
    "lesson.schema.json"

SUPPORTED = {
    "$schema", "$defs", "$ref", "title", "description", "default",
    "type", "const", "enum", "required", "properties", "additionalProperties",
    "propertyNames", "items", "minItems", "maxItems", "minimum", "maximum",
    "exclusiveMinimum", "multipleOf", "pattern", "uniqueItems",
}


def load_schema():
    return json.loads(SCHEMA_PATH.read_text("utf-8"))


def keywords(schema, found=None):
    """Every keyword used anywhere in ``schema`` (not counting property names)."""
    found = set() if found is None else found
    if isinstance(schema, dict):
        for k, v in schema.items():
            found.add(k)
            if k in ("properties", "$defs"):
                for sub in v.values():
                    keywords(sub, found)
            elif isinstance(v, (dict, list)) and k not in ("enum", "const", "default", "required"):
                keywords(v, found)
    elif isinstance(schema, list):
        for sub in schema:
            keywords(sub, found)
    return found


def _type_ok(value, t):
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    if t == "string":
        return isinstance(value, str)
    if t == "null":
        return value is None
    if t == "boolean":
        return isinstance(value, bool)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return (isinstance(value, (int, float)) and not isinstance(value, bool)
                and math.isfinite(value))  # JSON numbers are finite
    raise ValueError(t)


def errors(value, schema, root=None, path="$"):
    """A list of (path, keyword) for every violation."""
    root = schema if root is None else root
    out = []
    if schema is True or schema == {}:
        return out
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        out += errors(value, root["$defs"][ref[len("#/$defs/"):]], root, path)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(value, t) for t in types):
            return out + [(path, "type")]
    if "const" in schema and value != schema["const"]:
        out.append((path, "const"))
    if "enum" in schema and value not in schema["enum"]:
        out.append((path, "enum"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append((path, "minimum"))
        if "maximum" in schema and value > schema["maximum"]:
            out.append((path, "maximum"))
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            out.append((path, "exclusiveMinimum"))
        if "multipleOf" in schema and value % schema["multipleOf"]:
            out.append((path, "multipleOf"))
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        out.append((path, "pattern"))
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append((path, "minItems"))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append((path, "maxItems"))
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) < len(value):
            out.append((path, "uniqueItems"))
        if "items" in schema:
            for i, v in enumerate(value):
                out += errors(v, schema["items"], root, f"{path}[{i}]")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                out.append((f"{path}.{key}", "required"))
        props = schema.get("properties", {})
        for key, v in value.items():
            if "propertyNames" in schema:
                out += errors(key, schema["propertyNames"], root, f"{path}.{key}")
            if key in props:
                out += errors(v, props[key], root, f"{path}.{key}")
            elif "additionalProperties" in schema:
                extra = schema["additionalProperties"]
                if extra is False:
                    out.append((f"{path}.{key}", "additionalProperties"))
                elif isinstance(extra, dict):
                    out += errors(v, extra, root, f"{path}.{key}")
    return out
