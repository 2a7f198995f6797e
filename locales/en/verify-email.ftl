## Template: verify-email

verify-email-subject = Confirm your email address
# $code is the six-digit verification code, e.g. "482 913".
verify-email-preheader = Your verification code is { $code }.
verify-email-heading = Confirm your email address
verify-email-intro = Please confirm that { $email } is your email address so we can finish setting up your { -brand-name } account.
verify-email-cta = Verify email address
verify-email-code-intro = Or enter this code in the app:
verify-email-expiry = { $hours ->
    [one] The link and the code expire in one hour.
   *[other] The link and the code expire in { $hours } hours.
}
verify-email-ignore = Didn't sign up for { -brand-name }? You can safely ignore this email. No account will be created without confirmation.
verify-email-footer-reason = You're receiving this email because someone signed up for { -brand-name } with { $email }.
