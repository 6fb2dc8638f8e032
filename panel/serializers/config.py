"""``GET/PUT /api/bot/config``: the eight sections, built from the configuration schema's key table.

These serializers document the shape (and let the fuzz test check it); the values themselves are
checked by ``tickets.services.config.config_update``, which names the faulty field.
"""

from __future__ import annotations

from rest_framework import serializers

from tickets.configschema import (
    KEYS,
    MAX_LANGUAGES,
    MAX_LENGTHS,
    MAX_LIST_ITEMS,
    MODE_TYPES,
    SECTIONS,
    SUPPORTED_LANGUAGES,
    Key,
)
from tickets.snowflake import SNOWFLAKE_MAX


def _field(key: Key) -> serializers.Field:
    options = {"help_text": key.help, "required": False}
    kind = key.kind
    if kind == "bool":
        return serializers.BooleanField(**options)
    if kind == "int":
        return serializers.IntegerField(min_value=key.minimum, max_value=key.maximum, **options)
    if kind == "snowflake":
        return serializers.IntegerField(allow_null=True, min_value=0, max_value=SNOWFLAKE_MAX, **options)
    if kind == "snowflakes":
        return serializers.ListField(
            child=serializers.IntegerField(min_value=0, max_value=SNOWFLAKE_MAX),
            max_length=MAX_LIST_ITEMS,
            **options,
        )
    if kind == "languages":
        return serializers.ListField(
            child=serializers.ChoiceField(choices=SUPPORTED_LANGUAGES), max_length=MAX_LANGUAGES, **options
        )
    if kind == "language":
        return serializers.ChoiceField(choices=SUPPORTED_LANGUAGES, **options)
    if kind == "mode":
        return serializers.ChoiceField(choices=MODE_TYPES, **options)
    longest = key.max_length or MAX_LENGTHS.get(kind, MAX_LENGTHS["str"])
    return serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=longest, **options)


def _serializer(name: str, fields: dict[str, serializers.Field]) -> type[serializers.Serializer]:
    return type(name, (serializers.Serializer,), fields)


def _camel(section: str) -> str:
    return "".join(part.title() for part in section.split("_"))


def _build() -> type[serializers.Serializer]:
    sections: dict[str, dict[str, serializers.Field]] = {section: {} for section in SECTIONS}
    nested: dict[str, dict[str, serializers.Field]] = {}
    for key in KEYS:
        if key.nested:
            nested.setdefault(key.nested, {})[key.name] = _field(key)
        else:
            sections[key.section][key.name] = _field(key)
    for table, fields in nested.items():
        sections["bot"][table] = _serializer(f"Config{_camel(table)}", fields)(required=False)
    return _serializer(
        "Config",
        {
            section: _serializer(f"Config{_camel(section)}", fields)(required=False)
            for section, fields in sections.items()
        },
    )


ConfigSerializer = _build()


class ConfigSavedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
