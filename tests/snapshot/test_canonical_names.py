"""driftcheck's own PEP 503 normalisation must agree with packaging's."""

from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name as packaging_canonical

from driftcheck.targets.build import canonicalize_name


@pytest.mark.parametrize(
    "name",
    ["Foo_Bar", "foo.bar", "FOO--bar__baz", "zope.interface", "A", "ruamel.yaml.clib", "-x-"],
)
def test_same_as_packaging(name):
    assert canonicalize_name(name) == packaging_canonical(name)
