"""Domains, activity types, workflow types and domain tags (SWF-SEMANTICS §2.1, §2.2, §2.6)."""

from __future__ import annotations

from typing import Any

from ._faults import (
    DomainAlreadyExistsFault,
    DomainDeprecatedFault,
    LimitExceededFault,
    TooManyTagsFault,
    TypeAlreadyExistsFault,
    TypeDeprecatedFault,
    TypeNotDeprecatedFault,
    UnknownResourceFault,
    ValidationException,
)
from ._kernel import Kernel
from ._paging import paginate
from ._state import Domain, Json, RegistrationStatus, TypeRecord

DOMAIN_LIMIT = 100
TYPE_LIMIT = 10_000
DOMAIN_TAG_LIMIT = 50
_RETENTION_MAX_DAYS = 90

_ACTIVITY_DEFAULTS = (
    "defaultTaskStartToCloseTimeout",
    "defaultTaskHeartbeatTimeout",
    "defaultTaskList",
    "defaultTaskPriority",
    "defaultTaskScheduleToStartTimeout",
    "defaultTaskScheduleToCloseTimeout",
)
_WORKFLOW_DEFAULTS = (
    "defaultTaskStartToCloseTimeout",
    "defaultExecutionStartToCloseTimeout",
    "defaultTaskList",
    "defaultTaskPriority",
    "defaultChildPolicy",
    "defaultLambdaRole",
)


# -- domains ---------------------------------------------------------------------------------
def register_domain(k: Kernel, req: Json, now: float) -> None:
    name = req["name"]
    if name in k.domains:
        raise DomainAlreadyExistsFault(name)
    retention = req["workflowExecutionRetentionPeriodInDays"]
    if retention == "NONE":
        retention = "0"
    if not retention.isdigit() or int(retention) > _RETENTION_MAX_DAYS:
        raise ValidationException(
            f"1 validation error detected: Value '{retention}' at 'workflowExecutionRetentionPeriodInDays' "
            f"failed to satisfy constraint: Member must be an integer between 0 and {_RETENTION_MAX_DAYS}"
        )
    if len(k.domains) >= DOMAIN_LIMIT:
        raise LimitExceededFault(f"Domain limit of {DOMAIN_LIMIT} reached")
    tags = _tag_dict(req.get("tags", []))
    if len(tags) > DOMAIN_TAG_LIMIT:
        raise TooManyTagsFault(f"A domain may carry at most {DOMAIN_TAG_LIMIT} tags")
    arn = f"arn:aws:swf:{k.region}:{k.account_id}:/domain/{name}"
    k.mutating("register_domain")
    k.domains[name] = Domain(name, str(int(retention)), req.get("description"), arn, tags=tags)


def describe_domain(k: Kernel, req: Json, now: float) -> Json:
    domain = k.domain(req["name"])
    return {
        "domainInfo": domain.info(),
        "configuration": {"workflowExecutionRetentionPeriodInDays": domain.retention_days},
    }


def list_domains(k: Kernel, req: Json, now: float) -> Json:
    status = req["registrationStatus"]
    domains = sorted((d for d in k.domains.values() if d.status.value == status), key=lambda d: d.name)
    if req.get("reverseOrder"):
        domains.reverse()
    page, token = paginate(req, domains)
    return _with_token({"domainInfos": [d.info() for d in page]}, token)


def deprecate_domain(k: Kernel, req: Json, now: float) -> None:
    domain = k.domain(req["name"])
    if domain.status is RegistrationStatus.DEPRECATED:
        raise DomainDeprecatedFault(domain.name)
    k.mutating("deprecate_domain")
    domain.status = RegistrationStatus.DEPRECATED
    # "Deprecating a domain also deprecates all activity and workflow types registered in it."
    for table in (k.activity_types, k.workflow_types):
        for (dom, _, _), record in table.items():
            if dom == domain.name and record.status is RegistrationStatus.REGISTERED:
                k.mutating("deprecate_type")
                record.status = RegistrationStatus.DEPRECATED
                record.deprecation_date = now


def undeprecate_domain(k: Kernel, req: Json, now: float) -> None:
    domain = k.domain(req["name"])
    if domain.status is RegistrationStatus.REGISTERED:
        raise DomainAlreadyExistsFault(domain.name)
    # Types stay deprecated: the API reference promises nothing more, and undeprecating a type
    # someone deprecated on purpose would be a silent surprise.
    k.mutating("undeprecate_domain")
    domain.status = RegistrationStatus.REGISTERED


def registered_domain(k: Kernel, name: str) -> Domain:
    domain = k.domain(name)
    if domain.status is RegistrationStatus.DEPRECATED:
        raise DomainDeprecatedFault(f"Domain is deprecated: {name}")
    return domain


# -- tags ------------------------------------------------------------------------------------
def _tag_dict(tags: list[Json]) -> dict[str, str]:
    return {t["key"]: t.get("value", "") for t in tags}


def _domain_by_arn(k: Kernel, arn: str) -> Domain:
    for domain in k.domains.values():
        if domain.arn == arn:
            return domain
    raise UnknownResourceFault(f"Unknown resource: {arn}")


def tag_resource(k: Kernel, req: Json, now: float) -> None:
    domain = _domain_by_arn(k, req["resourceArn"])
    merged = {**domain.tags, **_tag_dict(req["tags"])}
    if len(merged) > DOMAIN_TAG_LIMIT:
        raise TooManyTagsFault(f"A domain may carry at most {DOMAIN_TAG_LIMIT} tags")
    k.mutating("tag")
    domain.tags = merged


def untag_resource(k: Kernel, req: Json, now: float) -> None:
    domain = _domain_by_arn(k, req["resourceArn"])
    k.mutating("untag")
    for key in req["tagKeys"]:
        domain.tags.pop(key, None)


def list_tags_for_resource(k: Kernel, req: Json, now: float) -> Json:
    domain = _domain_by_arn(k, req["resourceArn"])
    return {"tags": [{"key": key, "value": value} for key, value in domain.tags.items()]}


# -- types -----------------------------------------------------------------------------------
class _TypeOps:
    """The six operations of one type family; activity and workflow types differ only in names."""

    def __init__(self, family: str, defaults: tuple[str, ...]) -> None:
        self.family = family  # "activity" or "workflow"
        self.label = family.capitalize() + "Type"
        self.member = family + "Type"
        self.defaults = defaults

    def table(self, k: Kernel) -> dict[tuple[str, str, str], TypeRecord]:
        return k.activity_types if self.family == "activity" else k.workflow_types

    def describe_name(self, name: str, version: str) -> str:
        return f"{self.label}=[name={name}, version={version}]"

    def lookup(self, k: Kernel, domain: str, ref: Json) -> TypeRecord:
        k.domain(domain)
        record = self.table(k).get((domain, ref["name"], ref["version"]))
        if record is None:
            raise UnknownResourceFault(f"Unknown type: {self.describe_name(ref['name'], ref['version'])}")
        return record

    def register(self, k: Kernel, req: Json, now: float) -> None:
        domain = registered_domain(k, req["domain"]).name
        key = (domain, req["name"], req["version"])
        table = self.table(k)
        if key in table:
            raise TypeAlreadyExistsFault(self.describe_name(req["name"], req["version"]))
        if sum(1 for d, _, _ in table if d == domain) >= TYPE_LIMIT:
            raise LimitExceededFault(f"{self.label} limit of {TYPE_LIMIT} reached in domain {domain}")
        defaults: dict[str, Any] = {name: req[name] for name in self.defaults if name in req}
        if "defaultTaskPriority" not in defaults:
            defaults["defaultTaskPriority"] = "0"
        k.mutating("register_type")
        table[key] = TypeRecord(req["name"], req["version"], req.get("description"), now, defaults)

    def describe(self, k: Kernel, req: Json, now: float) -> Json:
        record = self.lookup(k, req["domain"], req[self.member])
        return {"typeInfo": self.info(record), "configuration": dict(record.defaults)}

    def info(self, record: TypeRecord) -> Json:
        info: Json = {
            self.member: record.ref(),
            "status": record.status.value,
            "creationDate": record.creation_date,
        }
        if record.description is not None:
            info["description"] = record.description
        if record.deprecation_date is not None:
            info["deprecationDate"] = record.deprecation_date
        return info

    def list(self, k: Kernel, req: Json, now: float) -> Json:
        domain = k.domain(req["domain"]).name
        status, name = req["registrationStatus"], req.get("name")
        records = sorted(
            (
                r
                for (d, n, _), r in self.table(k).items()
                if d == domain and r.status.value == status and (name is None or n == name)
            ),
            key=lambda r: (r.name, r.version),
        )
        if req.get("reverseOrder"):
            records.reverse()
        page, token = paginate(req, records)
        return _with_token({"typeInfos": [self.info(r) for r in page]}, token)

    def deprecate(self, k: Kernel, req: Json, now: float) -> None:
        record = self.lookup(k, req["domain"], req[self.member])
        if record.status is RegistrationStatus.DEPRECATED:
            raise TypeDeprecatedFault(self.describe_name(record.name, record.version))
        k.mutating("deprecate_type")
        record.status = RegistrationStatus.DEPRECATED
        record.deprecation_date = now

    def undeprecate(self, k: Kernel, req: Json, now: float) -> None:
        record = self.lookup(k, req["domain"], req[self.member])
        if record.status is RegistrationStatus.REGISTERED:
            raise TypeAlreadyExistsFault(self.describe_name(record.name, record.version))
        k.mutating("undeprecate_type")
        record.status = RegistrationStatus.REGISTERED
        record.deprecation_date = None

    def delete(self, k: Kernel, req: Json, now: float) -> None:
        record = self.lookup(k, req["domain"], req[self.member])
        if record.status is RegistrationStatus.REGISTERED:
            raise TypeNotDeprecatedFault(self.describe_name(record.name, record.version))
        k.mutating("delete_type")
        del self.table(k)[(req["domain"], record.name, record.version)]


ACTIVITY_TYPES = _TypeOps("activity", _ACTIVITY_DEFAULTS)
WORKFLOW_TYPES = _TypeOps("workflow", _WORKFLOW_DEFAULTS)


def _with_token(body: Json, token: str | None) -> Json:
    if token is not None:
        body["nextPageToken"] = token
    return body


HANDLERS = {
    "RegisterDomain": register_domain,
    "DescribeDomain": describe_domain,
    "ListDomains": list_domains,
    "DeprecateDomain": deprecate_domain,
    "UndeprecateDomain": undeprecate_domain,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
    "RegisterActivityType": ACTIVITY_TYPES.register,
    "DescribeActivityType": ACTIVITY_TYPES.describe,
    "ListActivityTypes": ACTIVITY_TYPES.list,
    "DeprecateActivityType": ACTIVITY_TYPES.deprecate,
    "UndeprecateActivityType": ACTIVITY_TYPES.undeprecate,
    "DeleteActivityType": ACTIVITY_TYPES.delete,
    "RegisterWorkflowType": WORKFLOW_TYPES.register,
    "DescribeWorkflowType": WORKFLOW_TYPES.describe,
    "ListWorkflowTypes": WORKFLOW_TYPES.list,
    "DeprecateWorkflowType": WORKFLOW_TYPES.deprecate,
    "UndeprecateWorkflowType": WORKFLOW_TYPES.undeprecate,
    "DeleteWorkflowType": WORKFLOW_TYPES.delete,
}
