"""Who may do what in customer service (the views and the API ask these, the services
enforce them):

- tier thresholds, SLA table and maintenance plans: director/admin change them; everyone
  but marketing reads them;
- a customer's tier override: director/admin, and a manager for the customers of the
  teams they manage;
- log an action, evaluate, open a ticket: whoever sees the customer (its owner, the
  owner's manager, director/admin), marketing never;
- work a ticket (reply, assign, resolve, close, reopen, record satisfaction): whoever
  sees it: its assignee, the customer's owner, their managers, director/admin.
"""

from loudou.org.choices import Role
from loudou.org.models import User


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def uses_service(user: User) -> bool:
    """Everyone but marketing works with customer service."""
    return _active(user) and user.role != Role.MARKETING


def may_edit_settings(user: User) -> bool:
    """Tier thresholds, the SLA table and the plans: director/admin."""
    return _active(user) and user.sees_all


def manages(user: User, person: User | None) -> bool:
    """Whether `user` is the manager of `person`'s team."""
    return (
        person is not None
        and user.role == Role.MANAGER
        and person.team_id is not None
        and person.team.manager_id == user.pk
    )


def may_override_tier(user: User, customer) -> bool:
    if not uses_service(user):
        return False
    if user.sees_all or manages(user, customer.owner):
        return True
    return user.role == Role.MANAGER and customer.owner_id == user.pk


def may_serve_customer(user: User, customer) -> bool:
    """Log actions, evaluate, open tickets for a customer `user` sees."""
    if not uses_service(user):
        return False
    return user.sees_all or customer.owner_id == user.pk or manages(user, customer.owner)


def may_work_ticket(user: User, ticket) -> bool:
    if not uses_service(user):
        return False
    if user.sees_all or user.pk in {ticket.assignee_id, ticket.customer.owner_id}:
        return True
    return manages(user, ticket.assignee) or manages(user, ticket.customer.owner)
