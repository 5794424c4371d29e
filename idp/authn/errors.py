"""Errors of the login flow. Each has a code a person can quote to support."""

from __future__ import annotations

from idp.errors import N_, GosidError


class LoginError(GosidError):
    code = "LOGIN-000"
    message = N_("The login could not be completed. Start again.")
    status = 400

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class InvalidCredentials(LoginError):
    """A wrong password, an unknown login or a disabled account: one answer for all three."""

    code = "LOGIN-001"
    message = N_("Incorrect login or password. Check them and try again.")
    status = 401


class TransactionExpired(LoginError):
    code = "LOGIN-002"
    message = N_("The login session has expired. Start the login again.")


class FactorRequired(LoginError):
    code = "LOGIN-003"
    message = N_("Enter your password first.")


class CodeInvalid(LoginError):
    code = "LOGIN-010"
    message = N_("The code is incorrect. Check the SMS and enter the code again.")
    status = 401


class CodeExpired(LoginError):
    code = "LOGIN-011"
    message = N_("The code has expired or was used up. Request a new code.")
    status = 401


class ResendTooSoon(LoginError):
    code = "LOGIN-012"
    message = N_("A new code can be requested a little later.")
    status = 429

    def __init__(self, wait_seconds: int) -> None:
        super().__init__()
        self.wait_seconds = wait_seconds


class FactorNotAvailable(LoginError):
    code = "LOGIN-005"
    message = N_("This confirmation method is not available for this login. Choose another one.")


class CodeReplayed(LoginError):
    code = "LOGIN-013"
    message = N_("This code has already been used. Wait for the next code in the app and enter it.")
    status = 401


class FactorPending(LoginError):
    code = "LOGIN-020"
    message = N_("Waiting for the confirmation.")
    status = 202


class FactorDenied(LoginError):
    code = "LOGIN-021"
    message = N_("The login was denied. If it was not you, change your password.")
    status = 401


class TooManyAttempts(LoginError):
    code = "LOGIN-030"
    message = N_("Too many attempts. The login is paused for a while; try again later.")
    status = 429

    def __init__(self, wait_seconds: int) -> None:
        super().__init__()
        self.wait_seconds = wait_seconds


class CaptchaRequired(LoginError):
    code = "LOGIN-031"
    message = N_("Enter the characters from the picture to continue.")
    status = 401


class PasskeyRejected(LoginError):
    code = "LOGIN-040"
    message = N_("The passkey was not accepted. Try again or choose another way to confirm the login.")
    status = 401


class SendLimitReached(LoginError):
    code = "LOGIN-014"
    message = N_("Too many codes were sent. Try again later or choose another way to confirm.")
    status = 429

    def __init__(self, wait_seconds: int) -> None:
        super().__init__()
        self.wait_seconds = wait_seconds


class LookupLimitReached(LoginError):
    """Too many "is this SNILS / phone / e-mail bound to another account?" look-ups (accounts/lookup_limits.py)."""

    code = "LOGIN-015"
    message = N_("Too many checks of data that may belong to other accounts. Try again in an hour or contact support.")
    status = 429

    def __init__(self, wait_seconds: int) -> None:
        super().__init__()
        self.wait_seconds = wait_seconds


class CardNumberInvalid(LoginError):
    code = "LOGIN-050"
    message = N_("The card number is not valid. Check the 16 to 19 digits on the front of the card.")


class CardNotRussian(LoginError):
    code = "LOGIN-051"
    message = N_("The card must be issued by a Russian bank (for example, a Mir card).")


class CardNotAuthenticated(LoginError):
    code = "LOGIN-052"
    message = N_("The bank did not confirm the check of the card.")
    status = 401


class CardAttempted(LoginError):
    code = "LOGIN-053"
    message = N_("The bank only confirmed an attempt, which does not prove who you are. Use another card or method.")
    status = 401


class CardUnavailable(LoginError):
    code = "LOGIN-054"
    message = N_("The bank could not check the card now. Try again later or use another method.")
    status = 503


class CardRejected(LoginError):
    code = "LOGIN-055"
    message = N_("The bank rejected the check of this card.")
    status = 401


class CardTimeout(LoginError):
    code = "LOGIN-056"
    message = N_("The bank did not answer in time. Try again later or use another method.")
    status = 504


class CardHolderMismatch(LoginError):
    code = "LOGIN-057"
    message = N_("The card holder's name does not match the name in your profile.")
    status = 401


class CardNotLinked(LoginError):
    code = "LOGIN-058"
    message = N_("This card is not linked to your account. Link it in the security settings first.")
    status = 401


class CardResultInvalid(LoginError):
    code = "LOGIN-059"
    message = N_("The bank's answer could not be verified. Start the card check again.")
    status = 401


class QesMalformed(LoginError):
    code = "LOGIN-060"
    message = N_("The signature could not be read. Sign the challenge again and paste the whole signature (base64).")
    status = 401


class QesTampered(LoginError):
    code = "LOGIN-061"
    message = N_("The signature does not match the challenge: it was made over other data or changed afterwards.")
    status = 401


class QesUntrusted(LoginError):
    code = "LOGIN-062"
    message = N_(
        "The certificate was not issued by a trusted certification authority (for example, it is self-signed)."
    )
    status = 401


class QesExpired(LoginError):
    code = "LOGIN-063"
    message = N_("The certificate has expired or is not valid yet. Use a valid certificate.")
    status = 401


class QesRevoked(LoginError):
    code = "LOGIN-064"
    message = N_("The certificate has been revoked by its certification authority.")
    status = 401


class QesKeyUsage(LoginError):
    code = "LOGIN-065"
    message = N_("The certificate may not be used for electronic signatures (its key usage does not allow it).")
    status = 401


class QesWrongSnils(LoginError):
    code = "LOGIN-066"
    message = N_("The SNILS in the certificate is not the SNILS of this account.")
    status = 401


class QesNoAccount(LoginError):
    code = "LOGIN-067"
    message = N_("No account has the SNILS of this certificate. Register first or use another certificate.")
    status = 401


class QesRevocationUnknown(LoginError):
    code = "LOGIN-068"
    message = N_("The certificate's revocation status could not be checked. Try again later.")
    status = 503


class LevelError(LoginError):
    code = "LEVEL-000"
    message = N_("The account level could not be changed.")
    status = 400


class ProfileIncomplete(LevelError):
    code = "LEVEL-001"
    message = N_("Fill in the profile first: full name, birth date, SNILS and passport.")


class PassportNotFound(LevelError):
    code = "LEVEL-002"
    message = N_("The Interior Ministry has no such passport. Check its series and number in the profile.")


class PassportInvalid(LevelError):
    code = "LEVEL-003"
    message = N_("The passport is registered as invalid (for example, lost or replaced). Enter your current passport.")


class SnilsMismatch(LevelError):
    code = "LEVEL-004"
    message = N_("The Pension Fund has this SNILS for another person. Check the SNILS and your name in the profile.")


class RegistryUnavailable(LevelError):
    code = "LEVEL-005"
    message = N_("The registry is not answering now. Try again in a few minutes.")
    status = 503


class ConfirmationCodeInvalid(LevelError):
    code = "LEVEL-006"
    message = N_("The confirmation code is wrong, used or expired. Check it or get a new one at a service centre.")
    status = 401
