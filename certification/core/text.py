"""Text that must survive XML (feeds, e-invoices): what XML 1.0 cannot carry is removed."""

import re

# Everything outside XML 1.0's Char production: C0 controls but tab, newline and carriage
# return; lone surrogates; U+FFFE and U+FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Characters a single-line form field never needs: every C0 and C1 control.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return NOT_XML.sub("", text)


def has_control_characters(text: str) -> bool:
    return bool(CONTROLS.search(text))
