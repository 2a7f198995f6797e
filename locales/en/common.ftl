## Shared strings: layout, header, footer and sign-off.

# Product name, as used in running text. Never translated.
-brand-name = Northwind

common-header-logo = { -brand-name }
    .alt = { -brand-name } logo

# Salutation at the top of an email.
common-greeting = Hi { $name },

# Closing line and signature, printed on two lines.
common-signoff = Best regards,
common-signature = The { -brand-name } team

# Shown under a button, followed by the button's URL.
common-button-fallback = If the button doesn't work, copy and paste this link into your browser:

## Footer

common-footer-help-center = Help Center
common-footer-privacy = Privacy Policy
common-footer-terms = Terms of Service
common-footer-preferences = Notification settings
common-footer-unsubscribe = Unsubscribe
# $company is the legal company name, e.g. "Northwind Cloud GmbH".
common-footer-copyright = © { $company }. All rights reserved.
