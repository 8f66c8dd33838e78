"""CloudFront 2020-05-31 XML for invalidations: the request batch in, the results out.

Shapes follow the API model that botocore ships (``cloudfront/2020-05-31/service-2``):
``InvalidationBatch`` (``Paths`` with ``Quantity`` and ``Items/Path``, ``CallerReference``),
``Invalidation``, ``InvalidationList`` of ``InvalidationSummary``, and the REST-XML
``ErrorResponse``. Bodies are parsed by defusedxml with DTDs forbidden, whatever encoding
the document declares (UTF-16 included), so entity tricks (billion laughs, external
entities) are refused with MalformedXML and never expanded.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_untrusted

from common.errors import ApiError
from edge.invalidation.errors import (
    InconsistentQuantities,
    InvalidArgument,
    MalformedXML,
    MissingBody,
)
from edge.invalidation.model import Invalidation, InvalidationPage

NAMESPACE = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
_NS = f"{{{NAMESPACE}}}"
_INTEGER = re.compile(r"^\s*[0-9]{1,9}\s*$")


def parse_invalidation_batch(body: bytes) -> tuple[list[str], str]:
    """The paths and CallerReference of a CreateInvalidation body, or a CloudFront error."""
    if not body.strip():
        raise MissingBody("CreateInvalidation needs an InvalidationBatch XML body")
    try:
        root = parse_untrusted(body, forbid_dtd=True)
    except DefusedXmlException:
        raise MalformedXML("DTDs and entity declarations are not accepted") from None
    except (ET.ParseError, ValueError, LookupError) as exc:  # an encoding expat cannot read
        raise MalformedXML(f"the XML you provided was not well-formed: {exc}") from None
    ns = _namespace_of(root, "InvalidationBatch")
    _only(root, ns, ("Paths", "CallerReference"))
    paths_el = _one(root, ns, "Paths", "InvalidationBatch")
    _only(paths_el, ns, ("Quantity", "Items"))
    quantity = _integer(_text(_one(paths_el, ns, "Quantity", "Paths")), "Paths/Quantity")
    items_el = paths_el.find(f"{ns}Items")
    items = [] if items_el is None else items_el.findall(f"{ns}Path")
    if items_el is not None and len(items) != len(items_el):
        raise MalformedXML("Paths/Items may contain only Path elements")
    if quantity != len(items):
        raise InconsistentQuantities(
            f"Paths/Quantity is {quantity} but Paths/Items has {len(items)} paths"
        )
    paths = [_text(item) for item in items]
    caller_reference = _text(_one(root, ns, "CallerReference", "InvalidationBatch"))
    if not caller_reference:
        raise InvalidArgument("CallerReference must not be empty")
    return paths, caller_reference


def invalidation_xml(invalidation: Invalidation) -> bytes:
    root = ET.Element("Invalidation", xmlns=NAMESPACE)
    _sub(root, "Id", invalidation.id)
    _sub(root, "Status", invalidation.status)
    _sub(root, "CreateTime", iso_time(invalidation.create_time))
    batch = ET.SubElement(root, "InvalidationBatch")
    paths = ET.SubElement(batch, "Paths")
    _sub(paths, "Quantity", str(len(invalidation.paths)))
    if invalidation.paths:
        items = ET.SubElement(paths, "Items")
        for path in invalidation.paths:
            _sub(items, "Path", path)
    _sub(batch, "CallerReference", invalidation.caller_reference)
    return _document(root)


def invalidation_list_xml(page: InvalidationPage) -> bytes:
    root = ET.Element("InvalidationList", xmlns=NAMESPACE)
    _sub(root, "Marker", page.marker)
    if page.next_marker is not None:
        _sub(root, "NextMarker", page.next_marker)
    _sub(root, "MaxItems", str(page.max_items))
    _sub(root, "IsTruncated", "true" if page.is_truncated else "false")
    _sub(root, "Quantity", str(len(page.items)))
    if page.items:
        items = ET.SubElement(root, "Items")
        for invalidation in page.items:
            summary = ET.SubElement(items, "InvalidationSummary")
            _sub(summary, "Id", invalidation.id)
            _sub(summary, "CreateTime", iso_time(invalidation.create_time))
            _sub(summary, "Status", invalidation.status)
    return _document(root)


def error_xml(error: ApiError, request_id: str) -> bytes:
    """AWS's REST-XML error document; botocore reads Error/Code and Error/Message."""
    root = ET.Element("ErrorResponse", xmlns=NAMESPACE)
    detail = ET.SubElement(root, "Error")
    _sub(detail, "Type", "Sender" if error.status < 500 else "Receiver")
    _sub(detail, "Code", error.code)
    _sub(detail, "Message", error.message)
    _sub(root, "RequestId", request_id)
    return _document(root)


def iso_time(epoch: float) -> str:
    """ISO 8601 in UTC with milliseconds, as CloudFront writes CreateTime."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _namespace_of(root: ET.Element, expected: str) -> str:
    # boto3 sends the CloudFront namespace; hand-written bodies often omit it. Both are read.
    for ns in (_NS, ""):
        if root.tag == f"{ns}{expected}":
            return ns
    raise MalformedXML(f"the root element must be {expected} in the namespace {NAMESPACE}")


def _only(parent: ET.Element, ns: str, names: tuple[str, ...]) -> None:
    """As AWS validates against its schema: an element it does not define is refused."""
    for child in parent:
        if child.tag not in {f"{ns}{name}" for name in names}:
            raise MalformedXML(
                f"{_local(parent.tag)} has no element {_local(child.tag)[:64]!r}; "
                f"it holds {' and '.join(names)}"
            )


def _one(parent: ET.Element, ns: str, name: str, where: str) -> ET.Element:
    found = parent.findall(f"{ns}{name}")
    if len(found) != 1:
        raise MalformedXML(f"{where} needs exactly one {name} element")
    return found[0]


def _text(element: ET.Element) -> str:
    if len(element):
        raise MalformedXML(f"{_local(element.tag)} must contain text, not elements")
    return element.text or ""


def _integer(text: str, name: str) -> int:
    if not _INTEGER.fullmatch(text):
        raise MalformedXML(f"{name} must be a non-negative integer, not {text[:40]!r}")
    return int(text)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sub(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def _document(root: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="utf-8", xml_declaration=False
    )
