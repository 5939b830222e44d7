"""Curator accounts that hold: the admin's sign-in and the staff sessions it opens.

- `lockout`: failed sign-ins counted by django-axes, for an account from one address and for an
  address over all accounts; a locked attempt is refused before any password is hashed.
- `two_factor`: TOTP authenticators and single-use recovery codes (django-otp), and the state
  of a sign-in whose password was right and whose code is still to come.
- `site`, `views`, `forms`: the admin site that signs in in two steps, and the two-factor pages.
- `sessions`: staff sessions end after an idle time, and without their second factor where
  one is required.
"""
