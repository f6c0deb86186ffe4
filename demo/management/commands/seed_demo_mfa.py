"""DEMO ONLY: give the demo's team leads, programme admin and site admin an authenticator with a
known secret, so that `make run` can be tried without setting one up (they must use MFA).

Refused unless DJANGO_DEBUG is on (the demo server): a known secret is no second factor. A
user who has already set up their own authenticator keeps it.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from painclinic import mfa
from painclinic.models import User

# 20 bytes, printed in base32 for typing into an authenticator app. Public: demo only.
DEMO_TOTP_KEY_HEX = "7061696e636c696e69632d64656d6f2d6f6e6c79"  # "painclinic-demo-only"
DEMO_DEVICE_NAME = "Demo authenticator (demo only)"


def demo_secret() -> str:
    return base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode().rstrip("=")


def demo_code() -> str:
    device = TOTPDevice(key=DEMO_TOTP_KEY_HEX)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def refuse_unless_demo() -> None:
    if not settings.DEBUG:
        raise CommandError("Demo only: refused unless DJANGO_DEBUG=1 (a known secret is no MFA).")


class Command(BaseCommand):
    help = "DEMO ONLY: enrol the demo users who must use MFA with a known authenticator secret."

    def handle(self, *args, **options) -> None:
        refuse_unless_demo()
        for user in User.objects.filter(is_active=True).order_by("username"):
            if not mfa.mfa_required(user) or mfa.is_enrolled(user):
                continue
            TOTPDevice.objects.filter(user=user).delete()
            TOTPDevice.objects.create(
                user=user, name=DEMO_DEVICE_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True
            )
        names = ", ".join(
            TOTPDevice.objects.filter(name=DEMO_DEVICE_NAME, confirmed=True)
            .order_by("user__username")
            .values_list("user__username", flat=True)
        )
        self.stdout.write(
            "  Two-step verification (DEMO ONLY: a published secret is no second factor):\n"
            f"    {names} enter a code after the password. Add the key\n"
            f"    {demo_secret()} to an authenticator app (time-based, 6 digits),\n"
            "    or print the current code with: .venv/bin/python manage.py demo_mfa_code\n"
            "    Clinicians (ana, dina, ...) may set up their own: click their name in the menu."
        )
