## Template: password-reset (security email, also has a hand-written text part)

password-reset-subject = Reset your { -brand-name } password
password-reset-preheader = { $minutes ->
    [one] Your password reset link expires in one minute.
   *[other] Your password reset link expires in { $minutes } minutes.
}
password-reset-heading = Reset your password
password-reset-intro = We received a request to reset the password for the { -brand-name } account { $email }.
password-reset-cta = Reset password
# Text part only: followed by the reset URL on the next line.
password-reset-text-link = Open this link to choose a new password:
password-reset-expiry = { $minutes ->
    [one] For your security, this link expires in one minute and can only be used once.
   *[other] For your security, this link expires in { $minutes } minutes and can only be used once.
}

## Details of the request that triggered the email

password-reset-details-title = Request details
# $date is a formatted date.
password-reset-detail-date = Requested on: { $date }
password-reset-detail-ip = IP address: { $ip }
# $device is browser and operating system, e.g. "Firefox 136 · Windows 11".
password-reset-detail-device = Device: { $device }
# $location is an approximate place, e.g. "Manchester, United Kingdom".
password-reset-detail-location = Approximate location: { $location }
password-reset-detail-unavailable = We couldn't determine the device or location of this request.

password-reset-not-you = If you didn't ask to reset your password, you can ignore this email and your password will stay the same. If you think someone else is trying to access your account, contact us at { $email }.
password-reset-footer-reason = We sent this security notice to { $email } because a password reset was requested for your account.
