"""What a row means: compare it with the stored aggregate and call the domain for each difference.

A row describes how a record stands in the source system now (a snapshot). A new natural key
becomes the creating events (and the later lifecycle steps the row already shows); a known key
becomes exactly the update events between the stored state and the row; an equal row becomes
nothing — so importing the same file twice writes nothing the second time. Every rule is the
domain's: these functions only decide which domain methods to call, in which order, on which date.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from kamcore.domain import rules
from kamcore.domain.account import Account
from kamcore.domain.claim import Claim
from kamcore.domain.errors import Conflict, InvalidInput, KamError, NotFound
from kamcore.domain.ids import natural_id
from kamcore.domain.policy import Policy
from kamcore.domain.product import Product
from kamcore.domain.values import ClaimStatus, Money, PolicyStatus, today
from kamcore.importing.schemas import AccountRecord, ClaimRecord, PolicyRecord, Record
from kamcore.importing.workspace import Envelopes, Unit, Workspace

# Domain field names -> the import column that carries them.
POLICY_FIELDS = {
    "account_id": "account_ref",
    "renews_policy_id": "renews_policy_number",
    "policy_id": "policy_number",
    "initiated_by": "ended_by",
    "declined_by": "ended_by",
    "premium_change": "written_premium",
    "commission_change": "commission",
}
CLAIM_FIELDS = {"policy_id": "policy_number", "claim_id": "claim_number", "amount": "paid_to_date"}


def claim_id_for(claim_number: str) -> UUID:
    """Claims are identified by their claim number (`Claim.id_for`)."""
    return natural_id("claim", claim_number)


def policy_id_for(policy_number: str) -> UUID:
    return natural_id("policy", policy_number)


def product_id_for(code: str) -> UUID:
    return natural_id("product", code)


@contextmanager
def columns(mapping: Mapping[str, str], **extra: str) -> Iterator[None]:
    """Rename the field of a domain error to the import column it came from."""
    try:
        yield
    except KamError as error:
        names = {**mapping, **extra}
        if error.field in names:
            error.field = names[error.field]
        raise


def ids_needed(record: Record) -> list[UUID]:
    """The aggregates a row reads or writes, so a chunk of rows can load them in one query."""
    if isinstance(record, AccountRecord):
        return [natural_id("account", record.external_ref)]
    if isinstance(record, PolicyRecord):
        ids = [
            policy_id_for(record.policy_number),
            natural_id("account", record.account_ref),
            product_id_for(record.product_code),
        ]
        if record.renews_policy_number:
            ids.append(policy_id_for(record.renews_policy_number))
        return ids
    return [claim_id_for(record.claim_number), policy_id_for(record.policy_number)]


def apply_row(record: Record, workspace: Workspace, envelopes: Envelopes) -> int:
    """Apply one row; returns the events it produced (0: unchanged). Raises `KamError` for a bad row."""
    unit = workspace.unit()
    if isinstance(record, AccountRecord):
        _account(record, unit, envelopes)
    elif isinstance(record, PolicyRecord):
        _policy(record, unit, workspace, envelopes)
    else:
        _claim(record, unit, workspace, envelopes)
    return unit.commit()


# -- accounts -------------------------------------------------------------------------------------


def _account(row: AccountRecord, unit: Unit, envelopes: Envelopes) -> None:
    envelope = envelopes.on(row.as_of, "as_of")
    account = unit.get(Account, natural_id("account", row.external_ref))
    if account is None:
        unit.add(
            Account.open(
                name=row.name,
                segment=row.segment,
                region=row.region,
                industry=row.industry,
                size=row.size,
                external_ref=row.external_ref,
                envelope=envelope,
            )
        )
        return
    changes: dict[str, Any] = {}
    if row.name != account.name:
        changes["name"] = row.name
    if row.segment != account.segment.value:
        changes["segment"] = row.segment
    if row.region != account.region:
        changes["region"] = row.region
    if row.industry is not None and row.industry != account.industry:
        changes["industry"] = row.industry
    if row.size is not None and (account.size is None or row.size != account.size.value):
        changes["size"] = row.size
    if changes:
        account.update_profile(**changes, envelope=envelope)


# -- policies -------------------------------------------------------------------------------------

ENDING = (PolicyStatus.CANCELLED, PolicyStatus.LAPSED)


def _policy(row: PolicyRecord, unit: Unit, workspace: Workspace, envelopes: Envelopes) -> None:
    with columns(POLICY_FIELDS):
        target = rules.member("status", PolicyStatus, row.status)
        account_id = natural_id("account", row.account_ref)
        policy = unit.get(Policy, policy_id_for(row.policy_number))
        if policy is None:
            policy = unit.add(_quote(row, account_id, unit, workspace, envelopes))
        else:
            _ensure_same_terms(row, policy, account_id)
        if policy.status is PolicyStatus.QUOTED:
            _decide_quote(row, target, policy, unit, workspace, envelopes)
        if policy.status is PolicyStatus.BOUND and target in (PolicyStatus.BOUND, *ENDING):
            _endorse_if_changed(row, policy, envelopes)
            if target is PolicyStatus.CANCELLED:
                ended_on = _required(row.ended_on, "ended_on")
                with columns(POLICY_FIELDS, effective_date="ended_on"):
                    policy.cancel(
                        initiated_by=_required(row.ended_by, "ended_by"),
                        effective_date=ended_on,
                        return_premium=row.return_premium,
                        return_commission=row.return_commission,
                        envelope=envelopes.on(min(ended_on, today()), "ended_on"),
                    )
            elif target is PolicyStatus.LAPSED:
                ended_on = _required(row.ended_on, "ended_on")
                with columns(POLICY_FIELDS, effective_date="ended_on"):
                    policy.lapse(
                        initiated_by=_required(row.ended_by, "ended_by"),
                        effective_date=ended_on,
                        envelope=envelopes.on(min(ended_on, today()), "ended_on"),
                    )
        elif policy.status is target and policy.status in ENDING:
            if (row.written_premium, row.commission) != (policy.written_premium, policy.commission):
                raise Conflict(
                    f"the policy is {policy.status.value}; its premium and commission no longer change",
                    field="written_premium",
                    code="INVALID_STATE",
                )
        elif policy.status is not target:
            raise Conflict(
                f"the policy is {policy.status.value}; it cannot become {target.value}",
                field="status",
                code="INVALID_STATE",
            )


def _quote(row: PolicyRecord, account_id: UUID, unit: Unit, workspace: Workspace, envelopes: Envelopes) -> Policy:
    """The quote, with the checks `issue_quote` makes: an open account, a known product and renewed term."""
    account = workspace.find(Account, account_id)
    if account is None:
        raise NotFound(f"no account with external reference {row.account_ref!r}", field="account_ref")
    account.ensure_open()
    product = workspace.find(Product, product_id_for(row.product_code))
    if product is None:
        raise NotFound(f"no product {row.product_code!r}", field="product_code")
    renews = None
    if row.renews_policy_number:
        renews = unit.get(Policy, policy_id_for(row.renews_policy_number))
        if renews is None:
            raise NotFound(f"no policy {row.renews_policy_number!r} to renew", field="renews_policy_number")
    with columns(POLICY_FIELDS, effective_date="quoted_on"):
        return Policy.issue_quote(
            account_id=account_id,
            product=product,
            business_kind=row.business_kind,
            written_premium=row.written_premium,
            commission=row.commission,
            sum_insured=row.sum_insured,
            inception_date=row.inception_date,
            expiry_date=row.expiry_date,
            renews=renews,
            policy_number=row.policy_number,
            envelope=envelopes.on(row.quoted_on, "quoted_on"),
        )


def _ensure_same_terms(row: PolicyRecord, policy: Policy, account_id: UUID) -> None:
    """What identifies a term cannot change on re-import; a changed one is a new policy number."""
    renews_id = policy_id_for(row.renews_policy_number) if row.renews_policy_number else None
    stored: list[tuple[str, object, object]] = [
        ("account_ref", account_id, policy.account_id),
        ("product_code", row.product_code, policy.product_code),
        ("business_kind", row.business_kind, policy.business_kind.value),
        ("renews_policy_number", renews_id, policy.renews_policy_id),
        ("currency", row.currency, policy.currency),
        ("inception_date", row.inception_date, policy.inception_date),
        ("expiry_date", row.expiry_date, policy.expiry_date),
        ("quoted_on", row.quoted_on, policy.quoted_on),
    ]
    for field, given, current in stored:
        if given != current:
            shown = current.isoformat() if isinstance(current, date) else current
            raise InvalidInput(f"cannot change on an existing policy (stored: {shown})", field=field)


def _decide_quote(
    row: PolicyRecord, target: PolicyStatus, policy: Policy, unit: Unit, workspace: Workspace, envelopes: Envelopes
) -> None:
    if target is PolicyStatus.QUOTED:
        if (row.written_premium, row.commission, row.sum_insured) != (
            policy.written_premium,
            policy.commission,
            policy.sum_insured,
        ):
            raise InvalidInput("a quote's terms do not change; bind it at the final premium", field="written_premium")
        return
    if target is PolicyStatus.DECLINED:
        ended_on = _required(row.ended_on, "ended_on")
        with columns(POLICY_FIELDS, effective_date="ended_on"):
            policy.decline_quote(
                declined_by=_required(row.ended_by, "ended_by"), envelope=envelopes.on(ended_on, "ended_on")
            )
        return
    if target is PolicyStatus.EXPIRED:
        ended_on = _required(row.ended_on, "ended_on")
        with columns(POLICY_FIELDS, effective_date="ended_on"):
            policy.expire_quote(envelope=envelopes.on(ended_on, "ended_on"))
        return
    bound_on = _required(row.bound_on, "bound_on")
    account = workspace.find(Account, policy.account_id)
    if account is None:
        raise NotFound(f"no account with external reference {row.account_ref!r}", field="account_ref")
    account.ensure_open()
    envelope = envelopes.on(bound_on, "bound_on")
    with columns(POLICY_FIELDS, effective_date="bound_on"):
        policy.bind(written_premium=row.written_premium, commission=row.commission, envelope=envelope)
        if policy.renews_policy_id is not None:
            previous = unit.get(Policy, policy.renews_policy_id)
            if previous is None:
                raise NotFound("the renewed policy is not stored", field="renews_policy_number")
            previous.mark_renewed(policy, envelope=envelope)


def _endorse_if_changed(row: PolicyRecord, policy: Policy, envelopes: Envelopes) -> None:
    premium_change = row.written_premium.amount - policy.written_premium.amount
    commission_change = row.commission.amount - policy.commission.amount
    new_sum_insured = row.sum_insured if row.sum_insured != policy.sum_insured else None
    if not premium_change and not commission_change and new_sum_insured is None:
        return
    endorsed_on = _required(row.endorsed_on, "endorsed_on", "changed premium, commission or sum insured")
    with columns(POLICY_FIELDS, effective_date="endorsed_on"):
        policy.endorse(
            effective_date=endorsed_on,
            premium_change=Money(premium_change, policy.currency),
            commission_change=Money(commission_change, policy.currency),
            sum_insured=new_sum_insured,
            description=f"adjustment imported from the policy-administration system ({envelopes.reason})",
            envelope=envelopes.on(min(endorsed_on, today()), "endorsed_on"),
        )


# -- claims ---------------------------------------------------------------------------------------


def _claim(row: ClaimRecord, unit: Unit, workspace: Workspace, envelopes: Envelopes) -> None:
    with columns(CLAIM_FIELDS):
        claim_id = claim_id_for(row.claim_number)
        claim = unit.get(Claim, claim_id)
        created = claim is None
        if claim is None:
            claim = unit.add(_report(row, claim_id, workspace, envelopes))
        else:
            _ensure_same_claim(row, claim)
            if claim.status is ClaimStatus.CLOSED and (row.status == "open" or row.closed_on != claim.closed_on):
                reopened_on = _required(row.reopened_on, "reopened_on", "a closed claim that is open again")
                with columns(CLAIM_FIELDS, effective_date="reopened_on"):
                    claim.reopen(envelope=envelopes.on(reopened_on, "reopened_on"))
        _value(row, claim, created, envelopes)
        if row.status == "closed" and claim.status is ClaimStatus.OPEN:
            closed_on = _required(row.closed_on, "closed_on", "a closed claim")
            with columns(CLAIM_FIELDS, effective_date="closed_on"):
                claim.close(envelope=envelopes.on(closed_on, "closed_on"))


def _report(row: ClaimRecord, claim_id: UUID, workspace: Workspace, envelopes: Envelopes) -> Claim:
    """`Claim.report` checks the claim; the aggregate is then created under the claim number's id."""
    policy = workspace.find(Policy, policy_id_for(row.policy_number))
    if policy is None:
        raise NotFound(f"no policy {row.policy_number!r}", field="policy_number")
    if row.currency != policy.currency:
        raise InvalidInput(f"must be the policy's currency ({policy.currency})", field="currency")
    with columns(CLAIM_FIELDS, effective_date="reported_on"):
        checked = Claim.report(
            policy=policy,
            loss_date=row.loss_date,
            description=row.description,
            claim_number=row.claim_number,
            envelope=envelopes.on(row.reported_on, "reported_on"),
        )
    (reported,) = checked.collect_events()
    state = {k: v for k, v in vars(reported).items() if k not in ("originator_id", "originator_version")}
    state.pop("originator_topic", None)
    return Claim._create(type(reported), id=claim_id, **state)  # noqa: SLF001 - the library's way to give an id


def _ensure_same_claim(row: ClaimRecord, claim: Claim) -> None:
    for field, given, current in (
        ("policy_number", policy_id_for(row.policy_number), claim.policy_id),
        ("loss_date", row.loss_date, claim.loss_date),
        ("reported_on", row.reported_on, claim.reported_on),
        ("currency", row.currency, claim.currency),
    ):
        if given != current:
            shown = current.isoformat() if isinstance(current, date) else current
            raise InvalidInput(f"cannot change on an existing claim (stored: {shown})", field=field)


def _value(row: ClaimRecord, claim: Claim, created: bool, envelopes: Envelopes) -> None:
    """Move paid-to-date and the outstanding reserve to the row's figures (payments only grow)."""
    payment = row.paid_to_date.amount - claim.paid.amount
    if payment < 0:
        raise InvalidInput(
            f"payments are not reversed (stored paid to date: {claim.paid.amount})", field="paid_to_date"
        )
    closing = row.status == "closed"
    reserve_before_payment = (Decimal(0) if closing else row.reserve.amount) + payment
    if reserve_before_payment == claim.reserve.amount and not payment:
        return
    if claim.status is ClaimStatus.CLOSED:
        raise Conflict("the claim is closed; reopen it first (give reopened_on)", field="status", code="CLAIM_CLOSED")
    if created:
        reserved_on: date | None = row.reported_on
    else:
        reserved_on = _required(row.valued_on, "valued_on", "changed reserve or payments")
    if reserve_before_payment != claim.reserve.amount:
        with columns(CLAIM_FIELDS, effective_date="valued_on", reserve="reserve"):
            claim.set_reserve(
                reserve=Money(reserve_before_payment, claim.currency), envelope=envelopes.on(reserved_on, "valued_on")
            )
    if payment:
        paid_on = _required(row.valued_on, "valued_on", "payments")
        with columns(CLAIM_FIELDS, effective_date="valued_on"):
            claim.pay(amount=Money(payment, claim.currency), envelope=envelopes.on(paid_on, "valued_on"))


def _required(value: Any, field: str, when: str | None = None) -> Any:
    if value is None or value == "":
        raise InvalidInput(f"is required for {when}" if when else "is required here", field=field)
    return value
