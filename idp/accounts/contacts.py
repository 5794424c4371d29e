"""Contact details: mobile phone (login and SMS codes) and e-mail.

Both wrap a specialised library and translate its exceptions into `ValidationError` with constant
messages, so callers never see `phonenumbers` or `email_validator` types.
"""

from __future__ import annotations

import email_validator
import phonenumbers

from idp.accounts.validation import fail
from idp.errors import N_

PHONE_REQUIRED = N_("Phone: this field is required; enter your mobile number, like +7 912 345-67-89")
PHONE_FORMAT = N_("Phone: enter a mobile number with its country code, like +7 912 345-67-89")
PHONE_NOT_MOBILE = N_(
    "Phone: this is not a mobile number; enter a mobile number that can receive SMS, like +7 912 345-67-89"
)
EMAIL_REQUIRED = N_("E-mail: this field is required; enter an address like name@example.ru")
EMAIL_FORMAT = N_("E-mail: this is not a valid address; enter an address like name@example.ru")
# changing a contact in the security settings
PHONE_TAKEN = N_("Phone: this number belongs to another account; enter another number")
EMAIL_TAKEN = N_("E-mail: this address belongs to another account; enter another address")
PHONE_SAME = N_("Phone: this is already your number; enter the new one")
EMAIL_SAME = N_("E-mail: this is already your address; enter the new one")

DEFAULT_PHONE_REGION = "RU"
_MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


def validate_mobile_phone(value: str) -> str:
    """A valid mobile number in E.164 ("8 (912) 345-67-89" -> "+79123456789").

    Numbers without a country code are read as Russian (a leading 8 is the trunk prefix).
    """
    if not value.strip():
        raise fail("phone", PHONE_REQUIRED)
    try:
        parsed = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise fail("phone", PHONE_FORMAT) from None
    if not phonenumbers.is_valid_number(parsed):
        raise fail("phone", PHONE_FORMAT)
    if phonenumbers.number_type(parsed) not in _MOBILE_TYPES:
        raise fail("phone", PHONE_NOT_MOBILE)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def validate_email(value: str) -> str:
    """A syntactically valid address in normalized form (domain lower-cased, IDN in Unicode).

    The local part keeps its case, as RFC 5321 allows it to matter; compare addresses with
    `casefold()` when checking that an e-mail is not already taken. No DNS lookup is made.
    """
    if not value.strip():
        raise fail("email", EMAIL_REQUIRED)
    try:
        result = email_validator.validate_email(value.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError:
        raise fail("email", EMAIL_FORMAT) from None
    return str(result.normalized)
