"""Every action the audit trail records, named once.

The stored strings are the trail's vocabulary: rows written years ago keep their meaning only if
a value never changes. Add a member for a new action; never rename one.
"""

from enum import StrEnum, unique


@unique
class AuditAction(StrEnum):
    EXPERT_NOMINATE = "expert.nominate"
    EXPERT_UPDATE = "expert.update"
    EXPERT_SUBMIT = "expert.submit"
    EXPERT_WITHDRAW = "expert.withdraw"
    EXPERT_CONFIRM_CURRENT = "expert.confirm_current"
    EXPERT_VALIDATE = "expert.validate"
    EXPERT_REQUEST_CHANGES = "expert.request_changes"
    EXPERT_REJECT = "expert.reject"
    EXPERT_VIEW = "expert.view"
    EXPERT_CV_DOWNLOAD = "expert.cv_download"
    EXPERT_IMPORT = "expert.import"
    EXPERT_CONSENT_GIVE = "expert.consent_give"
    EXPERT_CONSENT_REFUSE = "expert.consent_refuse"
    EXPERT_LINK_REQUEST = "expert.link_request"
    EXPERT_LINK_RESEND = "expert.link_resend"
    EXPERT_LIST_EXPORT = "expert.list_export"
    EXPERT_DEACTIVATE_STALE = "expert.deactivate_stale"
    EXPERT_UPDATE_REMINDER = "expert.update_reminder"
    EXPERT_DATA_EXPORT = "expert.data_export"
    EXPERT_ERASE = "expert.erase"
    NEED_CREATE = "need.create"
    NEED_UPDATE = "need.update"
    NEED_STATUS = "need.status"
    NEED_IMPORT = "need.import"
    NEED_RANK = "need.rank"
    MATCHING_POLICY_CHANGE = "matching.policy_change"
    SHORTLIST_ADD = "shortlist.add"
    SHORTLIST_REMOVE = "shortlist.remove"
    SHORTLIST_STATUS = "shortlist.status"
    SHORTLIST_MOVE = "shortlist.move"
    SHORTLIST_AVAILABILITY_REQUEST = "shortlist.availability_request"
    SHORTLIST_AVAILABILITY_REMINDER = "shortlist.availability_reminder"
    SHORTLIST_EXPORT = "shortlist.export"
    ASSIGNMENT_RUN_START = "assignment_run.start"
    ASSIGNMENT_RUN_FINISH = "assignment_run.finish"
    ASSIGNMENT_RUN_FAIL = "assignment_run.fail"
    ASSIGNMENT_RUN_ACCEPT = "assignment_run.accept"
    ASSIGNMENT_PIN_SET = "assignment_pin.set"
    ASSIGNMENT_PIN_REMOVE = "assignment_pin.remove"
    USER_INVITE = "user.invite"
    USER_UPDATE = "user.update"
    USER_PASSWORD_CHANGE = "user.password_change"  # noqa: S105 - an action name, not a secret
    USER_PASSWORD_SET = "user.password_set"  # noqa: S105 - an action name, not a secret
    USER_SECOND_FACTOR_ENROL = "user.second_factor_enrol"
    USER_SECOND_FACTOR_FAILURE = "user.second_factor_failure"
    USER_SECOND_FACTOR_RECOVERY_CODE_USE = "user.second_factor_recovery_code_use"
    USER_SECOND_FACTOR_RESET = "user.second_factor_reset"
    RATING_GIVE = "rating.give"
    RATING_REQUEST = "rating.request"
    COUNTRY_STATUS_UPDATE = "country.status_update"
    API_CLIENT_CREATE = "api_client.create"
    API_CLIENT_REVOKE = "api_client.revoke"
