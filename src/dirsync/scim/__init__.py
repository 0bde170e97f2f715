"""
SCIM 2.0 ingest (RFC 7643, RFC 7644): the endpoint core, its mirror
port, resources, the path and filter grammar, and the PATCH engine.

The endpoint is transport-agnostic: the host's web framework hands it a
`ScimRequest` and sends back the `ScimResponse` (see ``docs/scim.md``).
Like the rest of the core it does no I/O of its own: it reads and writes
through the `DirectoryStore` port, and the host gives it the time and
new ids.

.. versionadded:: 0.1.0
"""

from ._bodies import validate_group, validate_user
from ._directory import (
    Change,
    Delete,
    DirectoryStore,
    ResourceKind,
    StoredResource,
)
from ._endpoint import Endpoint, Settings
from ._errors import ERROR_SCHEMA, InvalidProvisioningEvent, ScimType
from ._json import Limits, dumps, loads
from ._match import matches
from ._names import user_key
from ._patch import apply_patch
from ._path import Path, parse_filter, parse_path
from ._resources import (
    DEFAULT_MAPPING,
    resource_from_user,
    user_from_resource,
)
from ._resources import Mapping as AttributeMapping
from ._schema import (
    ENTERPRISE_USER_SCHEMA,
    GROUP_SCHEMA,
    USER_SCHEMA,
    Attribute,
    Schema,
)
from ._wire import MEDIA_TYPE, ScimRequest, ScimResponse

__all__ = [
    "DEFAULT_MAPPING",
    "ENTERPRISE_USER_SCHEMA",
    "ERROR_SCHEMA",
    "GROUP_SCHEMA",
    "MEDIA_TYPE",
    "USER_SCHEMA",
    "Attribute",
    "AttributeMapping",
    "Change",
    "Delete",
    "DirectoryStore",
    "Endpoint",
    "InvalidProvisioningEvent",
    "Limits",
    "Path",
    "ResourceKind",
    "Schema",
    "ScimRequest",
    "ScimResponse",
    "ScimType",
    "Settings",
    "StoredResource",
    "apply_patch",
    "dumps",
    "loads",
    "matches",
    "parse_filter",
    "parse_path",
    "resource_from_user",
    "user_from_resource",
    "user_key",
    "validate_group",
    "validate_user",
]
